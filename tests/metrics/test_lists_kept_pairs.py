"""The lists that compare two month ends read the customers kept per quarter pair (pair_customers) and give the
live answer: on the hand-made fixture bank (tests/helpers/fixture_bank.py) and on a small demo bank."""

import duckdb
import pandas as pd
import pytest

from analytics.core.scope import Scope
from analytics.lists.actions import at_risk_customers, churned_high_value
from analytics.lists.explorer import CustomerFilter, find_customers
from analytics.lists.migration_cell import MOVES, migration_customers
from analytics.store.catalog import loaded_periods
from analytics.store.derived import pair_customers
from tests.helpers.fixture_bank import P1, P2, P3, fixture_bank

ALL = Scope()
B01 = Scope(branches=frozenset({"B01"}))


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    return fixture_bank(tmp_path_factory.mktemp("kept") / "t.duckdb")


def _lists(start, end):
    """Every kept-pair list of (start, end) as a function of (con, precomputed, scope)."""
    falling = CustomerFilter(tiers=("wealth", "affluent"), change_months=3, change_max=-0.04)
    rising = CustomerFilter(maintained_only=True, aum_min=50_000.0, change_months=3, change_min=0.05)
    calls = {
        f"move {m}": lambda c, p, s, m=m: migration_customers(c, start, end, s, move=m, precomputed=p, limit=None)
        for m in MOVES
    }
    calls |= {
        "cell wealth->affluent": lambda c, p, s: migration_customers(
            c, start, end, s, "wealth", "affluent", precomputed=p, limit=None
        ),
        "at risk": lambda c, p, s: at_risk_customers(c, end, s, 3, 0.04, precomputed=p, limit=None),
        "churned": lambda c, p, s: churned_high_value(c, start, end, s, min_tier="emerging", precomputed=p),
        "falling": lambda c, p, s: find_customers(c, end, s, falling, precomputed=p, limit=None),
        "rising": lambda c, p, s: find_customers(c, end, s, rising, "change_rate", False, precomputed=p),
        "before": lambda c, p, s: find_customers(c, end, s, CustomerFilter(change_months=3), precomputed=p),
    }
    return calls


def _same(con: duckdb.DuckDBPyConnection, start, end, scopes) -> int:
    """Assert every list equals its live answer (rows, order, columns, types, count); the rows compared."""
    compared = 0
    for name, call in _lists(start, end).items():
        for scope in scopes:
            kept, live = call(con, True, scope), call(con, False, scope)
            pd.testing.assert_frame_equal(kept, live, obj=name)
            assert kept.attrs["total_rows"] == live.attrs["total_rows"], name
            compared += len(kept)
    return compared


def test_the_load_keeps_each_customer_of_consecutive_quarter_ends(con):
    assert pair_customers.kept(con, P1, P2) and pair_customers.kept(con, P2, P3)
    assert not pair_customers.kept(con, P1, P3)  # not consecutive quarters: the lists compute it live
    # present (a row not closed) at P2 or at P3: 17 at P2 (all but C06 closed, C16 and C20 absent), plus C20
    rows = con.execute(
        "select count(*) from pair_customers where period_from = $a and period_to = $b", {"a": P2, "b": P3}
    )
    assert rows.fetchone()[0] == 18


def test_moved_down_from_the_kept_pair_by_hand(con):
    # present at both quarter ends in a lower tier at P3: C04 P->W, C08 A->M, C11 E->M, C17 A->M, C18 W->A;
    # listed under the unit at P2 (C17 and C18 were B02's then)
    down = migration_customers(con, P2, P3, ALL, move="down", limit=None)
    assert sorted(down["customer_id"]) == ["C04", "C08", "C11", "C17", "C18"]
    assert down.attrs["total_rows"] == 5
    assert sorted(migration_customers(con, P2, P3, B01, move="down")["customer_id"]) == ["C04", "C08", "C11"]
    # C18 at P3 is B01/M2's: in B01's at-risk list with the end row's unit (200,000 -> 190,000, -5%)
    risk = at_risk_customers(con, P3, B01, min_drop=0.04, reveal=True)
    assert risk["customer_id"].tolist() == ["C04", "C18"]
    assert risk.set_index("customer_id").loc["C18", ["branch_id", "manager_id"]].tolist() == ["B01", "M2"]


def test_kept_lists_equal_the_live_lists_on_the_fixture_bank(con):
    assert _same(con, P2, P3, [ALL, B01, Scope.nothing()]) > 0
    assert _same(con, P1, P2, [Scope(managers=frozenset({"M3"}))]) > 0


def test_kept_lists_equal_the_live_lists_on_a_demo_bank(demo_db):
    con = duckdb.connect(str(demo_db), read_only=True)
    ends = [p for p in loaded_periods(con) if p.month % 3 == 0]
    start, end = ends[-2], ends[-1]
    assert pair_customers.kept(con, start, end)
    branch = con.execute("select min(branch_id) from customer_snapshot").fetchone()[0]
    assert _same(con, start, end, [ALL, Scope(branches=frozenset({branch}))]) > 100
