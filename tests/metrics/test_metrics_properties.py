"""Properties that must hold on any data: random small banks of a few dozen customers over three quarter ends."""

from __future__ import annotations

import csv
import tempfile
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from analytics.core.policy import load_policy
from analytics.core.scope import Scope
from analytics.metrics.churn import churn_by_unit
from analytics.metrics.distribution import tier_distribution
from analytics.metrics.migration import migration_matrix
from analytics.metrics.scorecard import scorecard
from tests.helpers.fixture_bank import P1, P2, P3, load

PERIODS = (P1, P2, P3)
POLICY = load_policy()
BOUNDS = [t.min_aum for t in POLICY.tiers]
MAINTAINED = POLICY.maintained_rank
# amounts around every bound of data/policy.toml, and under the attrition floor
AMOUNTS = [
    "0",
    "50",
    "30000",
    "49999.99",
    "50000",
    "99999.99",
    "100000",
    "150000",
    "200000",
    "1999999.99",
    "2000000",
    "-10",
]
IN_SCOPE = Scope(branches=frozenset({"B1", "B2"}))
SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])

state = st.one_of(
    st.none(),
    st.tuples(
        st.integers(0, 1),
        st.sampled_from([None, "M1", "M2"]),
        st.sampled_from(AMOUNTS),
        st.integers(0, 4),
        st.booleans(),
    ),
)
customer = st.tuples(st.sampled_from(["B1", "B2", "B3"]), st.lists(state, min_size=3, max_size=3))
banks = st.lists(customer, min_size=3, max_size=30)


def rows_of(bank: list, prefix: str = "C") -> list[dict]:
    """Extract rows: customers homed in B3 stay there; the others move between B1 and B2."""
    rows = []
    for i, (home, states) in enumerate(bank):
        for period, s in zip(PERIODS, states):
            if s is None:
                continue
            move, manager, amount, products, closed = s
            branch = "B3" if home == "B3" else ("B1", "B2")[move]
            rows.append(
                {
                    "period": period.isoformat(),
                    "customer_id": f"{prefix}{i:03d}",
                    "branch_id": branch,
                    "sub_branch": "S2" if branch == "B3" else "S1",
                    "region": "R2" if branch == "B3" else "R1",
                    "manager_id": f"{branch}-{manager}" if manager else "",
                    "aum": amount,
                    "product_count": products,
                    "status": "closed" if closed and amount == "0" else "active",
                }
            )
    return rows


def load_rows(rows: list[dict]):
    """An in-memory database with `rows` loaded through the real ingest path."""
    columns = [
        "period",
        "customer_id",
        "branch_id",
        "sub_branch",
        "region",
        "manager_id",
        "aum",
        "product_count",
        "status",
    ]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "extract.csv"
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns)
            writer.writeheader()
            writer.writerows(rows)
        return load(":memory:", [path], POLICY)


def covers(rows: list[dict]) -> bool:
    """Every period has a row (so that all three are loaded)."""
    return {r["period"] for r in rows} == {p.isoformat() for p in PERIODS}


def tier_of(row: dict) -> int | None:
    """An independent tiering: the number of bounds at or below the amount, minus one; None when closed."""
    if row["status"] == "closed":
        return None
    return max(sum(1 for b in BOUNDS if Decimal(row["aum"]) >= b) - 1, 0)


def present(rows: list[dict], period) -> dict[str, int]:
    return {r["customer_id"]: tier_of(r) for r in rows if r["period"] == period.isoformat() and tier_of(r) is not None}


@SETTINGS
@given(banks)
def test_migration_matrix_rows_sum_to_the_start_and_new_to_the_end(bank):
    rows = rows_of(bank)
    assume(covers(rows))
    con = load_rows(rows)
    matrix = migration_matrix(con, P1, P2, Scope())
    start, end = present(rows, P1), present(rows, P2)
    row_sums = matrix.groupby("from_rank")["customers"].sum()
    for rank in range(len(BOUNDS)):
        assert row_sums[rank] == sum(1 for t in start.values() if t == rank)
    assert row_sums[-1] == len(set(end) - set(start))
    column_sums = matrix.groupby("to_rank")["customers"].sum()
    assert column_sums[-1] == len(set(start) - set(end))
    stock = tier_distribution(con, Scope(), periods=[P2]).set_index("tier_rank")["customers"]
    for rank, customers in stock.items():
        assert column_sums[rank] == customers


