"""客户经理工作台 Workbench page: the call list shown equals call_list for the user's scope; recording a contact
writes the follow-up log, audits it and removes the customer from this week's list; every daily list is a tab, in
both languages, within the user's scope, downloadable (masked, headers translated)."""

from __future__ import annotations

import re
from datetime import date

import pytest

from analytics.core.scope import Scope
from analytics.followup.log import Contact, add_contact, last_contacts
from analytics.lists.actions import manager_load, red_list
from analytics.lists.allocation import unassigned_with_suggestion
from analytics.lists.coverage import unit_contact_coverage
from analytics.lists.daily import outflow_watch
from analytics.lists.workbench import call_list
from tests.helpers.pages import analytics_connection, frame_with, no_exception
from tests.helpers.security import END, events, sheets, signed_in
from ui import format as fmt
from ui.i18n import TEXT

PERIOD = date.fromisoformat(END)
CJK = re.compile(r"[\u3400-\u9fff]")
TABS = [f"wb.{name}_tab" for name in ("calls", "coverage", "red", "unassigned", "load", "handover", "outflow",
                                      "birthday", "completeness", "products")]  # fmt: skip


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


def zh(key: str) -> str:
    return TEXT[key][0]


def test_workbench_shows_a_branch_user_the_red_list_load_and_unassigned(log, demo_db):
    con = analytics_connection(demo_db)
    branch = Scope(branches=frozenset({"3302"}))  # b3302's branch (tests/helpers/security.py)
    red = signed_in("b3302", "views/workbench.py", query={"tab": zh("wb.red_tab")})
    no_exception(red)
    expected = red_list(con, PERIOD, branch, limit=50)
    assert frame_with(red, "customer_id", "maintained_by")["customer_id"].tolist() == expected["customer_id"].tolist()
    load = signed_in("b3302", "views/workbench.py", query={"tab": zh("wb.load_tab")})
    shown = frame_with(load, "manager_id", "load")
    assert shown["customers"].tolist() == manager_load(con, PERIOD, branch)["customers"].tolist()
    assert set(shown["load"]) <= {zh("load.under"), zh("load.within"), zh("load.over"), zh("load.unassigned")}
    unassigned = signed_in("b3302", "views/workbench.py", query={"tab": zh("wb.unassigned_tab")})
    expected = unassigned_with_suggestion(con, PERIOD, branch, limit=50)
    shown = frame_with(unassigned, "customer_id", "suggested_manager_name")
    assert len(expected) > 0 and shown["customer_id"].tolist() == expected["customer_id"].tolist()
    assert list(shown.columns[:3]) == ["tier", "aum", "suggested_manager_name"]  # what to act on first
    assert set(shown["branch_id"]) == {"3302"}


def test_workbench_filters_the_calls_by_the_reason_in_the_url(log, demo_db):
    at = signed_in("guo", query={"reason": zh("reason.contact")})
    no_exception(at)
    scope = Scope(managers=frozenset({"3301001"}))
    expected = call_list(analytics_connection(demo_db), PERIOD, scope, None, date.today(), limit=50, reason="contact")
    assert expected.attrs["total_rows"] > 0 and shown_ids(at) == expected["customer_id"].tolist()
    assert all(zh("reason.contact") in r for r in frame_with(at, "customer_id", "reasons")["reasons"])


def test_workbench_contact_coverage_counts_a_recorded_contact(log, demo_db):
    con = analytics_connection(demo_db)
    scope = Scope(managers=frozenset({"3301001"}))
    calls = call_list(con, PERIOD, scope, None, date.today(), limit=None, reason="contact")
    add_contact(Contact(calls["customer_id"].iloc[0], date.today(), "phone", "reached"), "guo", log)
    at = signed_in("guo", query={"tab": zh("wb.coverage_tab")})
    no_exception(at)
    units = unit_contact_coverage(con, PERIOD, "branch", scope, last_contacts(log), date.today())
    assert units["contacted"].sum() == 1  # the one contact, within its tier's standard
    assert at.metric[0].value == fmt.percent(1 / units["maintained"].sum())
    shown = frame_with(at, "tier", "contact_every_days")
    assert shown["contacted"].sum() == 1


@pytest.mark.parametrize("key", TABS)
def test_workbench_every_tab_runs_in_english_for_hq_without_chinese_labels(log, demo_db, key):
    at = signed_in("boss", "views/workbench.py", query={"lang": "en", "tab": TEXT[key][1]})
    no_exception(at)
    labels = [s.value for s in at.subheader] + [c.value for c in at.caption] + [m.label for m in at.metric]
    labels += [str(c) for d in at.dataframe for c in d.value.columns]
    assert labels and not [text for text in labels if CJK.search(text)]
    assert TEXT[key][1] in " ".join(s.value for s in at.subheader) or key == "wb.calls_tab"


@pytest.mark.parametrize("key", TABS)
def test_workbench_every_tab_keeps_a_manager_to_their_book(log, demo_db, key):
    at = signed_in("guo", query={"tab": zh(key)})
    no_exception(at)
    for frame in at.dataframe:
        if "manager_id" in frame.value.columns:
            assert set(frame.value["manager_id"].dropna()) <= {"3301001"}, key
        if "customer_name" in frame.value.columns:
            assert all("*" in n for n in frame.value["customer_name"].dropna() if n != "—")


def test_workbench_outflow_download_is_masked_and_translated(log, demo_db, served):
    at = signed_in("b3302", "views/workbench.py", query={"tab": zh("wb.outflow_tab")})
    no_exception(at)
    (name,) = [n for n in served if n.startswith("outflow_tab_")]
    book = sheets(served[name]())
    (rows,) = book.values()
    expected = outflow_watch(analytics_connection(demo_db), PERIOD, Scope(branches=frozenset({"3302"})), limit=None)
    assert len(rows) == len(expected) > 0
    assert list(rows[0])[:3] == ["层级", "金融资产（万元）", "此前资产（万元）"]
    assert all("*" in r["客户姓名"] for r in rows if r["客户姓名"])
    assert rows[0]["此前资产（万元）"] == pytest.approx(float(expected["aum_before"].iloc[0]) / 10_000)
