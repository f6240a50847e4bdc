"""Loads are all-or-nothing per file, idempotent per period, and survive being killed at any moment."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

from analytics.core.policy import load_policy
from analytics.store.connection import connect
from analytics.store.load import load_files
from tests.helpers.extracts import write_csv
from tests.helpers.paths import ROOT

HEADER = ["日期", "客户号", "网点号", "金融资产"]


def _state(con) -> list[tuple]:
    """Everything a user could see: rows per period with AUM, derived totals, and the periods recorded."""
    return con.execute("""
        select 'snapshot', period, count(*), sum(aum) from customer_snapshot group by period
        union all select 'tiers', period, sum(customers), sum(aum) from tier_summary group by period
        union all select 'pairs', period_to, sum(customers), sum(coalesce(aum_to, 0)) from migration_summary group by period_to
        union all select 'source', period, rows, aum_total from period_source
        order by 1, 2
    """).fetchall()


def test_load_files_same_file_again_changes_nothing_and_says_so(db, tmp_path):
    path = write_csv(tmp_path / "m.csv", [HEADER, ["2026-09-30", "1", "B1", "10"], ["2026-09-30", "2", "B1", "20"]])
    assert load_files(db, [path])[0].outcome == "loaded"
    before = _state(db)
    (again,) = load_files(db, [path])
    assert again.outcome == "unchanged" and "already loaded" in again.summary()
    assert _state(db) == before
    assert [
        r[0] for r in db.execute("select outcome from load_log where outcome <> 'policy' order by load_id").fetchall()
    ] == ["loaded", "unchanged"]


def test_load_files_whole_month_file_replaces_the_branches_it_holds(db, tmp_path):
    first = write_csv(
        tmp_path / "a.csv",
        [HEADER, ["2026-09-30", "1", "B1", "10"], ["2026-09-30", "2", "B1", "20"], ["2026-08-31", "1", "B1", "5"]],
    )
    second = write_csv(tmp_path / "b.csv", [HEADER, ["2026-09-30", "3", "B1", "70000"]])
    load_files(db, [first, second])
    # September's B1 now holds only customer 3 (70,000: emerging); August is untouched
    assert db.execute("select period, customer_id, aum, tier from customer_snapshot order by period").fetchall() == [
        (date(2026, 8, 31), "1", Decimal("5.00"), 0),
        (date(2026, 9, 30), "3", Decimal("70000.00"), 1),
    ]
    assert db.execute(
        "select branch_id, tier, customers, maintained from tier_summary where period = '2026-09-30'"
    ).fetchall() == [("B1", 1, 1, 1)]
    # Aug -> Sep: customer 1 exited (mass -> exited), customer 3 is new (new -> emerging)
    assert db.execute("select from_tier, to_tier, customers from migration_summary order by from_tier").fetchall() == [
        (-1, 1, 1),
        (0, -1, 1),
    ]


def _sep(db) -> list[tuple]:
    return db.execute(
        "select branch_id, customer_id, aum from customer_snapshot where period = '2026-09-30' order by all"
    ).fetchall()


def _branch_files(tmp_path: Path) -> tuple[Path, Path, Path]:
    """September per branch: 3101 (customers 1, 2), 3102 (3), and a corrected 3102 (3 changed, 4 added)."""
    b3101 = write_csv(
        tmp_path / "3101.csv", [HEADER, ["2026-09-30", "1", "3101", "10"], ["2026-09-30", "2", "3101", "20"]]
    )
    b3102 = write_csv(tmp_path / "3102.csv", [HEADER, ["2026-09-30", "3", "3102", "70000"]])
    fixed = write_csv(
        tmp_path / "3102-fixed.csv", [HEADER, ["2026-09-30", "3", "3102", "80000"], ["2026-09-30", "4", "3102", "5"]]
    )
    return b3101, b3102, fixed


def test_load_files_two_branch_files_of_one_month_give_their_union(db, tmp_path):
    b3101, b3102, _ = _branch_files(tmp_path)
    first, second = load_files(db, [b3101, b3102])
    assert (first.outcome, first.kept_branches) == ("loaded", {})
    assert (second.outcome, second.kept_branches) == ("loaded", {date(2026, 9, 30): ["3101"]})
    assert second.summary().endswith("; kept from earlier loads: 3101")
    assert _sep(db) == [
        ("3101", "1", Decimal("10.00")),
        ("3101", "2", Decimal("20.00")),
        ("3102", "3", Decimal("70000.00")),
    ]
    # the month as a whole: 3 rows, 10 + 20 + 70,000; both files named as its sources
    assert db.execute("select rows, aum_total, file_name from period_source").fetchall() == [
        (3, Decimal("70030.00"), f"{b3101}, {b3102}")
    ]
    assert db.execute("select branch_id, sum(customers) from tier_summary group by all order by 1").fetchall() == [
        ("3101", 2),
        ("3102", 1),
    ]
    message = db.execute("select message from load_log where file_name = $f", {"f": str(b3102)}).fetchone()[0]
    assert message == "kept from earlier loads: 3101"


def test_load_files_corrected_branch_file_replaces_only_that_branch(db, tmp_path):
    b3101, b3102, fixed = _branch_files(tmp_path)
    load_files(db, [b3101, b3102])
    (result,) = load_files(db, [fixed])
    assert result.kept_branches == {date(2026, 9, 30): ["3101"]}
    # 3101 as it was; 3102 is the corrected file's: customer 3 at 80,000 and customer 4 added
    assert _sep(db) == [
        ("3101", "1", Decimal("10.00")),
        ("3101", "2", Decimal("20.00")),
        ("3102", "3", Decimal("80000.00")),
        ("3102", "4", Decimal("5.00")),
    ]
    assert db.execute("select rows, aum_total from period_source").fetchall() == [(4, Decimal("80035.00"))]
    assert db.execute("select branch_id, rows, file_name from branch_source order by 1").fetchall() == [
        ("3101", 2, str(b3101)),
        ("3102", 2, str(fixed)),
    ]


def test_load_files_a_branch_file_again_changes_nothing_but_an_older_one_restores_its_branch(db, tmp_path):
    b3101, b3102, fixed = _branch_files(tmp_path)
    load_files(db, [b3101, b3102, fixed])
    before = _state(db)
    assert [r.outcome for r in load_files(db, [b3101, fixed])] == ["unchanged", "unchanged"]
    assert _state(db) == before
    # the first 3102 file was replaced by the correction: loading it again is a change (customer 3 back to
    # 70,000, customer 4 gone), and 3101 stays
    (again,) = load_files(db, [b3102])
    assert again.outcome == "loaded"
    assert _sep(db) == [
        ("3101", "1", Decimal("10.00")),
        ("3101", "2", Decimal("20.00")),
        ("3102", "3", Decimal("70000.00")),
    ]


def test_load_files_replace_period_removes_the_branches_not_in_the_file(db, tmp_path):
    b3101, b3102, fixed = _branch_files(tmp_path)
    load_files(db, [b3101, b3102])
    (result,) = load_files(db, [fixed], replace_period=True)
    assert (result.outcome, result.removed_branches, result.kept_branches) == (
        "loaded",
        {date(2026, 9, 30): ["3101"]},
        {},
    )
    assert _sep(db) == [("3102", "3", Decimal("80000.00")), ("3102", "4", Decimal("5.00"))]
    assert db.execute("select period, rows, aum_total, file_name from period_source").fetchall() == [
        (date(2026, 9, 30), 2, Decimal("80005.00"), str(fixed))
    ]
    assert db.execute("select branch_id from branch_source").fetchall() == [("3102",)]
    assert db.execute("select branch_id, sum(customers) from tier_summary group by all").fetchall() == [("3102", 2)]
    assert load_files(db, [fixed], replace_period=True)[0].outcome == "unchanged"


def test_cli_load_says_which_branches_it_kept_and_which_a_replaced_period_removed(tmp_path, capsys):
    from analytics.cli.main import main

    b3101, b3102, fixed = _branch_files(tmp_path)
    db_path = tmp_path / "bank.duckdb"
    assert main(["load", "--db", str(db_path), str(b3101), str(b3102)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1] == f"{b3102}: loaded: 1 rows, AUM 70,000.00, periods 2026-09-30; kept from earlier loads: 3101"
    assert main(["load", "--db", str(db_path), "--replace-period", str(fixed)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"{fixed}: loaded: 2 rows, AUM 80,005.00, periods 2026-09-30; "
        "whole periods replaced; removed branches not in the file: 3101"
    ]


def test_load_files_rejects_a_customer_already_loaded_under_another_branch(db, tmp_path):
    b3101, _, _ = _branch_files(tmp_path)
    load_files(db, [b3101])
    before = _state(db)
    # customer 2 is 3101's in September; this 3103 file has it on line 3
    moved = write_csv(
        tmp_path / "3103.csv", [HEADER, ["2026-09-30", "7", "3103", "1"], ["2026-09-30", "2", "3103", "9"]]
    )
    (result,) = load_files(db, [moved])
    assert result.outcome == "rejected"
    assert [(p.line, p.column, p.value) for p in result.problems] == [(3, "customer_id", "2")]
    reason = result.problems[0].reason
    assert "under branch 3101" in reason and f"from {b3101}" in reason and "here under branch 3103" in reason
    assert _state(db) == before
    # a re-export of the whole month may move the customer: then 3101 is gone
    assert load_files(db, [moved], replace_period=True)[0].outcome == "loaded"
    assert _sep(db) == [("3103", "2", Decimal("9.00")), ("3103", "7", Decimal("1.00"))]


def test_load_files_customer_moving_between_branches_the_file_holds_is_no_duplicate(db, tmp_path):
    b3101, _, _ = _branch_files(tmp_path)
    load_files(db, [b3101])
    both = write_csv(
        tmp_path / "both.csv", [HEADER, ["2026-09-30", "1", "3101", "10"], ["2026-09-30", "2", "3102", "20"]]
    )
    (result,) = load_files(db, [both])
    assert result.outcome == "loaded" and result.kept_branches == {}
    assert _sep(db) == [("3101", "1", Decimal("10.00")), ("3102", "2", Decimal("20.00"))]


def test_load_files_database_loaded_before_branch_sources_gets_them_from_its_periods(db, tmp_path):
    b3101, b3102, _ = _branch_files(tmp_path)
    load_files(db, [b3101])
    db.execute("delete from branch_source")  # as a database written before the table existed
    # 3101's rows are credited to the file of their period: loading it again changes nothing
    assert load_files(db, [b3101])[0].outcome == "unchanged"
    assert db.execute("select branch_id, rows, aum_total, file_name from branch_source").fetchall() == [
        ("3101", 2, Decimal("30.00"), str(b3101))
    ]
    assert load_files(db, [b3102])[0].kept_branches == {date(2026, 9, 30): ["3101"]}


def test_load_files_bound_belongs_to_the_upper_tier(db, tmp_path):
    amounts = ["-5", "0", "49999.99", "50000", "99999.99", "100000", "199999.99", "200000", "1999999.99", "2000000"]
    path = write_csv(
        tmp_path / "bounds.csv", [HEADER, *[["2026-09-30", str(i), "B1", a] for i, a in enumerate(amounts)]]
    )
    load_files(db, [path])
    tiers = [r[0] for r in db.execute("select tier from customer_snapshot order by customer_id::int").fetchall()]
    assert tiers == [0, 0, 0, 1, 1, 2, 2, 3, 3, 4]


def test_load_files_policy_option_retiers_history(db, tmp_path):
    path = write_csv(
        tmp_path / "h.csv", [HEADER, ["2026-08-31", "1", "B1", "40000"], ["2026-09-30", "1", "B1", "45000"]]
    )
    load_files(db, [path])
    assert db.execute("select tier from customer_snapshot order by period").fetchall() == [(0,), (0,)]
    looser = tmp_path / "looser.toml"
    looser.write_text(load_policy().text.replace("min_aum = 50000", "min_aum = 30000"), encoding="utf-8")
    load_files(db, [], policy=load_policy(looser))
    # with emerging from 3万, both months of customer 1 are emerging and maintained
    assert db.execute("select tier from customer_snapshot order by period").fetchall() == [(1,), (1,)]
    assert db.execute("select sum(maintained) from tier_summary").fetchall() == [(2,)]
    assert db.execute("select source from policy_in_force").fetchall() == [(str(looser),)]
    assert db.execute(
        "select rows from load_log where outcome = 'policy' order by load_id desc limit 1"
    ).fetchall() == [(2,)]


def _big_extract(path: Path, customers: int) -> Path:
    lines = ["日期,客户号,网点号,金融资产"] + [
        f"2026-09-30,{i:08d},B{i % 40:02d},{i % 250_000}.{i % 100:02d}" for i in range(customers)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="gbk")
    return path


LOADER = (
    "import sys; from pathlib import Path; from analytics.store.connection import connect; from analytics.store.load import "
    "load_files; con = connect(sys.argv[1]); print(load_files(con, [Path(sys.argv[2])])[0].outcome, flush=True)"
)


def test_load_files_killed_at_any_moment_leaves_the_previous_state(tmp_path):
    db_path = tmp_path / "bank.duckdb"
    small = write_csv(tmp_path / "aug.csv", [HEADER, ["2026-08-31", "1", "B1", "10"], ["2026-09-30", "9", "B9", "99"]])
    with connect(db_path) as con:
        load_files(con, [small])
        previous = _state(con)
    big = _big_extract(tmp_path / "sep.csv", 200_000)
    durations = []
    for attempt in range(2):  # the faster of two: timed while the other xdist worker was busy, one may run slow
        timing_db = tmp_path / f"timing-{attempt}.duckdb"
        with connect(timing_db) as con:
            load_files(con, [small])
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-c", LOADER, str(timing_db), str(big)], cwd=ROOT, check=True, capture_output=True
        )
        durations.append(time.perf_counter() - started)
    duration = min(durations)
    with connect(timing_db, read_only=True) as con:
        complete = _state(con)  # what a load that finished leaves: small's August, big's September
    outcomes = []
    # early kills as well as late ones: the timing runs may have been slowed by the other worker more than this one
    for fraction in (0.05, 0.1, 0.2, 0.35, 0.55, 0.75, 0.9):
        process = subprocess.Popen(
            [sys.executable, "-c", LOADER, str(db_path), str(big)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        time.sleep(duration * fraction)
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        with connect(db_path, read_only=True) as con:
            state = _state(con)
        assert state in (previous, complete), f"killed at {fraction:.0%} of the load: a half-loaded state"
        outcomes.append("previous" if state == previous else "complete")
    assert outcomes.count("previous") >= 3, outcomes  # the early kills landed before the commit
    # after all the kills, a normal load still works and gives the full file
    with connect(db_path) as con:
        (result,) = load_files(con, [big])
        assert result.outcome == ("unchanged" if "complete" in outcomes else "loaded")
        assert _state(con) == complete
