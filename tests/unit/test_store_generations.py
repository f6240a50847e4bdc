"""Loads while people work: readers never meet a lock error or a half-loaded period; readers are sealed."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from analytics.store.generations import generation, open_current_reader, open_reader, writing
from analytics.store.load import load_files
from analytics.store.schema import DERIVED_VERSION
from tests.helpers.extracts import write_csv
from tests.helpers.paths import ROOT

HEADER = ["日期", "客户号", "网点号", "金融资产"]


def _month(tmp_path: Path, period: str, customers: int) -> Path:
    rows = [[period, f"{i:07d}", f"B{i % 7}", f"{(i * 7919) % 300_000}.{i % 100:02d}"] for i in range(customers)]
    return write_csv(tmp_path / f"m-{period}.csv", [HEADER, *rows], encoding="gbk")


def _consistent(con: duckdb.DuckDBPyConnection) -> bool:
    """Every loaded period's rows, derived customers and recorded row count agree."""
    rows = (
        con.cursor()
        .execute("""
        select s.period, s.rows, t.customers, c.rows
        from period_source s
        left join (select period, sum(customers) as customers from tier_summary group by period) t using (period)
        left join (select period, count(*) as rows from customer_snapshot group by period) c using (period)
    """)
        .fetchall()
    )
    return all(recorded == derived == counted for _, recorded, derived, counted in rows)


def test_open_reader_keeps_its_generation_while_a_writer_replaces_the_file(tmp_path):
    db = tmp_path / "bank.duckdb"
    with writing(db) as con:
        load_files(con, [_month(tmp_path, "2026-08-31", 10)])
    old = open_reader(db)
    before = generation(db)
    with writing(db) as con:
        load_files(con, [_month(tmp_path, "2026-09-30", 20)])
    assert generation(db) != before
    # the old reader still answers from its generation: 10 customers in one period
    assert old.cursor().execute("select count(*) from customer_snapshot").fetchall() == [(10,)]
    new = open_reader(db)
    assert new.cursor().execute("select count(*) from customer_snapshot").fetchall() == [(30,)]
    assert not list(tmp_path.glob("bank.duckdb.loading*"))


def test_writing_leaves_the_file_untouched_when_the_block_fails(tmp_path):
    db = tmp_path / "bank.duckdb"
    with writing(db) as con:
        load_files(con, [_month(tmp_path, "2026-08-31", 5)])
    digest = hashlib.sha256(db.read_bytes()).hexdigest()
    with pytest.raises(RuntimeError):
        with writing(db) as con:
            load_files(con, [_month(tmp_path, "2026-09-30", 5)])
            raise RuntimeError("disk full")
    assert hashlib.sha256(db.read_bytes()).hexdigest() == digest
    assert not list(tmp_path.glob("bank.duckdb.loading*"))


