"""Organisational levels (region, sub-branch, branch, manager): their SQL keys and their display names.

A unit's key is a text value in the column `unit`. Customers without a manager are the unit
`unassigned@<branch_id>` at manager level, so that a branch's counts are the sum over its managers plus its
unassigned customers; rows without a region or sub-branch are the unit `(none)`.
"""

from __future__ import annotations

from typing import Literal

import pandas as pd

Level = Literal["region", "sub_branch", "branch", "manager"]
LEVELS: tuple[str, ...] = ("region", "sub_branch", "branch", "manager")
UNASSIGNED_PREFIX = "unassigned@"
NO_UNIT = "(none)"

# identifiers come only from this mapping, never from user input
_KEYS: dict[str, str] = {
    "region": f"coalesce({{a}}region, '{NO_UNIT}')",
    "sub_branch": f"coalesce({{a}}sub_branch, '{NO_UNIT}')",
    "branch": "{a}branch_id",
    "manager": f"coalesce({{a}}manager_id, '{UNASSIGNED_PREFIX}' || {{a}}branch_id)",
}


def parse_level(value: str) -> Level:
    text = str(value).strip().lower().replace("-", "_")
    if text == "branch_id":
        text = "branch"
    if text == "manager_id":
        text = "manager"
    if text not in LEVELS:
        raise ValueError(f"{value!r} is not a unit level (use {', '.join(LEVELS)})")
    return text  # type: ignore[return-value]


def unit_key(level: Level | None, alias: str = "") -> str:
    """SQL expression of the unit key on a table with the unit columns; 'all' when level is None."""
    if level is None:
        return "'all'"
    return _KEYS[parse_level(level)].format(a=f"{alias}." if alias else "")


def is_unassigned(units: pd.Series) -> pd.Series:
    return units.astype(str).str.startswith(UNASSIGNED_PREFIX)
