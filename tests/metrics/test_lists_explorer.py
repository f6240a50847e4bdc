"""The explorer's customer list on the hand-made fixture bank (see tests/helpers/fixture_bank.py for its table)."""

from datetime import date

import pandas as pd

from analytics.core.scope import Scope
from analytics.lists.explorer import CustomerFilter, find_customers
from analytics.store.derived import top_customers
from tests.helpers.fixture_bank import P3, fixture_bank
from tests.helpers.workbench_bank import CONTACTS, P1, workbench_bank


def test_opening_list_pages_come_from_the_rows_kept_at_load(tmp_path, monkeypatch):
    # keep only the first 2 customers of each period, so the kept rows cannot answer deeper pages.
    # P3 present customers by AUM: C13 3,000,000 (B02), C04 1,500,000 (B01), C20 500,000 (B02),
    # C07 210,000 (B01), C18 190,000 (B01 at P3), ...; 16 present in all, 11 at B01 (C01 C02 C04 C05 C07 C08
    # C09 C10 C11 C12 C18).
    monkeypatch.setattr(top_customers, "DEPTH", 2)
    con = fixture_bank(tmp_path / "t.duckdb")
    kept = con.execute(
        "select position, customer_id from top_customers where period = ? order by position", [P3]
    ).fetchall()
    assert kept == [(1, "C13"), (2, "C04")]
    opening = CustomerFilter()
    first = find_customers(con, P3, Scope(), opening, limit=2)  # within the kept rows: C13, C04 of 16
    assert list(first["customer_id"]) == ["C13", "C04"] and first.attrs["total_rows"] == 16
    deeper = find_customers(con, P3, Scope(), opening, limit=3)  # beyond them: computed on every row
    assert list(deeper["customer_id"]) == ["C13", "C04", "C20"] and deeper.attrs["total_rows"] == 16
    branch = find_customers(con, P3, Scope(branches=frozenset({"B01"})), opening, limit=2)  # a branch: live
    assert list(branch["customer_id"]) == ["C04", "C07"] and branch.attrs["total_rows"] == 11
    # a manager's book: M2 at P3 holds C07 C08 C09 C18 -> C07 210,000, C18 190,000
    book = find_customers(con, P3, Scope(managers=frozenset({"M2"})), opening, limit=2)
    assert list(book["customer_id"]) == ["C07", "C18"] and book.attrs["total_rows"] == 4
    assert (
        first["customer_name"].iloc[0]
        != con.execute(
            "select customer_name from customer_snapshot where customer_id = 'C13' and period = ?", [P3]
        ).fetchone()[0]
    )


def test_explorer_filters_by_gender_products_maintained_rule_and_last_contact(tmp_path):
    # tests/helpers/workbench_bank.py at 2026-09-30: present K01 K02 K03 K05 K06 K07 K08 K09 (K04 left)
    con = workbench_bank(tmp_path)
    contacts = pd.DataFrame({"customer_id": list(CONTACTS), "last_contact": list(CONTACTS.values())})

    def ids(**filters) -> list[str]:
        found = find_customers(con, P1, Scope(), CustomerFilter(**filters), "aum", True, None, contacts=contacts)
        return sorted(found["customer_id"])

    assert ids(gender="F") == ["K02", "K03", "K06", "K09"]
    assert ids(holds=("wealth",)) == ["K01", "K02", "K05"]
    assert ids(holds=("wealth", "fund")) == ["K02"]  # every product named
    assert ids(lacks=("fund",)) == ["K01", "K03", "K05", "K08", "K09"]
    # all cards 普卡: only the tier rule maintains; K07 is mass, K09 turned 60 in the emerging band
    assert ids(maintained_by=("tier",)) == ["K01", "K02", "K03", "K05", "K06", "K08"]
    assert ids(maintained_by=("card", "loan")) == []
    since = date(2026, 9, 1)  # K02 on 09-20 and K03 on 10-12 since; K06 on 08-01 before; the rest never
    assert ids(contacted=True, contacted_since=since) == ["K02", "K03"]
    assert ids(contacted=False, contacted_since=since) == ["K01", "K05", "K06", "K07", "K08", "K09"]
    assert ids(gender="F", lacks=("fund",), contacted=False, contacted_since=since) == ["K09"]
