"""Display names of units: the branch or manager name on the latest loaded period, 未分配 · <branch> for a
branch's customers without a manager."""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from analytics.core.scope import Scope
from analytics.core.sql import fetch
from analytics.core.units import UNASSIGNED_PREFIX, Level, parse_level, unit_key


def unit_labels(
    con: duckdb.DuckDBPyConnection, level: Level | None, scope: Scope, period: date | None = None
) -> pd.DataFrame:
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
        "region": "unit",
        "sub_branch": "unit",
        "branch": "coalesce(arg_max(branch_name, period) filter (where branch_name is not null), unit)",
        "manager": f"""case when unit like '{UNASSIGNED_PREFIX}%'
                           then '未分配 · ' || coalesce(arg_max(branch_name, period)
                                filter (where branch_name is not null), max(branch_id))
                           else coalesce(arg_max(manager_name, period) filter (where manager_name is not null), unit)
                      end""",
    }[level]
    return fetch(
        con,
        f"""
        with directory as (
            select {unit_key(level)} as unit, period, branch_id, branch_name, manager_name
            from unit_directory
            where {condition} {limit}
        ),
        final as (
            select unit, {name} as unit_name from directory group by unit
        )
        select * from final order by unit
    """,
        params,
    )


def with_labels(
    con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, level: Level | None, scope: Scope, period: date | None = None
) -> pd.DataFrame:
    """`frame` with a unit_name column after its unit column (the key itself where no name is known)."""
    labels = unit_labels(con, level, scope, period).set_index("unit")["unit_name"]
    names = frame["unit"].map(labels).fillna(frame["unit"])
    labelled = frame.copy(deep=False)  # the caller's frame stays as it was
    labelled.insert(labelled.columns.get_loc("unit") + 1, "unit_name", names)
    return labelled
