"""What-if: a report under another policy, computed in memory; the policy in force gives the stored results."""

from __future__ import annotations

import hashlib

import pytest

from analytics.core.scope import Scope
from analytics.metrics.reports import build_report
from analytics.metrics.whatif import tier_changes, what_if_report, what_if_store
from analytics.store.connection import connect
from analytics.store.load import load_files
from tests.helpers.rulebook import PERIODS, rulebook_policy, write_months


@pytest.fixture
def stored(tmp_path):
    db = tmp_path / "bank.duckdb"
    con = connect(db)
    assert all(r.outcome == "loaded" for r in load_files(con, write_months(tmp_path), rulebook_policy(buffer=False)))
    con.close()
    return db


@pytest.mark.parametrize(
    ("kind", "periods"),
    [
        ("tiers", {}),
        ("migration", {"start": PERIODS[0], "end": PERIODS[3]}),
        ("scorecard", {"start": PERIODS[1], "end": PERIODS[4]}),
        ("churn", {"start": PERIODS[0], "end": PERIODS[1]}),
    ],
)
def test_what_if_report_of_the_policy_in_force_equals_the_stored_report(stored, kind, periods):
    con = connect(stored, read_only=True)
    by = "manager" if kind == "scorecard" else None
    expected = build_report(con, kind, by=by, **periods)
    got = what_if_report(con, stored, rulebook_policy(buffer=False), kind, by=by, **periods)
    assert got.to_json() == expected.to_json()


def test_what_if_report_with_the_buffer_counts_the_held_tiers_and_stores_nothing(stored):
    before = hashlib.sha256(stored.read_bytes()).hexdigest()
    con = connect(stored, read_only=True)
    frame = what_if_report(con, stored, rulebook_policy(buffer=True), "tiers", period=PERIODS[1])
    counts = dict(zip(frame["tier"], frame["customers"]))
    # at 02-28, by hand (tests/helpers/rulebook.py): raw M R01 R09 R10 R11 R12 R14 = 6; E R02 R03 R13 and, raw,
    # R04 R05 R06 R07; the buffer keeps R04 R05 R06 in A and R07 in W. R08 has no row.
    assert counts == {"mass": 6, "emerging": 3, "affluent": 3, "wealth": 1, "private": 0}
    stored_counts = build_report(con, "tiers", period=PERIODS[1])
    assert dict(zip(stored_counts["tier"], stored_counts["customers"]))["emerging"] == 7
    con.close()
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == before


def test_tier_changes_lists_the_customers_the_buffer_holds(stored):
    con = connect(stored, read_only=True)
    scratch = what_if_store(con, stored, rulebook_policy(buffer=True), "tiers", period=PERIODS[1])
    changes = tier_changes(scratch, PERIODS[1], Scope())
    # R07 (6万, held in W) and R04 (95,000), R05, R06 (80,000, held in A): AUM first, then customer number
    assert changes["customer_id"].tolist() == ["R04", "R05", "R06", "R07"]
    assert changes["tier_now"].tolist() == [1, 1, 1, 1] and changes["tier_what_if"].tolist() == [2, 2, 2, 3]
