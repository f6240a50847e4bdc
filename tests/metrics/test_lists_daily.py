"""The daily lists, their per-unit figures and contact coverage on the workbench bank (tests/helpers/workbench_bank.py,
whose table gives every number below)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from analytics.core.scope import Scope
from analytics.lists.allocation import unassigned_with_suggestion
from analytics.lists.books import completeness, handover_churn, product_penetration
from analytics.lists.coverage import contact_coverage, unit_contact_coverage
from analytics.lists.daily import birthday_list, handover_list, outflow_watch
from tests.helpers.workbench_bank import CONTACTS, P0, P1, TODAY, workbench_bank

ALL = Scope()
M1, M2 = Scope(managers=frozenset({"M1"})), Scope(managers=frozenset({"M2"}))
B02 = Scope(branches=frozenset({"B02"}))


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    return workbench_bank(tmp_path_factory.mktemp("daily"))


def _contacts() -> pd.DataFrame:
    return pd.DataFrame({"customer_id": list(CONTACTS), "last_contact": list(CONTACTS.values())})


def _rows(frame: pd.DataFrame, *columns: str) -> list[tuple]:
    return [tuple(row) for row in frame[list(columns)].itertuples(index=False)]


def test_outflow_watch_lists_customers_of_10_wan_falling_by_5_wan(con):
    # K01 250,000 -> 190,000 (-60,000, -24%), K02 1,900,000 -> 1,850,000 (-50,000); K03 fell 15,000 only, K04 left
    frame = outflow_watch(con, P1, ALL, _contacts())
    assert _rows(frame, "customer_id", "aum_before", "aum_change") == [
        ("K01", 250_000, -60_000),
        ("K02", 1_900_000, -50_000),
    ]
    assert frame["change_rate"].iloc[0] == pytest.approx(-0.24)
    assert pd.Timestamp(frame["last_contact"].iloc[1]) == pd.Timestamp("2026-09-20")
    # a drop of 5万 exactly is in; raising the threshold to 50,001 keeps K01 alone; K01's 25万 is under 30万
    assert outflow_watch(con, P1, ALL, outflow_drop=50_001)["customer_id"].tolist() == ["K01"]
    assert outflow_watch(con, P1, ALL, outflow_min=300_000)["customer_id"].tolist() == ["K02"]
    assert outflow_watch(con, P1, B02).empty


def test_birthday_list_keeps_customers_of_100_wan_born_next_month(con):
    # born in November: K01 (19万), K02 (185万), K06 (52万), K08 (15万); only K02 has 100万
    frame = birthday_list(con, P1, ALL, TODAY)
    assert _rows(frame, "customer_id", "birthday", "aum") == [("K02", "11-20", 1_850_000)]
    # by birthday: K01 11-05, K06 11-11, K02 11-20, K08 11-30
    assert birthday_list(con, P1, ALL, TODAY, birthday_min=150_000)["customer_id"].tolist() == [
        "K01",
        "K06",
        "K02",
        "K08",
    ]
    # in August the month after is September: K09 (1966-09-15) has 6万 only
    assert birthday_list(con, P1, ALL, date(2026, 8, 3), birthday_min=50_000)["customer_id"].tolist() == ["K09"]
    assert "1960" not in frame.to_string()  # never the year


def test_handover_list_shows_the_new_manager_each_customer_taken_over(con):
    frame = handover_list(con, P0, P1, ALL)
    # M2 handed K05 (left unassigned), K08 and K09 (to M1); K09 turned 60 and fell out of the maintained book
    rows = _rows(frame, "customer_id", "manager_before_id", "manager_id", "outcome")
    assert [(c, b, m if isinstance(m, str) else None, o) for c, b, m, o in rows] == [
        ("K05", "M2", None, "kept"),
        ("K08", "M2", "M1", "kept"),
        ("K09", "M2", "M1", "churned"),
    ]
    # M1 sees the two taken over; M2 no longer sees the book it handed over
    assert handover_list(con, P0, P1, M1)["customer_id"].tolist() == ["K08", "K09"]
    assert handover_list(con, P0, P1, M2).empty


def test_handover_churn_compares_the_reassigned_book_with_the_rest(con):
    frame = handover_churn(con, P0, P1, "manager", ALL).set_index("unit")
    # M2 at 2026-08-31: K03 K04 K05 K08 K09; reassigned K05 K08 K09, K09 churned: 1 of 3; kept K03 K04, K04 left
    m2 = frame.loc["M2"]
    assert (m2.maintained_start, m2.reassigned, m2.reassigned_churned, m2.kept, m2.kept_churned) == (5, 3, 1, 2, 1)
    assert (m2.reassigned_churn_rate, m2.kept_churn_rate) == (pytest.approx(1 / 3), 0.5)
    assert pd.isna(frame.loc["M1", "reassigned_churn_rate"]) and frame.loc["M1", "kept"] == 2
    branch = handover_churn(con, P0, P1, "branch", ALL).set_index("unit").loc["B01"]
    # B01: 7 maintained (K01 K02 K03 K04 K05 K08 K09): kept 4, of which K04 churned
    assert (branch.reassigned, branch.reassigned_churned, branch.kept, branch.kept_churned) == (3, 1, 4, 1)
    assert handover_churn(con, P0, P1, "manager", M1)["unit"].tolist() == ["M1"]


def test_completeness_counts_phone_address_and_employer_per_unit(con):
    # maintained at 2026-09-30 in B01: K01 K02 K03 K05 K08; no phone K05, no address K03, no employer K02 K05
    b01 = completeness(con, P1, "branch", ALL).set_index("unit").loc["B01"]
    assert (b01.maintained, b01.with_phone, b01.with_address, b01.with_employer, b01.complete) == (5, 4, 4, 3, 2)
    assert (b01.phone_rate, b01.employer_rate, b01.complete_rate) == (0.8, 0.6, 0.4)
    managers = completeness(con, P1, "manager", ALL).set_index("unit")
    # M1: K01 K02 K08, K02 has no employer; B01's unassigned K05 has an address only
    assert managers.loc["M1", ["with_employer", "complete"]].tolist() == [2, 2]
    assert managers.loc["unassigned@B01", ["with_phone", "with_address", "with_employer"]].tolist() == [0, 1, 0]
    assert completeness(con, P1, "manager", M1)["unit"].tolist() == ["M1"]


def test_product_penetration_per_unit_tier_and_product(con):
    frame = product_penetration(con, P1, "branch", ALL)
    got = {(r.unit, r.tier, r.product): (r.holders, r.customers) for r in frame.itertuples()}
    # B01 wealth K01 K02: wealth both, fund K02; B01 affluent K03 K05 K08: wealth K05 only; B02 wealth K06: fund
    assert got == {
        ("B01", "affluent", "fund"): (0, 3),
        ("B01", "affluent", "wealth"): (1, 3),
        ("B01", "wealth", "fund"): (1, 2),
        ("B01", "wealth", "wealth"): (2, 2),
        ("B02", "wealth", "fund"): (1, 1),
        ("B02", "wealth", "wealth"): (0, 1),
    }
    assert frame["penetration_rate"].tolist()[:2] == [0, pytest.approx(1 / 3)]


def test_contact_coverage_shares_the_maintained_contacted_within_the_standard(con):
    # standard 30 days on wealth and private; as of 2026-10-14 a contact after 2026-09-14 counts:
    # B01 wealth K01 (never), K02 (2026-09-20): 1 of 2; B02 wealth K06 (2026-08-01): 0 of 1; affluent has none
    frame = contact_coverage(con, P1, "branch", ALL, _contacts(), TODAY)
    assert _rows(frame, "unit", "tier", "contact_every_days", "maintained", "contacted", "contact_coverage_rate") == [
        ("B01", "wealth", 30, 2, 1, 0.5),
        ("B02", "wealth", 30, 1, 0, 0.0),
    ]
    # as of 2026-09-19 K02's contact had not happened yet, and K06's 2026-08-01 is 49 days old
    assert contact_coverage(con, P1, "branch", ALL, _contacts(), date(2026, 9, 19))["contacted"].tolist() == [0, 0]
    # on 2026-08-30 K06's contact of 2026-08-01 is 29 days old: inside the standard
    assert contact_coverage(con, P1, "branch", B02, _contacts(), date(2026, 8, 30))["contacted"].tolist() == [1]


def test_unit_contact_coverage_is_one_figure_per_scorecard_unit(con):
    frame = unit_contact_coverage(con, P1, "manager", ALL, _contacts(), TODAY)
    assert _rows(frame, "unit", "maintained", "contacted", "contact_coverage_rate") == [
        ("M1", 2, 1, 0.5),
        ("M3", 1, 0, 0.0),
    ]
    assert unit_contact_coverage(con, P1, "manager", M1, None, TODAY)["contact_coverage_rate"].tolist() == [0.0]


def test_unassigned_with_suggestion_picks_the_fitting_role_with_the_smallest_book(con):
    # K05 (B01, affluent, no manager). B01's managers: M1 理财经理 (book K01 K02 K08 K09: 4), M2 大堂经理 (K03: 1).
    # Fit for affluent: 理财经理's maintained book K01 K02 K06 K08 is 1/4 affluent, 大堂经理's K03 is 1/1: M2
    frame = unassigned_with_suggestion(con, P1, ALL)
    assert _rows(frame, "customer_id", "suggested_manager_id", "suggested_role", "suggested_book") == [
        ("K05", "M2", "大堂经理", 1)
    ]
    assert frame["customer_name"].tolist() == ["钱*"]
    assert unassigned_with_suggestion(con, P1, B02).empty and unassigned_with_suggestion(con, P1, M1).empty
