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


def test_load_files_changed_file_replaces_its_period(db, tmp_path):
    first = write_csv(
        tmp_path / "a.csv",
        [HEADER, ["2026-09-30", "1", "B1", "10"], ["2026-09-30", "2", "B1", "20"], ["2026-08-31", "1", "B1", "5"]],
    )
    second = write_csv(tmp_path / "b.csv", [HEADER, ["2026-09-30", "3", "B2", "70000"]])
    load_files(db, [first, second])
    # September now holds only customer 3 (70,000: emerging); August is untouched
    assert db.execute("select period, customer_id, aum, tier from customer_snapshot order by period").fetchall() == [
        (date(2026, 8, 31), "1", Decimal("5.00"), 0),
        (date(2026, 9, 30), "3", Decimal("70000.00"), 1),
    ]
    assert db.execute(
        "select branch_id, tier, customers, maintained from tier_summary where period = '2026-09-30'"
    ).fetchall() == [("B2", 1, 1, 1)]
    # Aug -> Sep: customer 1 exited (mass -> exited), customer 3 is new (new -> emerging)
    assert db.execute("select from_tier, to_tier, customers from migration_summary order by from_tier").fetchall() == [
        (-1, 1, 1),
        (0, -1, 1),
    ]


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
    for fraction in (0.15, 0.35, 0.55, 0.75, 0.9):
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
    assert outcomes.count("previous") >= 3, outcomes  # most kills landed before the commit
    # after all the kills, a normal load still works and gives the full file
    with connect(db_path) as con:
        (result,) = load_files(con, [big])
        assert result.outcome == ("unchanged" if "complete" in outcomes else "loaded")
        assert _state(con) == complete
