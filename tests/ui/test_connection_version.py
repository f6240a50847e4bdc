"""The dashboard's data version (ui/connection.py) is read once per generation of the database and follows a new
one: cached results of older data are never served after a load or a new policy."""

from __future__ import annotations

import duckdb

from analytics.store.generations import writing
from analytics.store.write import apply_policy
from tests.helpers.fixture_bank import version_one_policy
from ui import connection


def _version_read_by_hand(db) -> str:
    con = duckdb.connect(str(db), read_only=True)
    try:
        load_id, sha256 = con.execute(
            "select (select max(load_id) from load_log), (select max(sha256) from policy_in_force)"
        ).fetchone()
    finally:
        con.close()
    return f"{load_id}:{sha256}"


def test_the_version_is_read_once_per_generation_and_changes_with_a_new_policy(demo_copy, monkeypatch):
    db = demo_copy("version")
    monkeypatch.setenv("BANK_DB", str(db))
    reads = []
    original = connection.data_version
    monkeypatch.setattr(connection, "data_version", lambda con: reads.append(1) or original(con))
    first = connection.current_data_version()
    assert first == _version_read_by_hand(db)
    assert [connection.current_data_version() for _ in range(5)] == [first] * 5
    assert len(reads) == 1  # one generation, one read
    with writing(db) as con:
        apply_policy(con, version_one_policy())  # a new generation with another policy in force
    second = connection.current_data_version()
    assert second == _version_read_by_hand(db) != first
    assert len(reads) == 2
