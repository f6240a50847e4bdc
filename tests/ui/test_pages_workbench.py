"""客户经理工作台 Workbench page: the call list shown equals call_list for the user's scope; recording a contact
writes the follow-up log, audits it and removes the customer from this week's list."""

from __future__ import annotations

from datetime import date

import pytest

from analytics.core.scope import Scope
from analytics.followup.log import last_contacts
from analytics.lists.workbench import call_list
from tests.helpers.pages import analytics_connection, frame_with, no_exception
from tests.helpers.security import END, events, signed_in

PERIOD = date.fromisoformat(END)


@pytest.fixture
def log(trail, tmp_path, monkeypatch):
    monkeypatch.setenv("BANK_FOLLOWUP_DB", str(tmp_path / "followup" / "followup.sqlite"))
    return tmp_path / "followup" / "followup.sqlite"


def shown_ids(at) -> list[str]:
    return frame_with(at, "customer_id", "reasons")["customer_id"].tolist()


def test_workbench_is_the_managers_landing_page_and_equals_call_list(log, demo_db, users_file):
    at = signed_in("guo")
    assert at.title[0].value == "客户经理工作台"
    con = analytics_connection(demo_db)
    scope = Scope(managers=frozenset({"3301001"}))  # guo's customers (tests/helpers/security.py)
    expected = call_list(con, PERIOD, scope, None, date.today(), limit=50)
    assert expected.attrs["total_rows"] > 0
    assert shown_ids(at) == expected["customer_id"].tolist()
    assert any(f"{expected.attrs['total_rows']:,} 位客户待联系" in c.value for c in at.caption)
    # the reasons in words, the useful columns first, personal data masked
    shown = frame_with(at, "customer_id", "reasons")
    assert list(shown.columns[:3]) == ["reasons", "tier", "aum"]
    assert all("*" in name for name in shown["customer_name"].dropna())


def test_workbench_records_a_contact_and_the_customer_leaves_the_list(log, trail, demo_db):
    at = signed_in("guo")
    first = shown_ids(at)[0]
    at.text_input[-1].input("客户考虑定投")  # the next step
    at.text_area[0].input("电话沟通，下周回访")
    at.button(key="FormSubmitter:contact_form-保存联系记录").click().run()
    no_exception(at)
    assert first not in shown_ids(at)
    assert last_contacts(log)["customer_id"].tolist() == [first]
    contact = events(trail, "contact")
    assert len(contact) == 1 and contact[0]["details"]["outcome"] == "recorded"
    assert any("本周已跟进 1 位" in c.value for c in at.caption)


def test_workbench_shows_hq_the_whole_bank_in_english(log, demo_db):
    at = signed_in("boss", query={"lang": "en"})
    assert at.title[0].value == "Overview"  # HQ lands on the overview
    at.switch_page("views/workbench.py").run()
    no_exception(at)
    assert at.title[0].value == "Manager's workbench"
    expected = call_list(analytics_connection(demo_db), PERIOD, Scope(), None, date.today(), limit=50)
    assert shown_ids(at) == expected["customer_id"].tolist()
    assert any(f"{expected.attrs['total_rows']:,} customers to call" in c.value for c in at.caption)
