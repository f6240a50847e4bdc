"""The `[lists]` table of the policy: thresholds of the daily lists a manager works from."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from analytics.core.policy_rules import PolicyError, money

_KEYS = ("outflow_min", "outflow_drop", "birthday_min")


@dataclass(frozen=True)
class Lists:
    outflow_min: Decimal = Decimal(100_000)  # outflow watch: AUM at the month end before at least this
    outflow_drop: Decimal = Decimal(50_000)  # ... and fallen by at least this month on month
    birthday_min: Decimal = Decimal(1_000_000)  # birthday list: AUM at least this


def parse_lists(raw: dict, source: str) -> Lists:
    table = raw.get("lists", {})
    if not isinstance(table, dict):
        raise PolicyError(f"{source}: [lists] must be a table")
    unknown = sorted(set(table) - set(_KEYS))
    if unknown:
        raise PolicyError(f"{source}: [lists] has unknown keys {', '.join(unknown)} (known: {', '.join(_KEYS)})")
    values = {}
    for key in _KEYS:
        if key in table:
            amount = money(table[key], f"{source}: lists.{key}")
            if amount <= 0:
                raise PolicyError(f"{source}: lists.{key} must be a positive amount in CNY")
            values[key] = amount
    return Lists(**values)
