"""Properties of the tier path over random balances, against a plain-Python reading of design.md §4 tier(c, p)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics.store.connection import connect
from analytics.store.load import load_files
from tests.helpers.extracts import write_csv
from tests.helpers.rulebook import rulebook_policy

PERIODS = [date(2026, m, d) for m, d in ((1, 31), (2, 28), (3, 31), (4, 30), (5, 31), (6, 30))]
BOUNDS = [Decimal(0), Decimal(50_000), Decimal(100_000), Decimal(200_000), Decimal(2_000_000)]
balances = st.one_of(st.none(), st.sampled_from([0, 30_000, 46_000, 49_999, 50_000, 80_000, 91_000, 99_999, 150_000,
                                                 185_000, 250_000, 1_900_000, 2_500_000]))  # fmt: skip
paths = st.lists(st.lists(balances, min_size=6, max_size=6), min_size=1, max_size=12)


def raw(amount: Decimal) -> int:
    return max(rank for rank, bound in enumerate(BOUNDS) if amount >= bound or rank == 0)


def expected_path(amounts: list[int | None], margin: Decimal, after: int) -> list[int | None]:
    tiers: list[int | None] = []
    strikes = 0
    for i, amount in enumerate(amounts):
        previous = tiers[i - 1] if i else None
        if amount is None:
            tiers.append(None)
            continue
        value = Decimal(amount)
        if previous is None or raw(value) >= previous:
            tier, strikes = raw(value), 0
        elif value >= (1 - margin) * BOUNDS[previous]:
            tier, strikes = previous, 0
        elif strikes + 1 < after:
            tier, strikes = previous, strikes + 1
        else:
            tier, strikes = raw(value), 0
        tiers.append(tier)
    return tiers


def _load(folder, customers, policy):
    files = []
    for i, period in enumerate(PERIODS):
        rows = [["period", "customer_id", "branch_id", "aum"], [period.isoformat(), "Z", "B1", 1]]  # every month loads
        rows += [
            [period.isoformat(), f"C{k:02}", "B1", path[i]] for k, path in enumerate(customers) if path[i] is not None
        ]
        files.append(write_csv(folder / f"{period}.csv", rows))
    con = connect(folder / "bank.duckdb")
    results = load_files(con, files, policy)
    assert all(r.outcome == "loaded" for r in results)
    stored = {}
    for cid, period, tier, raw_tier in con.execute(
        "select customer_id, period, tier, raw_tier from customer_snapshot order by all"
    ).fetchall():
        stored.setdefault(cid, [(None, None)] * len(PERIODS))[PERIODS.index(period)] = (tier, raw_tier)
    con.close()
    return stored


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(customers=paths, buffer=st.booleans())
def test_retier_matches_the_definition_and_its_bounds(tmp_path_factory, customers, buffer):
    customers = [c for c in customers if any(a is not None for a in c)] or [[50_000] * 6]
    stored = _load(tmp_path_factory.mktemp("bank"), customers, rulebook_policy(buffer=buffer))
    margin, after = (Decimal("0.10"), 2) if buffer else (Decimal(0), 1)
    for k, amounts in enumerate(customers):
        tiers = [t for t, _ in stored.get(f"C{k:02}", [(None, None)] * 6)]
        raws = [r for _, r in stored.get(f"C{k:02}", [(None, None)] * 6)]
        assert tiers == expected_path(amounts, margin, after)
        for i, (tier, raw_tier) in enumerate(zip(tiers, raws)):
            if tier is None:
                continue
            assert tier >= raw_tier  # never below the bounds
            if not buffer:
                assert tier == raw_tier
            elif i and tiers[i - 1] is not None and raw_tier <= tiers[i - 1]:
                assert tier <= tiers[i - 1]  # never above last month's tier unless the bounds say so
