"""The five quarterly indicators HQ assesses units on (保 churn, 争 upgrade, 挖 coverage, 抢 growth, 培 AUM growth):
the policy's weight and target keys, the scorecard's columns, and which way is better."""

from __future__ import annotations

# indicator (policy weight / target key) -> (scorecard column, whether higher is better)
INDICATORS: dict[str, tuple[str, bool]] = {
    "churn": ("churn_rate", False),
    "upgrade": ("upgrade_rate", True),
    "coverage": ("coverage_rate", True),
    "growth": ("growth", True),
    "aum_growth": ("aum_growth", True),
}
INDICATOR_COLUMNS: tuple[str, ...] = tuple(column for column, _ in INDICATORS.values())
