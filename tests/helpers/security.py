"""The sign-in and security tests' users over the demo bank, signed-in AppTest runs, the workbooks the download
buttons would serve, and what a scope may see, computed straight from the snapshots (the fixtures users_file,
trail and served are in tests/ui/conftest.py)."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path

import openpyxl
from streamlit.testing.v1 import AppTest

from analytics.access.users import add_user
from analytics.core.scope import Scope
from analytics.core.sql import fetch_rows
from tests.helpers.pages import APP

PASSWORD = "correct horse battery"
FAST = 4  # bcrypt cost for tests
END = "2026-09-30"
# The demo bank at 2026-09-30: 城东分行 / 人民路支行 = branches 3101, 3102; 解放路支行 = 3201, 3202; manager 3301001
# looks after customers of both 3301 and 3302.
USERS = {
    "boss": ("hq", ()),
    "east": ("region", ("城东分行",)),
    "jiefang": ("sub_branch", ("解放路支行",)),
    "b3302": ("branch", ("3302",)),
    "guo": ("manager", ("3301001",)),
    "ghost": ("branch", ("9999",)),  # a unit that does not exist: sees nothing
}
PII = {"guo"}
EMAILS = {"east": "east@bank.example"}
PERSONAL_HEADERS = ("客户姓名", "证件号码", "手机号")


def write_users(path: Path) -> Path:
    """The users file of USERS, all with PASSWORD."""
    for name, (role, units) in USERS.items():
        add_user(path, name, PASSWORD, role, units, ["pii"] if name in PII else [], email=EMAILS.get(name), rounds=FAST)
    return path


def fresh(query: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params.update(query or {})
    return at


def sign_in(at: AppTest, username: str, password: str = PASSWORD) -> AppTest:
    """Fill the sign-in form and submit it (the app must be showing the form)."""
    if not at.text_input:
        at.run()
    at.text_input(key="sign_in_username").input(username)
    at.text_input(key="sign_in_password").input(password)
    return at.button[0].click().run()


def signed_in(username: str, page: str | None = None, query: dict | None = None) -> AppTest:
    at = sign_in(fresh(query), username)
    assert not at.exception, [e.value for e in at.exception]
    if page:
        at.switch_page(page).run()
    return at


def events(trail: Path, event: str | None = None) -> list[dict]:
    if not trail.exists():
        return []
    lines = [json.loads(line) for line in trail.read_text(encoding="utf-8").splitlines()]
    return [e for e in lines if event is None or e["event"] == event]


def sheets(data: bytes) -> dict[str, list[dict]]:
    """Each sheet of a workbook as rows keyed by the (Chinese) headers."""
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    found = {}
    for sheet in book.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        found[sheet.title] = [dict(zip(rows[0], row)) for row in rows[1:]] if rows else []
    return found


@dataclass(frozen=True)
class Visible:
    """What a scope may see, from the snapshots (not from the functions under test)."""

    customers: frozenset[str]  # ever, in any period
    present_at_end: frozenset[str]  # at END, status not closed
    branches: frozenset[str]
    managers: frozenset[str]
    units: frozenset[str]  # unit keys of every level, as the unit columns hold them


def visible(con, scope: Scope) -> Visible:
    condition, params = scope.sql()
    params["end"] = END

    def column(sql: str) -> frozenset[str]:
        return frozenset(str(r[0]) for r in fetch_rows(con, sql, params) if r[0] is not None)

    units = column(f"""select unnest([coalesce(region, '(none)'), coalesce(sub_branch, '(none)'), branch_id,
                                      coalesce(manager_id, 'unassigned@' || branch_id)])
                       from unit_directory where {condition}""")
    return Visible(
        customers=column(f"select customer_id from customer_snapshot where {condition}"),
        present_at_end=column(
            f"select customer_id from customer_snapshot where {condition} "
            "and period = $end::date and status <> 'closed'"
        ),
        branches=column(f"select branch_id from customer_snapshot where {condition}"),
        managers=column(f"select manager_id from customer_snapshot where {condition}"),
        units=units | {"all"},
    )
