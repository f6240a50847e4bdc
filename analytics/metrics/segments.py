"""The two schemes reconciled: card level x tier, and the relationship and product-preference types of each
tier (domain.md: the bank's card scheme and its asset tiers describe the same customers differently)."""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from analytics.core.policy_rules import CARD_LEVELS, PREFERENCES, RELATIONSHIPS
from analytics.core.scope import Scope
from analytics.core.sql import fetch
from analytics.store.policy_record import current_policy


def card_tier_crosstab(con: duckdb.DuckDBPyConnection, period: date, scope: Scope) -> pd.DataFrame:
    """Customers, AUM and maintained customers per card level x tier at one month end.

    口径: customers present at the month end by the card level on their row (none = no card recorded) and their
    tier under the policy in force; maintained = of them, those a maintained rule holds for. Every tier of every
    card level is listed, zeros included. Returns columns: card_level, tier, tier_rank, customers, aum, maintained.
    """
    condition, params = scope.sql()
    counts = fetch(
        con,
        f"""
        with rows_in_scope as (
            select coalesce(card_level, 'none') as card_level, tier, customers, aum, maintained
            from tier_summary where period = $period and {condition}
        ),
        final as (
            select card_level, tier as tier_rank, sum(customers)::bigint as customers, sum(aum) as aum,
                   sum(maintained)::bigint as maintained
            from rows_in_scope group by card_level, tier
        )
        select * from final
    """,
        params | {"period": period},
    )
    tiers = current_policy(con).tiers

    grid = pd.DataFrame(
        [(card, t.rank, t.code) for card in (*CARD_LEVELS, "none") for t in tiers],
        columns=["card_level", "tier_rank", "tier"],
    )
    frame = grid.merge(counts, on=["card_level", "tier_rank"], how="left")
    frame[["customers", "maintained"]] = frame[["customers", "maintained"]].fillna(0).astype("int64")
    frame["aum"] = frame["aum"].fillna(0)
    return frame[["card_level", "tier", "tier_rank", "customers", "aum", "maintained"]]


def relationship_types(con: duckdb.DuckDBPyConnection, period: date, scope: Scope) -> pd.DataFrame:
    """Customers and AUM per tier x relationship type x product-preference type at one month end.

    口径: relationship: existing VIP (vip) = maintained and holding one of the policy's VIP cards; to be won
    (to_win) = maintained without one; potential = not maintained with basis at least `near_share` of the
    maintained bound, or grown by at least `growth_rate` since the month end before; general = the rest.
    preference: deposit-heavy (deposit) = deposits at least `deposit_share` of deposits + wealth + funds +
    insurance; fee-business-heavy (fee) = the other three at least `fee_share`; balanced in between; unknown =
    no balances. Thresholds from the policy's [relationship] and [preference]. Returns columns: tier, tier_rank,
    relationship, preference, customers, aum, customer_share (of the month end's customers in scope).
    """
    condition, params = scope.sql()
    frame = fetch(
        con,
        f"""
        with rows_in_scope as (
            select tier, relationship, preference, customers, aum
            from segment_summary where period = $period and {condition}
        ),
        final as (
            select tier as tier_rank, relationship, preference, sum(customers)::bigint as customers,
                   sum(aum) as aum, sum(customers) / sum(sum(customers)) over () as customer_share
            from rows_in_scope group by tier, relationship, preference
        )
        select * from final order by tier_rank, relationship desc, preference
    """,
        params | {"period": period},
    )
    codes = [t.code for t in current_policy(con).tiers]
    frame.insert(0, "tier", [codes[int(r)] for r in frame["tier_rank"]])
    frame["relationship"] = [RELATIONSHIPS[int(r)] for r in frame["relationship"]]
    frame["preference"] = [PREFERENCES[int(p)] for p in frame["preference"]]
    return frame
