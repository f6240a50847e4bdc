"""What loading one file came to: loaded, unchanged or rejected, with its rows, AUM, periods and problems."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from analytics.ingest.validate import Problem


@dataclass
class LoadResult:
    file: str
    outcome: str  # loaded | unchanged | rejected
    sha256: str = ""
    periods: list[date] = field(default_factory=list)
    rows: int = 0
    aum_total: Decimal = Decimal(0)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        periods = ", ".join(p.isoformat() for p in self.periods) or "-"
        if self.outcome == "rejected":
            return f"{self.file}: rejected, {len(self.problems)} problems, nothing loaded"
        verb = "already loaded, nothing changed" if self.outcome == "unchanged" else "loaded"
        return f"{self.file}: {verb}: {self.rows:,} rows, AUM {self.aum_total:,.2f}, periods {periods}"
