"""The parent units of each unit (the region and sub-branch a branch belongs to), as the directory last says."""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from analytics.core.scope import Scope
from analytics.core.sql import fetch
from analytics.core.units import Level, parse_level, unit_key

PARENTS: dict[str, tuple[str, ...]] = {
    "region": (),
    "sub_branch": ("region",),
    "branch": ("region", "sub_branch"),
    "manager": ("branch_id",),
}


def unit_parents(con: duckdb.DuckDBPyConnection, level: Level, scope: Scope, period: date) -> pd.DataFrame:
    """The parent units of the units of `level`: a sub-branch's region, a branch's region and sub-branch, a
    manager's branch (the one holding most of their customers); each as on the latest loaded period up to
    `period` (a unit's parents are those of the most customers there). Returns columns: unit and the parents
    (region, sub_branch, branch_id as they apply; null where the directory has none)."""
    level = parse_level(level)
    parents = PARENTS[level]
    if not parents:
        return pd.DataFrame({"unit": pd.Series(dtype=str)})
    condition, params = scope.sql()
    params["period"] = period
    picked = ", ".join(f"arg_max({p}, customers) as {p}" for p in parents)
    return fetch(
        con,
        f"""
        with latest as (
            select {unit_key(level)} as unit, period, region, sub_branch, branch_id, customers
            from unit_directory where period <= $period and {condition}
            qualify period = max(period) over (partition by {unit_key(level)})
        ),
        final as (select unit, {picked} from latest group by unit)
        select * from final order by unit
        """,
        params,
    )
