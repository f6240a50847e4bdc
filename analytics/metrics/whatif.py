"""What-if (政策模拟): any report of the stored snapshots under another policy, computed in a store in memory,
nothing written (design.md §5 `report ... --policy`); and who would change tier."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from analytics.core.policy import Policy
from analytics.core.scope import Scope
from analytics.core.sql import fetch
from analytics.metrics.churn import churn_by_unit
from analytics.metrics.distribution import tier_distribution
from analytics.metrics.reports import asked_periods, build_report
from analytics.metrics.scorecard import scorecard
from analytics.store.catalog import loaded_periods
from analytics.store.scratch import Progress, scratch_store


def what_if_store(
    con: duckdb.DuckDBPyConnection,
    database: Path,
    policy: Policy,
    kind: str,
    *,
    period=None,
    start=None,
    end=None,
    quarter=None,
    progress: Progress | None = None,
) -> duckdb.DuckDBPyConnection:
    """The in-memory store that answers `kind` (with its period arguments) under `policy`; `con` reads the bank's
    database at `database` (to resolve the periods)."""
    asked, pairs = asked_periods(loaded_periods(con), kind, period, start, end, quarter)
    return scratch_store(database, policy, asked, pairs, progress)


def what_if_report(
    con: duckdb.DuckDBPyConnection, database: Path, policy: Policy, kind: str, *, by=None, scope=Scope(), **periods
) -> pd.DataFrame:
    """`build_report(kind, ...)` as it would be under `policy`."""
    scratch = what_if_store(con, database, policy, kind, **periods)
    try:
        return build_report(scratch, kind, by=by, scope=scope, **periods)
    finally:
        scratch.close()


def tier_changes(scratch: duckdb.DuckDBPyConnection, period: date, scope: Scope) -> pd.DataFrame:
    """The customers present at `period` whose tier or maintained status would change under the what-if
    (`scratch`, which holds the ones in force beside its own), largest AUM first.

    Returns columns: customer_id, branch_id, manager_id, aum, tier_now, tier_what_if, maintained_now,
    maintained_what_if (tiers as ranks)."""
    condition, params = scope.sql("c")
    return fetch(
        scratch,
        f"""
        with final as (
            select c.customer_id, c.branch_id, c.manager_id, c.aum, f.tier as tier_now, c.tier as tier_what_if,
                   f.maintained_rules > 0 as maintained_now, c.maintained_rules > 0 as maintained_what_if
            from customer_snapshot c join in_force f on f.period = c.period and f.customer_id = c.customer_id
            where c.period = $period and c.status <> 'closed' and {condition}
              and (f.tier <> c.tier or (f.maintained_rules > 0) <> (c.maintained_rules > 0))
        )
        select * from final order by aum desc, customer_id
    """,
        params | {"period": period},
    )


NORM = (500, 800)  # maintained customers per manager (管户 norm, domain.md)


def compare_policies(
    con: duckdb.DuckDBPyConnection, scratch: duckdb.DuckDBPyConnection, start: date, end: date, scope: Scope
) -> dict[str, pd.DataFrame]:
    """The policy in force (`con`) against the what-if (`scratch`) from `start` to `end`, side by side.

    Returns frames: tiers (tier, tier_rank and customers / aum / maintained _now and _what_if, at `end`);
    managers (load: under / within / over the 500-800 norm of maintained customers, managers_now,
    managers_what_if); churn (one row: maintained_start, churned, churn_rate, attrition_rate, each _now and
    _what_if); ranks (the branches' score and rank _now and _what_if, rank_change = now - what-if, so a positive
    change is a better rank)."""
    sides = {"now": con, "what_if": scratch}
    tiers = _side_by_side(
        {k: tier_distribution(c, scope, None, [end]) for k, c in sides.items()},
        ["tier", "tier_rank"],
        ["customers", "aum", "maintained"],
    )
    loads = {}
    for key, side in sides.items():
        maintained = _maintained_per_manager(side, end, scope)
        loads[f"managers_{key}"] = [
            int((maintained < NORM[0]).sum()),
            int(((maintained >= NORM[0]) & (maintained <= NORM[1])).sum()),
            int((maintained > NORM[1]).sum()),
        ]
    managers = pd.DataFrame({"load": ["under", "within", "over"], **loads})
    churn = _side_by_side(
        {k: churn_by_unit(c, start, end, None, scope, by_tier=False) for k, c in sides.items()},
        ["unit"],
        ["maintained_start", "churned", "churn_rate", "attrition_rate"],
    )
    ranks = _side_by_side(
        {k: scorecard(c, start, end, "branch", scope) for k, c in sides.items()},
        ["unit", "unit_name"],
        ["score", "rank"],
    )
    ranks["rank_change"] = ranks["rank_now"] - ranks["rank_what_if"]
    return {"tiers": tiers, "managers": managers, "churn": churn, "ranks": ranks.sort_values("rank_what_if")}


def _side_by_side(frames: dict[str, pd.DataFrame], keys: list[str], values: list[str]) -> pd.DataFrame:
    now, what_if = (frames[k][keys + values].rename(columns={v: f"{v}_{k}" for v in values}) for k in frames)
    both = now.merge(what_if, on=keys, how="outer").sort_values("tier_rank" if "tier_rank" in keys else keys)
    return both[keys + [f"{v}_{k}" for v in values for k in frames]].reset_index(drop=True)


def _maintained_per_manager(con: duckdb.DuckDBPyConnection, period: date, scope: Scope) -> pd.Series:
    """Maintained customers of each manager at `period` (unassigned books left out)."""
    condition, params = scope.sql()
    books = fetch(
        con,
        f"""select manager_id, sum(maintained)::bigint as maintained from tier_summary
            where period = $period and manager_id is not null and {condition} group by manager_id""",
        params | {"period": period},
    )
    return books["maintained"]