PAYLOADS = [
    "select * from read_csv('/etc/passwd')",
    "select * from read_text('/etc/hostname')",
    "copy customer_snapshot to '/tmp/stolen.csv'",
    "attach '/tmp/other.duckdb' as other",
    "install httpfs",
    "load httpfs",
    "set enable_external_access = true",
    "export database '/tmp/dump'",
    "select * from glob('/etc/*')",
    "delete from customer_snapshot",
    "create table bank.main.x as select 1",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_open_reader_cannot_touch_files_or_change_data(tmp_path, payload):
    db = tmp_path / "bank.duckdb"
    with writing(db) as con:
        load_files(con, [_month(tmp_path, "2026-08-31", 5)])
    reader = open_reader(db)
    with pytest.raises(duckdb.Error):
        reader.cursor().execute(payload).fetchall()
    assert reader.cursor().execute("select count(*) from customer_snapshot").fetchall() == [(5,)]
    assert not Path("/tmp/stolen.csv").exists() and not Path("/tmp/dump").exists()


def test_cli_load_killed_at_any_moment_leaves_the_file_as_it_was(tmp_path):
    db = tmp_path / "bank.duckdb"
    with writing(db) as con:
        load_files(con, [_month(tmp_path, "2026-08-31", 50)])
    digest = hashlib.sha256(db.read_bytes()).hexdigest()
    big = _month(tmp_path, "2026-09-30", 150_000)
    command = [sys.executable, "-m", "analytics", "load", "--db", str(db), str(big)]
    killed_before_the_swap = 0
    for delay in (0.5, 1.0, 1.5, 2.0):
        process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        rows = open_reader(db).cursor().execute("select count(*) from customer_snapshot").fetchall()
        if hashlib.sha256(db.read_bytes()).hexdigest() != digest:
            # the load won the race with the kill: then the swap is complete, never partial
            assert rows == [(150_050,)]
            break
        assert rows == [(50,)]
        killed_before_the_swap += 1
    assert killed_before_the_swap >= 1
    finished = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert open_reader(db).cursor().execute("select count(*) from customer_snapshot").fetchall() == [(150_050,)]
    assert not list(tmp_path.glob("bank.duckdb.loading*"))


def test_loader_process_while_sessions_query_gives_no_lock_error_and_no_half_loaded_period(tmp_path):
    db = tmp_path / "bank.duckdb"
    with writing(db) as con:
        load_files(con, [_month(tmp_path, "2026-06-30", 2_000)])
    months = [_month(tmp_path, p, 40_000) for p in ("2026-07-31", "2026-08-31", "2026-09-30")]
    errors: list[str] = []
    seen_periods: set[int] = set()
    queries = [0]
    stop = threading.Event()

    def session() -> None:
        key, reader = None, None
        while not stop.is_set():
            try:
                if generation(db) != key:
                    key, reader = generation(db), open_reader(db)
                if not _consistent(reader):
                    errors.append("inconsistent state")
                periods = reader.cursor().execute("select count(*) from period_source").fetchall()[0][0]
                seen_periods.add(periods)
                queries[0] += 1
            except Exception as exc:  # a lock error or any other failure is what this test looks for
                errors.append(repr(exc))

    sessions = [threading.Thread(target=session) for _ in range(4)]
    for thread in sessions:
        thread.start()
    loader = subprocess.run(
        [sys.executable, "-m", "analytics", "load", "--db", str(db), *map(str, months)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    time.sleep(0.5)
    stop.set()
    for thread in sessions:
        thread.join()
    assert loader.returncode == 0, loader.stdout + loader.stderr
    assert errors == []
    assert queries[0] > 20 and 4 in seen_periods  # sessions kept querying and saw the final generation


def test_a_database_from_an_older_layout_gets_its_derived_tables_rebuilt_when_opened(tmp_path):
    # a database written before the Gini/Lorenz summary existed: the table is gone and the layout version old
    db = tmp_path / "bank.duckdb"
    with writing(db) as con:
        load_files(con, [_month(tmp_path, "2026-09-30", 50)])
    old = duckdb.connect(str(db))
    old.execute("drop table concentration_summary")
    old.execute("update meta set value = '1' where key = 'derived_version'")
    old.close()
    before = generation(db)
    reader = open_current_reader(db)
    assert generation(db) != before  # rebuilt in a new generation, as a load would
    assert reader.execute("select customers from concentration_summary").fetchall() == [(50,)]
    again = open_current_reader(db)  # current now: opened as it is
    assert again.execute("select value from meta where key = 'derived_version'").fetchall() == [(DERIVED_VERSION,)]


def test_writing_keeps_the_database_to_its_owner_in_a_folder_of_its_own(tmp_path):
    import stat

    from analytics.store.generations import spill_folder

    folder = tmp_path / "bank"  # made by the writer: 0700; the database (names, ID numbers, phones): 0600
    with writing(folder / "bank.duckdb"):
        pass
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / "bank.duckdb").stat().st_mode) == 0o600
    with writing(folder / "bank.duckdb"):  # a new generation stays private too
        pass
    assert stat.S_IMODE((folder / "bank.duckdb").stat().st_mode) == 0o600
    # an existing folder the user chose (here the test's own) is left as it is
    before = stat.S_IMODE(tmp_path.stat().st_mode)
    with writing(tmp_path / "other.duckdb"):
        pass
    assert stat.S_IMODE(tmp_path.stat().st_mode) == before
    # the readers of this process spill into a private folder of its own
    assert stat.S_IMODE(spill_folder().stat().st_mode) == 0o700 and spill_folder() == spill_folder()
    con = open_reader(folder / "bank.duckdb")
    assert con.execute("select current_setting('temp_directory')").fetchone()[0] == str(spill_folder())
    con.close()


def _dead_pid() -> int:
    """The id of a process that has ended (and been reaped)."""
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def test_writing_removes_the_copies_of_writers_that_died_never_of_a_live_one(tmp_path):
    db = tmp_path / "bank.duckdb"
    with writing(db) as con:
        load_files(con, [_month(tmp_path, "2026-08-31", 5)])
    dead = _dead_pid()
    # what a writer killed mid-load leaves: its copy, the copy's WAL and DuckDB's spill folder
    stale = [tmp_path / f"bank.duckdb.loading-{dead}", tmp_path / f"bank.duckdb.loading-{dead}.wal"]
    for path in stale:
        path.write_bytes(b"half a copy")
    spill = tmp_path / f"bank.duckdb.loading-{dead}.tmp"
    spill.mkdir()
    (spill / "duckdb_temp_storage-0.tmp").write_bytes(b"spilled")
    # this process's own leftover WAL: under the lock no writer of ours is running, and DuckDB would replay it
    own = tmp_path / f"bank.duckdb.loading-{os.getpid()}.wal"
    own.write_bytes(b"not a wal")
    live = subprocess.Popen(["sleep", "60"])
    try:
        alive = tmp_path / f"bank.duckdb.loading-{live.pid}"
        alive.write_bytes(b"a running writer's copy")
        other = tmp_path / "bank.duckdb.loading-notes.txt"  # not a name writers make: left alone
        other.write_text("mine")
        with writing(db) as con:
            load_files(con, [_month(tmp_path, "2026-09-30", 7)])
        assert not any(p.exists() for p in (*stale, spill, own))
        assert alive.read_bytes() == b"a running writer's copy" and other.exists()
    finally:
        live.kill()
        live.wait()
    assert open_reader(db).cursor().execute("select count(*) from customer_snapshot").fetchall() == [(12,)]
    with writing(db):  # its writer has ended now: the next writer removes it
        pass
    assert not alive.exists()


def test_the_rebuild_of_an_older_layout_runs_within_the_load_memory_limit(tmp_path, monkeypatch):
    # the rebuild at 10M customers x 12 months held 11 GB when it ran before the limit was set
    from analytics.store import connection

    db = tmp_path / "bank.duckdb"
    with writing(db) as con:
        load_files(con, [_month(tmp_path, "2026-09-30", 20)])
    old = duckdb.connect(str(db))
    old.execute("update meta set value = '1' where key = 'derived_version'")
    old.close()
    limits = []
    rebuild = connection.refresh

    def refresh_noting_the_limit(con, policy, changed):
        limits.append(con.execute("select current_setting('memory_limit')").fetchone()[0])
        rebuild(con, policy, changed)

    monkeypatch.setattr(connection, "refresh", refresh_noting_the_limit)
    open_current_reader(db).close()
    assert limits == ["3.7 GiB"]  # LOAD_MEMORY_LIMIT, 4 GB, as DuckDB prints it (4 * 10^9 bytes in GiB)
