"""The load test's people: a users file of its own over the bank's real units, and each person's views.

`write_users` picks units from the database's latest period (unit_directory, as the roles resolve them) so that
every scope is non-empty, and writes one account per session with the product's own means
(analytics.access.users.add_user, bcrypt at the product's cost unless told otherwise): the roles in the mix of
ROTATION (managers and branch heads most, then HQ, sub-branches and regions), each branch head on another branch,
each manager on another book. HQ accounts have a second factor (TOTP); the session computes the code from the
secret, as the user's authenticator app would.

`views` gives each person the pages their role sees (HQ: all; others: not simulator / data / audit, as
ui/navigation.py) and, per page, a query string of their own, the URL parameters of docs/pages.md
"Shareable views" (quarter, unit, tab, list page, the page's own filters), values in the labels the widgets
show (zh-CN, the default language).
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import duckdb

from analytics.access.signin import new_secret
from analytics.access.users import ROUNDS, add_user
from analytics.store.catalog import quarters
from ui.labels import TEXT
from ui.navigation import HQ_PAGES

# the role of session n is ROTATION[n % 10]: 4 managers, 3 branch heads, 1 HQ, 1 sub-branch, 1 region in 10;
# sessions 0 and 1 (the smoke test's two) are HQ and a manager
ROTATION = ("hq", "manager", "branch", "manager", "sub_branch", "branch", "manager", "region", "branch", "manager")
SECOND_FACTOR = {"hq"}  # roles whose accounts get a TOTP secret
HQ_ONLY = {url for _script, _title, _icon, url in HQ_PAGES}
# the tabs of the pages that have them (ui.widgets.tabs, key "tab"), by label key; HQ also has the accountability
TABS = {
    "workbench": ("wb.calls_tab", "wb.coverage_tab", "wb.red_tab"),
    "tiers": ("ti.by_unit_tab", "ti.bands_tab", "ti.cards_tab", "ti.types_tab", "ti.candidates_tab"),
    "migration": ("mi.matrix", "mi.sankey", "mi.projection"),
    "churn": ("ch.units_tab", "ch.triangle_tab", "ch.survival_tab", "ch.at_risk_tab", "ch.high_value_tab"),
    "scorecard": ("sc.units_tab", "sc.roles_tab"),
}


@dataclass
class Person:
    username: str
    password: str = field(repr=False)
    role: str
    units: tuple[str, ...] = ()
    totp_secret: str | None = field(default=None, repr=False)
    unit_label: str | None = None  # the sidebar's 查看范围 value of the user's own unit (None: the whole scope)
    pages: list[str] = field(default_factory=list)
    queries: dict[str, str] = field(default_factory=dict)  # url path -> query string


def zh(key: str) -> str:
    return TEXT[key][0]


def _units(db: Path) -> dict[str, list[tuple[str, str]]]:
    """Per level, (unit, the label the sidebar shows) of the latest period, in a fixed shuffled order."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        latest = "period = (select max(period) from unit_directory)"
        rows = {
            "region": con.execute(f"select distinct region, region from unit_directory where {latest}").fetchall(),
            "sub_branch": con.execute(
                f"select distinct sub_branch, sub_branch from unit_directory where {latest}"
            ).fetchall(),
            "branch": con.execute(
                f"select branch_id, any_value(branch_name) from unit_directory where {latest} group by 1"
            ).fetchall(),
            "manager": con.execute(
                f"select manager_id, any_value(manager_name) from unit_directory where {latest} and manager_id is "
                "not null and manager_name is not null group by 1 order by sum(customers) desc, 1"
            ).fetchall()[:200],  # the larger books
        }
        found = quarters(con)
    finally:
        con.close()
    rng = random.Random(11)
    units = {}
    for level, pairs in rows.items():
        pairs = sorted((str(u), str(n)) for u, n in pairs if u)
        rng.shuffle(pairs)
        units[level] = [(u, u if n == u or level in ("region", "sub_branch") else f"{u} {n}") for u, n in pairs]
    units["quarters"] = [(q, q) for q in found]
    return units


def plan(db: Path, sessions: int, pages: list[str]) -> list[Person]:
    """The `sessions` people (without writing anything): roles, units, passwords, secrets, pages and queries."""
    units = _units(db)
    taken = {level: 0 for level in units}
    people = []
    for n in range(sessions):
        role = ROTATION[n % len(ROTATION)]
        mine: tuple[str, ...] = ()
        label = None
        if role != "hq":
            options = units[role]
            unit, label = options[taken[role] % len(options)]
            taken[role] += 1
            mine = (unit,)
        person = Person(
            username=f"load{n:03d}.{role}",
            password=secrets.token_urlsafe(15),
            role=role,
            units=mine,
            totp_secret=new_secret() if role in SECOND_FACTOR else None,
            unit_label=label,
        )
        person.pages = [p for p in pages if role == "hq" or p not in HQ_ONLY]
        person.queries = views(person, units, random.Random(n))
        people.append(person)
    return people


def views(person: Person, units: dict[str, list[tuple[str, str]]], rng: random.Random) -> dict[str, str]:
    """Each page's query string of `person`: the sidebar's quarter and unit (the same on every page, as the
    sidebar keeps them), and the page's own tab, list page and filters."""
    sidebar: dict[str, str] = {}
    quarters_ = [q for q, _ in units["quarters"]]
    if len(quarters_) > 1 and rng.random() < 0.7:
        sidebar["q"] = rng.choice(quarters_[1:5])  # the newest is the default, which the URL never carries
    if person.role == "hq":
        if rng.random() < 0.6:
            level = rng.choice(("branch", "manager", "sub_branch", "region"))
            sidebar["view"] = zh(f"level.{level}")
            sidebar["unit"] = rng.choice(units[level][:40])[1]
    elif person.unit_label is not None and rng.random() < 0.5:  # the user's own unit picked in the sidebar
        sidebar["view"] = zh(f"level.{person.role}")
        sidebar["unit"] = person.unit_label
    queries = {}
    for page in person.pages:
        own = dict(sidebar)
        tabs = TABS.get(page, ())
        if page == "scorecard" and person.role == "hq":
            tabs = (*tabs, "sc.accountability_tab")
        if tabs:
            tab = rng.choice(tabs)
            if tab != tabs[0]:  # the first tab is the default, which the URL never carries
                own["tab"] = zh(tab)
        if page == "explorer" and rng.random() < 0.5:
            own["page"] = str(rng.randint(2, 3))
        if page == "churn" and own.get("tab") == zh("ch.at_risk_tab"):
            own["drop"] = str(rng.choice((10, 30, 50)))
        if page == "tiers" and rng.random() < 0.3:
            own["exclude"] = "true"
        if page == "migration" and rng.random() < 0.3:
            own["hide"] = "false"
        queries[page] = urlencode(own)
    return queries


def write_users(path: Path, people: list[Person], rounds: int = ROUNDS) -> Path:
    """The users file of `people` (analytics.access.users.add_user), bcrypt cost `rounds`."""
    for person in people:
        add_user(
            path,
            person.username,
            person.password,
            person.role,
            person.units,
            rounds=rounds,
            totp_secret=person.totp_secret,
        )
    return path
