"""The call list on the small workbench bank (its table in tests/helpers/workbench_bank.py)."""

from __future__ import annotations

import pandas as pd
import pytest

from analytics.core.scope import Scope
from analytics.lists.workbench import call_list, week_start
from tests.helpers.workbench_bank import CONTACTS, P1, TODAY, workbench_bank

ALL = Scope()


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    return workbench_bank(tmp_path_factory.mktemp("workbench"))


def _contacts(**extra) -> pd.DataFrame:
    found = CONTACTS | extra
    return pd.DataFrame({"customer_id": list(found), "last_contact": list(found.values())})


def _listed(frame: pd.DataFrame) -> dict[str, str]:
    return dict(zip(frame["customer_id"], frame["reasons"], strict=True))


def test_week_start_is_the_monday():
    assert week_start(TODAY).isoformat() == "2026-10-12"


def test_call_list_gives_one_row_per_customer_with_every_reason(con):
    frame = call_list(con, P1, ALL, _contacts(), TODAY)
    # ranked by at_stake: K02 1,900,000, K06 520,000, K04 300,000, K01 250,000, K05 150,000, K09 60,000,
    # K07 47,000
    assert _listed(frame) == {
        "K02": "up,outflow,birthday",
        "K06": "contact",
        "K04": "churned",
        "K01": "down,outflow,contact",
        "K05": "unassigned",
        "K09": "churned",
        "K07": "up",
    }
    assert frame["customer_id"].tolist() == ["K02", "K06", "K04", "K01", "K05", "K09", "K07"]
    k01 = frame.set_index("customer_id").loc["K01"]
    # held at wealth by the buffer: 190,000 - 200,000 below its bound, 2,000,000 - 190,000 to private
    assert (k01.tier, k01.at_stake, k01.aum_change, k01.gap_down, k01.gap_up) == (
        "wealth",
        250_000,
        -60_000,
        -10_000,
        1_810_000,
    )
    k04 = frame.set_index("customer_id").loc["K04"]
    assert (k04.tier, k04.aum, k04.aum_before, k04.manager_id) == ("wealth", 0, 300_000, "M2")


def test_call_list_hides_customers_followed_up_this_week(con):
    frame = call_list(con, P1, ALL, _contacts(), TODAY)
    # K03 (down: 105,000 < 110% of 100,000) was contacted on Monday 2026-10-12
    assert "K03" not in set(frame["customer_id"]) and frame.attrs["followed_up"] == 1
    # a week later the contact is last week's: K03 is back
    later = call_list(con, P1, ALL, _contacts(), TODAY.replace(day=21))
    assert _listed(later)["K03"] == "down" and later.attrs["followed_up"] == 0
    # contacting K01 today removes it as well
    assert "K01" not in set(call_list(con, P1, ALL, _contacts(K01=TODAY), TODAY)["customer_id"])


def test_call_list_measures_the_contact_standard(con):
    # with no log at all, wealth customers K02 and K06 (and K01) are outside their 30-day standard
    frame = call_list(con, P1, ALL, None, TODAY)
    reasons = _listed(frame)
    assert reasons["K02"] == "up,outflow,birthday,contact" and reasons["K06"] == "contact"
    # K02's 2026-09-20 is within 30 days of 2026-10-14; K06's 2026-08-01 is not (it shows as last contact)
    frame = call_list(con, P1, ALL, _contacts(), TODAY)
    assert pd.Timestamp(frame.set_index("customer_id").loc["K06", "last_contact"]) == pd.Timestamp("2026-08-01")


def test_call_list_applies_the_scope(con):
    # M1's book: K02, K01 and K09 (handed over, churned); branch B01: K02, K04 (last month's M2), K01, K05
    # (unassigned), K09; K08 has no reason
    assert call_list(con, P1, Scope(managers=frozenset({"M1"})), _contacts(), TODAY)["customer_id"].tolist() == [
        "K02",
        "K01",
        "K09",
    ]
    branch = call_list(con, P1, Scope(branches=frozenset({"B01"})), _contacts(), TODAY)
    assert branch["customer_id"].tolist() == ["K02", "K04", "K01", "K05", "K09"]


def test_call_list_masks_personal_data_unless_revealed(con):
    row = call_list(con, P1, ALL, _contacts(), TODAY).iloc[0]
    assert (row.customer_name, row.phone) == ("李*", "139****0002")
    assert call_list(con, P1, ALL, _contacts(), TODAY, reveal=True).iloc[0].customer_name == "李四"


def test_call_list_refuses_sorting_by_personal_data(con):
    with pytest.raises(ValueError):
        call_list(con, P1, ALL, _contacts(), TODAY, sort_by="customer_name")


def test_call_list_filters_by_one_reason(con):
    # outflow: K02 (-50,000) and K01 (-60,000), by AUM at stake; churned: K04 and K09
    assert call_list(con, P1, ALL, _contacts(), TODAY, reason="outflow")["customer_id"].tolist() == ["K02", "K01"]
    churned = call_list(con, P1, ALL, _contacts(), TODAY, reason="churned")
    assert churned["customer_id"].tolist() == ["K04", "K09"] and churned.attrs["total_rows"] == 2
    with pytest.raises(ValueError):
        call_list(con, P1, ALL, _contacts(), TODAY, reason="rich")


def test_a_page_after_its_count_is_not_counted_again(con):
    # the pager's count, then the page: the rows are those of a call that counts, the counts those given
    count = call_list(con, P1, ALL, _contacts(), TODAY, reason="churned", limit=0)
    assert count.attrs["total_rows"] == 2  # K04 and K09, as above
    page = call_list(con, P1, ALL, _contacts(), TODAY, reason="churned", counted=(2, 0))
    assert page["customer_id"].tolist() == ["K04", "K09"] and page.attrs["total_rows"] == 2
    stale = call_list(con, P1, ALL, _contacts(), TODAY, reason="churned", counted=(999, 7))
    assert (stale.attrs["total_rows"], stale.attrs["followed_up"]) == (999, 7)  # no second count ran
