"""The follow-up log: checked, scoped and audited writes in a SQLite file that loads, kills and concurrent
writers leave intact (customers of tests/helpers/workbench_bank.py)."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from datetime import date, timedelta

import pytest

from analytics.core.scope import Scope
from analytics.followup.log import Contact, ContactError, add_contact, contacts_of, last_contacts, log_version
from analytics.followup.record import OutOfScope, in_scope, record_contact
from analytics.store.generations import open_reader, writing
from analytics.store.load import load_files
from tests.helpers.paths import ROOT
from tests.helpers.workbench_bank import workbench_bank

TODAY = date.today()
M1 = Scope(managers=frozenset({"M1"}))


@pytest.fixture(scope="module")
def bank(tmp_path_factory):
    folder = tmp_path_factory.mktemp("followup_bank")
    con = workbench_bank(folder)
    yield con
    con.close()


def _contact(customer_id: str = "K01", note: str = "") -> Contact:
    return Contact(customer_id, TODAY, "phone", "reached", "send fund leaflet", note)


def test_add_contact_creates_a_private_file_in_a_private_folder(tmp_path):
    path = tmp_path / "state" / "followup.sqlite"
    add_contact(_contact(), "m1", path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert sqlite3.connect(path).execute("pragma journal_mode").fetchone()[0] == "wal"


def test_last_contacts_reads_a_missing_log_as_empty_without_creating_it(tmp_path):
    path = tmp_path / "never" / "followup.sqlite"
    assert last_contacts(path).empty and contacts_of(["K01"], path).empty and log_version(path) == 0
    assert not path.parent.exists()


def test_contact_checked_limits_and_folds_the_note():
    assert _contact(note="line one\nline two").checked(TODAY).note == "line one line two"
    assert len(_contact(note="字" * 200).checked(TODAY).note) == 200
    with pytest.raises(ContactError, match="note: 201 characters"):
        _contact(note="字" * 201).checked(TODAY)
    with pytest.raises(ContactError, match="channel"):
        Contact("K01", TODAY, "carrier pigeon", "reached").checked(TODAY)
    with pytest.raises(ContactError, match="future"):
        Contact("K01", TODAY + timedelta(days=1), "phone", "reached").checked(TODAY)


def test_last_contacts_keeps_the_latest_date_per_customer(tmp_path):
    path = tmp_path / "f.sqlite"
    for day, customer in ((date(2026, 9, 1), "K01"), (date(2026, 9, 20), "K01"), (date(2026, 8, 1), "K06")):
        add_contact(Contact(customer, day, "visit", "reached"), "m1", path)
    last = dict(zip(*last_contacts(path).T.values, strict=True))
    assert last == {"K01": date(2026, 9, 20), "K06": date(2026, 8, 1)}
    assert log_version(path) == 3 and contacts_of(["K01"], path)["contact_date"].tolist() == [
        "2026-09-20",
        "2026-09-01",
    ]
    # as of 2026-09-19 K01's latest contact was 2026-09-01; as of 2026-07-31 nobody had been contacted
    until = dict(zip(*last_contacts(path, until=date(2026, 9, 19)).T.values, strict=True))
    assert until == {"K01": date(2026, 9, 1), "K06": date(2026, 8, 1)}
    assert last_contacts(path, until=date(2026, 7, 31)).empty


def test_in_scope_checks_the_latest_month_end(bank):
    # K04 was M2's at 2026-08-31 and is gone at 2026-09-30; K01 is M1's
    assert in_scope(bank, "K01", M1) and not in_scope(bank, "K06", M1)
    assert not in_scope(bank, "K04", Scope()) and in_scope(bank, "K06", Scope(branches=frozenset({"B02"})))


def test_record_contact_refuses_an_out_of_scope_customer_and_audits_both(bank, tmp_path):
    path, trail = tmp_path / "f.sqlite", tmp_path / "audit.jsonl"
    with pytest.raises(OutOfScope):
        record_contact(bank, _contact("K06"), "m1", M1, path, trail)
    assert log_version(path) == 0
    contact_id = record_contact(bank, _contact("K01", note="客户说13812345678"), "m1", M1, path, trail)
    assert contact_id == 1 and last_contacts(path)["customer_id"].tolist() == ["K01"]
    events = [json.loads(line) for line in trail.read_text().splitlines()]
    assert [(e["event"], e["details"]["outcome"]) for e in events] == [("contact", "refused"), ("contact", "recorded")]
    assert "customer_id" not in events[1]["details"] and events[1]["details"]["channel"] == "phone"
    assert "13812345678" not in trail.read_text() and "note" not in events[1]["details"]


def test_add_contact_survives_a_load_replacing_the_database(tmp_path):
    workbench_bank(tmp_path).close()
    db, path = tmp_path / "bank.duckdb", tmp_path / "followup.sqlite"
    record_contact(open_reader(db), _contact(), "m1", M1, path, tmp_path / "audit.jsonl")
    before = db.stat().st_ino
    with writing(db) as con:  # a load: a copy of the database, renamed over it
        load_files(con, [tmp_path / "workbench.csv"])
    assert db.stat().st_ino != before
    assert last_contacts(path)["customer_id"].tolist() == ["K01"] and in_scope(open_reader(db), "K01", M1)


def _write_many(path: str, who: str, n: int) -> None:
    for _ in range(n):
        add_contact(Contact("K01", date.today(), "phone", "reached"), who, path)


def test_add_contact_two_processes_writing_at_once_lose_nothing(tmp_path):
    path = str(tmp_path / "f.sqlite")
    add_contact(_contact(), "setup", path)  # the schema exists before the race
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_write_many, args=(path, who, 60)) for who in ("a", "b")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    assert [w.exitcode for w in workers] == [0, 0]
    rows = sqlite3.connect(path).execute("select username, count(*) from contact group by 1 order by 1").fetchall()
    assert rows == [("a", 60), ("b", 60), ("setup", 1)]


def test_add_contact_survives_a_killed_writer(tmp_path):
    path = tmp_path / "f.sqlite"
    code = (
        "import sys; from datetime import date; from analytics.followup.log import Contact, add_contact\n"
        "while True: add_contact(Contact('K01', date.today(), 'sms', 'reached'), 'k', sys.argv[1])"
    )
    writer = subprocess.Popen(
        [sys.executable, "-c", code, str(path)], cwd=ROOT, env=os.environ | {"PYTHONPATH": str(ROOT)}
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and (not path.exists() or log_version(path) < 20):
        time.sleep(0.05)
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait()
    written = log_version(path)
    assert written >= 20
    con = sqlite3.connect(path)
    assert con.execute("pragma integrity_check").fetchone()[0] == "ok"
    add_contact(_contact(), "after", path)
    assert log_version(path) == written + 1
