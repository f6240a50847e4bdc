"""Roles and scope on every page: each role sees, shows and downloads only its own rows with personal data
masked; nobody unmapped sees anything; the URL cannot widen a scope; only a pii user reveals one customer, and
the reveal is audited; the audit page is HQ's only and checks its hash chain."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from analytics.access.audit import customer_hash
from analytics.access.roles import scope_for
from analytics.access.users import User
from analytics.core.scope import Scope
from analytics.lists.history import customer_history
from tests.helpers.pages import analytics_connection, frame_with, metric, no_exception
from tests.helpers.security import PERSONAL_HEADERS, USERS, Visible, events, fresh, sheets, sign_in, signed_in, visible
from ui import i18n
from ui.session import View

# page -> the tabs to open (i18n keys); None: the page has no tabs
WALK = [
    ("views/workbench.py", None),
    ("views/overview.py", None),
    *[("views/tiers.py", tab) for tab in ("ti.by_unit_tab", "ti.bands_tab", "ti.cards_tab", "ti.candidates_tab")],
    *[("views/migration.py", tab) for tab in ("mi.matrix", "mi.sankey", "mi.projection")],
    *[
        ("views/churn.py", tab)
        for tab in ("ch.units_tab", "ch.triangle_tab", "ch.survival_tab", "ch.at_risk_tab", "ch.high_value_tab")
    ],
    ("views/scorecard.py", None),
    ("views/explorer.py", None),
]
# the column that holds each kind of key, on screen and in the workbooks
KEYS = {
    "customers": ("customer_id", "客户号"),
    "branches": ("branch_id", "网点号"),
    "managers": ("manager_id", "客户经理号"),
    "units": ("unit", "单位代码"),
}
PERSONAL = ("customer_name", "id_number", "phone")
EMPTY = "—"  # how a list shows an empty cell (no manager, no phone): neither a key nor personal data


@pytest.fixture(scope="module")
def con(demo_db):
    return analytics_connection(demo_db)


def user_scope(con, username: str) -> Scope:
    role, units = USERS[username]
    return scope_for(con, User(username, role, units))


def check_rows(rows: pd.DataFrame, allowed: Visible, where: str, headers: int) -> None:
    """Every key in `rows` is one the scope may see; personal data is masked. headers: 0 = on screen, 1 = xlsx."""
    for kind, names in KEYS.items():
        column = names[headers]
        if column in rows.columns:
            found = {str(v) for v in rows[column].dropna()} - {EMPTY}
            assert found <= getattr(allowed, kind), (where, column, sorted(found - getattr(allowed, kind))[:5])
    for column in (PERSONAL, PERSONAL_HEADERS)[headers]:
        if column in rows.columns:
            values = [str(v) for v in rows[column].dropna() if str(v) != EMPTY]
            assert all("*" in v for v in values), (where, column, [v for v in values if "*" not in v][:3])


def walk(at):
    """Open every page and tab (and the customer lists behind the migration matrix, the scorecard's drill-down
    and the explorer's customer history), yielding the app after each run."""
    previous = None
    for page, tab in WALK:
        if page != previous:
            at.switch_page(page)
            previous = page
        if tab:  # the URL's value wins over session state once the tab is in the URL
            at.session_state["tab"] = at.query_params["tab"] = i18n.TEXT[tab][0]
        yield no_exception(at.run())
        if tab == "mi.matrix":
            yield no_exception(at.button_group(key="move").set_value("down").run())
        if page.endswith(("scorecard.py", "explorer.py")):
            table = "scorecard_table" if page.endswith("scorecard.py") else "customers_table"
            at.session_state[table] = {"selection": {"rows": [0], "columns": []}}
            yield no_exception(at.run())


@pytest.mark.parametrize("username", ["east", "jiefang", "b3302", "guo"])
def test_every_page_and_download_holds_only_the_roles_rows_masked(con, trail, served, username):
    scope = user_scope(con, username)
    allowed = visible(con, scope)
    bank = visible(con, Scope())
    assert 0 < len(allowed.present_at_end) < len(bank.present_at_end)
    at = signed_in(username, "views/overview.py")  # they land on the workbench
    assert int(metric(at, "客户数").value.replace(",", "")) == len(allowed.present_at_end)
    for step in walk(at):
        for frame in step.dataframe:
            check_rows(frame.value, allowed, f"{username} screen", 0)
    # every workbook a download button of those pages would serve, built as Streamlit builds it on a click
    # file names carry page, table, unit, period and filters (ui.exports): found by their page and table
    named = {start: [n for n in served if n.startswith(start)] for start in ("总览_", "客户查询_客户查询_",
             "考核_2026Q3.xlsx", "客户分层_临近升级_", "流失与留存_风险客户_")}  # fmt: skip
    assert all(named.values()), named
    built = {}
    for name, build in served.items():
        built[name] = sheets(build())
        for sheet, rows in built[name].items():
            check_rows(pd.DataFrame(rows), allowed, f"{username} {name} {sheet}", 1)
    everyone = {row["客户号"] for row in built[named["客户查询_客户查询_"][0]]["客户查询"]}
    assert everyone == allowed.present_at_end
    # each workbook served is in the audit trail with its rows
    exports = {(e["details"]["table"] + ".xlsx", e["details"]["rows"]) for e in events(trail, "export")}
    assert {(name, sum(len(r) for r in book.values())) for name, book in built.items()} <= exports
    assert {e["user"] for e in events(trail, "export")} == {username}


def test_hq_sees_the_whole_bank_and_its_own_pages(con, trail):
    at = signed_in("boss")
    assert int(metric(at, "客户数").value.replace(",", "")) == len(visible(con, Scope()).present_at_end)
    at.switch_page("views/data.py").run()
    assert no_exception(at).title[0].value == "数据"
    at.switch_page("views/audit.py").run()
    assert no_exception(at).title[0].value == "审计"


@pytest.mark.parametrize("username", ["b3302", "guo"])
def test_hq_pages_are_not_in_the_navigation_of_other_roles(trail, username):
    at = signed_in(username)
    for page in ("views/audit.py", "views/data.py"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(page)


def test_sidebar_offers_only_the_users_levels_and_units(trail):
    at = signed_in("east")  # a region's head: "all" is everything of the region, not the whole bank
    assert at.selectbox(key="view").options == ["我的范围", "分行", "支行", "网点", "客户经理"]
    at.selectbox(key="view").set_value("region").run()
    assert at.selectbox(key="unit").options == ["城东分行"]
    at.selectbox(key="view").set_value("branch").run()
    assert [o.split()[0] for o in at.selectbox(key="unit").options] == ["3101", "3102"]
    at = signed_in("b3302")
    assert at.selectbox(key="view").options == ["我的范围", "网点", "客户经理"]
    at = signed_in("guo")
    assert at.selectbox(key="view").options == ["我的范围", "客户经理"]
    at.selectbox(key="view").set_value("manager").run()
    assert [o.split()[0] for o in at.selectbox(key="unit").options] == ["3301001"]


@pytest.mark.parametrize(
    "username, query",
    [
        ("b3302", {"view": "网点", "unit": "3101 人民路支行营业部"}),
        ("b3302", {"view": "分行", "unit": "城东分行"}),
        ("guo", {"view": "客户经理", "unit": "3101001 赵倩玲"}),
    ],
)
def test_url_naming_another_unit_does_not_widen_the_scope(con, trail, username, query):
    allowed = visible(con, user_scope(con, username))
    at = no_exception(signed_in(username, "views/explorer.py", query))
    shown = frame_with(at, "customer_id", "branch_id")
    assert set(shown["customer_id"]) <= allowed.present_at_end
    assert any(f"共 {len(allowed.present_at_end):,} 行" in c.value for c in at.caption)
    # the sidebar dropped what it does not offer: the level, or the unit at that level
    assert "view" not in at.query_params or "unit" not in at.query_params
    # the same link does narrow an HQ view: the parameter itself works
    hq = no_exception(signed_in("boss", "views/explorer.py", query))
    assert "unit" in hq.query_params and len(frame_with(hq, "customer_id")) > 0


def test_url_naming_a_customer_of_another_branch_shows_nothing_of_them(con, trail):
    other = (
        con.cursor().execute("select min(customer_id) from customer_snapshot where branch_id = '3101'").fetchone()[0]
    )
    at = no_exception(signed_in("b3302", "views/explorer.py", {"customer": other}))
    assert "没有符合条件的记录。" in [i.value for i in at.info]
    assert not [f for f in at.dataframe if "status" in f.value.columns]  # no history table


def test_a_view_left_in_session_state_is_rebuilt_from_the_users_scope_on_every_run(con, trail):
    at = signed_in("b3302", "views/explorer.py")
    wide = at.session_state["_view"]
    at.session_state["_view"] = View(
        wide.periods, wide.quarter, wide.start, wide.end, user_scope=Scope(), scope=Scope()
    )
    no_exception(at.run())
    assert set(frame_with(at, "customer_id", "branch_id")["branch_id"]) == {"3302"}


@pytest.mark.parametrize("username", ["ghost", "odd"])
def test_a_user_whose_role_or_units_match_nothing_sees_nothing(trail, tmp_path, monkeypatch, users_file, username):
    if username == "odd":  # a role the dashboard does not know, written by hand into the file
        own = tmp_path / "users.toml"
        text = users_file.read_text(encoding="utf-8")
        own.write_text(
            text.replace('role = "branch"\nunits = ["3302"]', 'role = "auditor"\nunits = ["3302"]').replace(
                'username = "b3302"', 'username = "odd"'
            ),
            encoding="utf-8",
        )
        monkeypatch.setenv("BANK_USERS", str(own))
    at = no_exception(sign_in(fresh(), username if username == "ghost" else "odd"))
    assert not at.dataframe and not at.metric and not at.selectbox
    assert "找不到对应的网点或客户经理" in at.error[0].value
    assert at.sidebar.button(key="sign_out")


def test_pii_user_reveals_one_customer_in_the_explorer_and_the_reveal_is_audited(con, trail, extract_rows):
    at = signed_in("guo", "views/explorer.py")
    ids = frame_with(at, "customer_id", "branch_id")["customer_id"].tolist()
    at.session_state["customers_table"] = {"selection": {"rows": [0], "columns": []}}
    no_exception(at.run())
    assert frame_with(at, "period", "status", "aum")["id_number"].str.contains(r"\*").all()
    assert not at.table
    at.button(key="reveal").click().run()
    no_exception(at)
    person = customer_history(con, ids[0], Scope(), reveal=True).iloc[-1]
    shown = at.table[0].value
    assert shown.iloc[0].tolist() == [person["customer_name"], person["id_number"], person["phone"]]
    assert "*" not in person["id_number"]
    # by hand: 客户姓名, 证件号码 and 手机号 of the customer's row in the 2026-09-30 extract, as the bank sent them
    row = extract_rows[(extract_rows["customer_id"] == ids[0]) & (extract_rows["period"] == date(2026, 9, 30))]
    assert shown.iloc[0].tolist() == row[["customer_name", "id_number", "phone"]].iloc[0].tolist()
    [entry] = events(trail, "reveal")
    assert entry["user"] == "guo"
    assert entry["details"] == {"page": "explorer", "customer_sha256": customer_hash(ids[0], trail)}
    text = trail.read_text(encoding="utf-8")
    assert ids[0] not in text and person["id_number"] not in text and person["phone"] not in text
    # still masked in the history table and its download, and gone once another customer is chosen
    assert frame_with(at, "period", "status", "aum")["id_number"].str.contains(r"\*").all()
    at.session_state["customers_table"] = {"selection": {"rows": [1], "columns": []}}
    no_exception(at.run())
    assert not at.table


def test_reveal_is_not_offered_without_the_pii_permission_even_when_session_state_names_a_customer(con, trail):
    at = signed_in("b3302", "views/explorer.py")
    customer = frame_with(at, "customer_id", "branch_id")["customer_id"].iloc[0]
    at.session_state["customers_table"] = {"selection": {"rows": [0], "columns": []}}
    at.session_state["_revealed_customer"] = customer
    no_exception(at.run())
    assert not at.table and not [b for b in at.button if b.key == "reveal"]
    assert events(trail, "reveal") == []


def test_page_views_are_recorded_once_per_distinct_view_with_the_filters(trail):
    at = signed_in("b3302")
    at.run()
    at.run()  # reruns of one view are not views
    at.selectbox(key="q").set_value("2026Q2")
    at.query_params["q"] = "2026Q2"  # a browser puts a bound widget's value in its URL
    at.run()
    at.switch_page("views/explorer.py")
    at.query_params.update({"q": "2026Q2", "customer": "C000123"})
    at.run()
    views = [(e["details"]["page"], e["details"]["filters"]) for e in events(trail, "page_view")]
    assert views == [("workbench", {}), ("workbench", {"q": "2026Q2"}), ("explorer", {"q": "2026Q2"})]
    last = events(trail, "page_view")[-1]["details"]
    assert last["customer_sha256"] == customer_hash("C000123", trail) and "C000123" not in trail.read_text()


def test_audit_page_shows_the_events_checks_the_chain_and_downloads(trail, served):
    at = signed_in("boss", "views/audit.py")
    assert "审计链完整" in at.success[0].value
    shown = frame_with(at, "recorded_at", "user", "event", "details")
    assert "登录" in set(shown["event"]) and "boss" in set(shown["user"])
    at.multiselect(key="events").set_value(["sign_in"]).run()
    assert set(frame_with(at, "recorded_at", "event")["event"]) == {"登录"}
    book = sheets(served["audit.xlsx"]())
    assert {row["事件"] for row in next(iter(book.values()))} == {"登录"}
    lines = trail.read_text(encoding="utf-8").splitlines()
    lines[0] = lines[0].replace('"boss"', '"b3302"')
    trail.write_text("\n".join(lines) + "\n", encoding="utf-8")
    no_exception(at.run())
    assert "审计链在第 1 行断开" in at.error[0].value
