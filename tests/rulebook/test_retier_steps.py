"""store.tiering.retier (each period's path from the path just computed before it, the changed rows written once at
the end) against the plain reading of the same rule: each period re-tiered in order by updating its rows from the
stored rows of the period before, on a small random bank, switching the buffer on and off, with and without the
maintained rules' extra bounds, and after one month's balances change."""

from __future__ import annotations

import random
from datetime import date

import duckdb
import pytest

from analytics.core.sql import transaction
from analytics.store.connection import connect
from analytics.store.tiering import PATH_COLUMNS, path_sql, retier, step_params
from tests.helpers.rulebook import rulebook_policy

PERIODS = [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30), date(2026, 5, 31)]
AMOUNTS = [0, 30_000, 46_000, 49_999, 50_000, 80_000, 91_000, 99_999, 150_000, 185_000, 250_000, 1_900_000, 2_500_000]


def _bank(path, seed: int) -> duckdb.DuckDBPyConnection:
    """60 customers over five month ends: random balances near the bounds, some months missing or closed."""
    rng = random.Random(seed)
    con = connect(path)
    rows = []
    for k in range(60):
        age, card = rng.choice([None, 35, 59, 65]), rng.choice(["普卡", "金卡"])
        for period in PERIODS:
            if rng.random() < 0.1:
                continue  # no row this month
            aum = rng.choice(AMOUNTS)
            status = "closed" if rng.random() < 0.05 else "active"
            rows.append((period, f"C{k:02}", "B1", age, card, status, aum, rng.choice([0, aum]), rng.random() * 2e4))
    values = ", ".join(
        f"('{p}', '{c}', 'B1', {a or 'null'}, '{card}', '{st}', {aum}, {dep}, {m:.2f})"
        for p, c, _, a, card, st, aum, dep, m in rows
    )
    con.execute(
        "insert into customer_snapshot (period, customer_id, branch_id, age, card_level, status, aum, "
        f"deposit_balance, depository_margin) values {values}"
    )
    con.execute("insert into period_source select unnest($p::date[]), 0, 'x', 'x', 0, 0", {"p": PERIODS})
    return con


def _reference(con: duckdb.DuckDBPyConnection, policy, start: int = 0) -> None:
    """Every period from `start` on re-tiered in order, its rows updated from the stored rows of the period before."""
    select, params = path_sql(policy)
    assignments = ", ".join(f"{c} = x.{c}" for c in PATH_COLUMNS)
    for i in range(start, len(PERIODS)):
        con.execute(
            f"update customer_snapshot s set {assignments} from ({select}) x "
            "where s.period = $p and s.customer_id = x.customer_id",
            params | step_params(PERIODS[i], PERIODS[i - 1] if i else None),
        )


def _paths(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute(
        f"select period, customer_id, {', '.join(PATH_COLUMNS)} from customer_snapshot order by 1, 2"
    ).fetchall()


@pytest.mark.parametrize("seed", [1])
def test_retier_equals_the_period_by_period_update(tmp_path, seed):
    ours, theirs = _bank(tmp_path / "a.duckdb", seed), _bank(tmp_path / "b.duckdb", seed)
    for buffer in (False, True, False):  # from nothing, then the buffer switched on, then off again
        policy = rulebook_policy(buffer=buffer)
        with transaction(ours):
            changed = retier(ours, policy, None)
        before = _paths(theirs)
        _reference(theirs, policy)
        after = _paths(theirs)
        assert _paths(ours) == after
        assert changed == {row[0] for row, old in zip(after, before, strict=True) if row != old}
    held = sum(1 for row in _paths(ours) if row[3] is not None and row[3] > row[2])
    assert held == 0  # back without the buffer: no tier above its bounds


def test_retier_of_a_changed_month_follows_the_later_months(tmp_path):
    ours, theirs = _bank(tmp_path / "a.duckdb", 3), _bank(tmp_path / "b.duckdb", 3)
    policy = rulebook_policy(buffer=True)
    for con in (ours, theirs):
        retier(con, policy, None)
        con.execute("update customer_snapshot set aum = aum * 0.8 where period = $p", {"p": PERIODS[1]})
    with transaction(ours):
        changed = retier(ours, policy, {PERIODS[1]})
    _reference(theirs, policy, start=1)
    assert _paths(ours) == _paths(theirs)
    assert PERIODS[1] in changed and PERIODS[0] not in changed


@pytest.mark.parametrize("buffer", [False, True])
def test_the_month_before_is_kept_on_each_row(tmp_path, buffer):
    """aum_before / rules_before against a plain self-join: the row's AUM and maintained rules at the calendar month
    before when present there (not closed), else null and 0; none across a month that is not loaded."""
    con = _bank(tmp_path / "a.duckdb", 5)
    gap = PERIODS[2]
    con.execute("delete from customer_snapshot where period = $p", {"p": gap})
    con.execute("delete from period_source where period = $p", {"p": gap})
    with transaction(con):
        retier(con, rulebook_policy(buffer=buffer), None)
    rows = con.execute(
        """
        select c.period, c.customer_id, c.aum_before, c.rules_before, p.aum, coalesce(p.maintained_rules, 0)
        from customer_snapshot c
        left join customer_snapshot p on p.customer_id = c.customer_id and p.status <> 'closed'
                                     and p.period = last_day(c.period - interval 1 month)
        order by 1, 2
    """
    ).fetchall()
    assert [r[2:4] for r in rows] == [r[4:6] for r in rows]
    after_gap = [r for r in rows if r[0] == PERIODS[3]]
    assert after_gap and all(r[2] is None and r[3] == 0 for r in after_gap)
    assert sum(1 for r in rows if r[2] is not None) > 60 and sum(1 for r in rows if r[3] > 0) > 30
