"""Who maintains which band (领养维护): maintained customers held by a manager whose role the policy does not
assign to their tier (`maintained_by` of each [[tier]])."""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from analytics.core.periods import require_period
from analytics.core.scope import Scope
from analytics.core.sql import fetch
from analytics.metrics.labels import with_labels
from analytics.store.catalog import loaded_periods
from analytics.store.policy_record import current_policy

COLUMNS = ["unit", "unit_name", "role", "tier", "customers", "aum", "maintained", "mismatch_share", "expected_roles"]


def role_mismatches(con: duckdb.DuckDBPyConnection, period: date, scope: Scope) -> pd.DataFrame:
    """The maintained customers at `period` whose manager's role is not one the policy assigns to their tier.

    口径: a manager's role is their manager_role at `period` (the role on most of their customers' rows, as the
    scorecard's role classes); a tier is checked only when the policy names its maintained_by roles; a manager
    without a role holds every customer of a checked tier against the policy; customers without a manager are
    not listed (they have no maintainer: the unassigned lists show them). One row per manager x tier with
    customers > 0: customers and aum (AUM at `period`) of the mismatched maintained customers, maintained = all
    the manager's maintained customers, mismatch_share = customers / maintained, expected_roles = the tier's roles
    ("/"-separated). Returns columns: unit (manager_id), unit_name, role, tier (tier code), customers, aum,
    maintained, mismatch_share, expected_roles; ordered by customers, most first.
    """
    policy = current_policy(con)
    period = require_period(loaded_periods(con), period)
    condition, params = scope.sql()
    params["period"] = period
    held = fetch(
        con,
        f"""
        with books as (
            select manager_id as unit, tier, sum(maintained)::bigint as customers,
                   sum(maintained_aum) as aum
            from tier_summary
            where period = $period and manager_id is not null and {condition}
            group by all
        ),
        roles as (
            select manager_id as unit, arg_max(manager_role, customers) as role
            from unit_directory where period = $period and manager_id is not null and {condition}
            group by all
        ),
        final as (
            select b.unit, r.role, b.tier, b.customers, b.aum,
                   sum(b.customers) over (partition by b.unit)::bigint as maintained
            from books b left join roles r using (unit)
        )
        select * from final where customers > 0
        """,
        params,
    )
    assigned = {tier.rank: tier.maintained_by for tier in policy.tiers if tier.maintained_by}
    roles = held["role"].astype(object).where(held["role"].notna(), None)
    wrong = [
        int(tier) in assigned and role not in assigned[int(tier)]
        for tier, role in zip(held["tier"], roles, strict=True)
    ]
    frame = held[wrong].copy()
    codes = {tier.rank: tier.code for tier in policy.tiers}
    frame["expected_roles"] = frame["tier"].map(lambda rank: " / ".join(assigned[int(rank)]))
    frame = frame.sort_values(["customers", "unit", "tier"], ascending=[False, True, True]).reset_index(drop=True)
    frame["tier"] = frame["tier"].map(lambda rank: codes[int(rank)])
    frame["aum"] = frame["aum"].astype(float).round(2)
    frame["mismatch_share"] = frame["customers"] / frame["maintained"]
    labelled = with_labels(con, frame[[c for c in COLUMNS if c != "unit_name"]], "manager", scope, period)
    return labelled[COLUMNS]
