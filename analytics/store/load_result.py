"""What loading one file came to: loaded, unchanged or rejected, with its rows, AUM, periods and problems, and the
branches of earlier loads it kept (or, replacing whole periods, removed)."""

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
    replace_period: bool = False  # whole periods replaced (load --replace-period), not only the file's branches
    kept_branches: dict[date, list[str]] = field(default_factory=dict)  # per period: branches of earlier loads kept
    removed_branches: dict[date, list[str]] = field(default_factory=dict)  # per period: removed (replace_period)

    def branch_note(self) -> str | None:
        """What the load did to the branches of its periods that the file does not hold."""
        if self.replace_period:
            removed = _branches(self.removed_branches, self.periods)
            return "whole periods replaced" + (f"; removed branches not in the file: {removed}" if removed else "")
        kept = _branches(self.kept_branches, self.periods)
        return f"kept from earlier loads: {kept}" if kept else None

    def summary(self) -> str:
        periods = ", ".join(p.isoformat() for p in self.periods) or "-"
        if self.outcome == "rejected":
            return f"{self.file}: rejected, {len(self.problems)} problems, nothing loaded"
        verb = "already loaded, nothing changed" if self.outcome == "unchanged" else "loaded"
        note = self.branch_note() if self.outcome == "loaded" else None
        return f"{self.file}: {verb}: {self.rows:,} rows, AUM {self.aum_total:,.2f}, periods {periods}" + (
            f"; {note}" if note else ""
        )


def _branches(per_period: dict[date, list[str]], periods: list[date]) -> str:
    """'3101, 3102' when every period names the same branches, else '2026-08-31: 3101; 2026-09-30: 3101, 3102'."""
    lists = [per_period.get(p, []) for p in periods]
    if not any(lists):
        return ""
    if all(b == lists[0] for b in lists):
        return ", ".join(lists[0])
    return "; ".join(f"{p.isoformat()}: {', '.join(b)}" for p, b in zip(periods, lists, strict=True) if b)