@SETTINGS
@given(banks)
def test_churn_by_unit_churned_plus_kept_is_maintained_at_the_start(bank):
    rows = rows_of(bank)
    assume(covers(rows))
    con = load_rows(rows)
    churn = churn_by_unit(con, P2, P3, "branch", Scope(), by_tier=False).set_index("unit")
    matrix = migration_matrix(con, P2, P3, Scope(), "branch")
    kept = matrix[(matrix["from_rank"] >= MAINTAINED) & (matrix["to_rank"] >= MAINTAINED)]
    kept = kept.groupby("unit")["customers"].sum()
    start = present(rows, P2)
    for unit, r in churn.iterrows():
        assert r.churned + kept.get(unit, 0) == r.maintained_start
    assert churn["maintained_start"].sum() == sum(1 for t in start.values() if t >= MAINTAINED)


@SETTINGS
@given(banks)
def test_scorecard_counts_roll_up_from_managers_to_branches_to_regions(bank):
    rows = rows_of(bank)
    assume(covers(rows))
    con = load_rows(rows)
    counts = ["maintained_start", "maintained_end", "churned", "upgraded", "covered_end"]
    amounts = ["aum_start", "aum_end"]  # floats from DECIMAL sums: equal up to rounding
    by_branch = scorecard(con, P2, P3, "branch", Scope()).set_index("unit")
    for branch, totals in by_branch.iterrows():
        managers = scorecard(con, P2, P3, "manager", Scope(branches=frozenset({branch})))
        assert managers[counts].sum().tolist() == totals[counts].tolist()
        assert managers[amounts].sum().tolist() == pytest.approx(totals[amounts].tolist())
    by_region = scorecard(con, P2, P3, "region", Scope())
    assert by_region[counts].sum().tolist() == by_branch[counts].sum().tolist()
    assert by_region[amounts].sum().tolist() == pytest.approx(by_branch[amounts].sum().tolist())
    # churn by tier rolls up the same way
    churn_managers = churn_by_unit(con, P2, P3, "manager", Scope())
    churn_branches = churn_by_unit(con, P2, P3, "branch", Scope())
    flows = ["customers_start", "maintained_start", "churned", "attrited"]
    assert churn_managers[flows].sum().tolist() == churn_branches[flows].sum().tolist()


@SETTINGS
@given(
    st.lists(customer, min_size=3, max_size=20),
    st.lists(st.lists(state, min_size=3, max_size=3), max_size=10),
    st.lists(st.lists(state, min_size=3, max_size=3), max_size=10),
)
def test_out_of_scope_branch_never_changes_an_in_scope_result(bank, outside_a, outside_b):
    inside = [c for c in bank if c[0] != "B3"]
    rows = rows_of(inside)
    assume(covers(rows))
    # two banks identical in B1 and B2, with different customers in B3
    con_a = load_rows(rows + rows_of([("B3", s) for s in outside_a], "X"))
    con_b = load_rows(rows + rows_of([("B3", s) for s in outside_b], "Y"))
    pd.testing.assert_frame_equal(
        scorecard(con_a, P2, P3, "manager", IN_SCOPE), scorecard(con_b, P2, P3, "manager", IN_SCOPE)
    )
    pd.testing.assert_frame_equal(
        churn_by_unit(con_a, P2, P3, "branch", IN_SCOPE), churn_by_unit(con_b, P2, P3, "branch", IN_SCOPE)
    )
    pd.testing.assert_frame_equal(migration_matrix(con_a, P1, P3, IN_SCOPE), migration_matrix(con_b, P1, P3, IN_SCOPE))
    pd.testing.assert_frame_equal(tier_distribution(con_a, IN_SCOPE), tier_distribution(con_b, IN_SCOPE))
