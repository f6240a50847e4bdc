"""Organisational levels (region, sub-branch, branch, manager): their SQL keys and their display names.

A unit's key is a text value in the column `unit`. Customers without a manager are the unit
`unassigned@<branch_id>` at manager level, so that a branch's counts are the sum over its managers plus its
unassigned customers; rows without a region or sub-branch are the unit `(none)`.
"""
from __future__ import annotations

from datetime import date
from typing import Literal

import duckdb
import pandas as pd

from analytics.query import fetch
from analytics.scope import Scope

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


def unit_labels(con: duckdb.DuckDBPyConnection, level: Level | None, scope: Scope,
                period: date | None = None) -> pd.DataFrame:
    """Display names of the units of `level`: the name on the latest loaded period (up to `period`).

    Returns columns: unit, unit_name. Branches show their branch name, managers their name; the unassigned
    customers of a branch show as 未分配 · <branch name>; regions and sub-branches show their own value.
    """
    if level is None:
        return pd.DataFrame({"unit": ["all"], "unit_name": ["全行"]})
    level = parse_level(level)
    condition, params = scope.sql()
    params["period"] = period
    limit = "and period <= $period" if period is not None else ""
    name = {
        "region": "unit", "sub_branch": "unit",
        "branch": "coalesce(arg_max(branch_name, period) filter (where branch_name is not null), unit)",
        "manager": f"""case when unit like '{UNASSIGNED_PREFIX}%'
                           then '未分配 · ' || coalesce(arg_max(branch_name, period)
                                filter (where branch_name is not null), max(branch_id))
                           else coalesce(arg_max(manager_name, period) filter (where manager_name is not null), unit)
                      end""",
    }[level]
    return fetch(con, f"""
        with directory as (
            select {unit_key(level)} as unit, period, branch_id, branch_name, manager_name
            from unit_directory
            where {condition} {limit}
        ),
        final as (
            select unit, {name} as unit_name from directory group by unit
        )
        select * from final order by unit
    """, params)


def with_labels(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, level: Level | None, scope: Scope,
                period: date | None = None) -> pd.DataFrame:
    """`frame` with a unit_name column after its unit column (the key itself where no name is known)."""
    labels = unit_labels(con, level, scope, period)
    merged = frame.merge(labels, on="unit", how="left")
    merged["unit_name"] = merged["unit_name"].fillna(merged["unit"])
    columns = list(frame.columns)
    columns.insert(columns.index("unit") + 1, "unit_name")
    return merged[columns]
