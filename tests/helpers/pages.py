"""The page tests' demo bank and AppTest runs of the dashboard: open a page, find a table or a card, open a tab.

The demo bank itself is a fixture (demo_db in tests/conftest.py): built once per test run, each worker reads its
own copy.
"""

from __future__ import annotations

import os
from pathlib import Path

from streamlit.testing.v1 import AppTest

from analytics.store.connection import connect
from analytics.store.generations import open_reader
from analytics.store.load import load_files
from tests.helpers.paths import ROOT
from tools.demo_bank.simulate import generate_extracts

APP = ROOT / "app.py"
CUSTOMERS, MONTHS = 3000, 7  # 2026-03-31 .. 2026-09-30: quarters 2026Q2 and 2026Q3


def build_demo_bank(folder: Path) -> Path:
    """Generate the demo bank's month-end extracts into folder/extracts and load them into folder/bank.duckdb."""
    paths = generate_extracts(folder / "extracts", customers=CUSTOMERS, months=MONTHS)
    con = connect(folder / "bank.duckdb")
    results = load_files(con, paths)
    con.close()
    assert all(r.outcome == "loaded" for r in results), [r.summary() for r in results]
    return folder / "bank.duckdb"


def app(db: Path, page: str | None = None, query: dict | None = None, timeout: float = 60) -> AppTest:
    """The dashboard on `db` after its first run (on `page`, e.g. "views/tiers.py", when given)."""
    os.environ["BANK_DB"] = str(db)
    at = AppTest.from_file(str(APP), default_timeout=timeout)
    at.query_params.update(query or {})
    at.run()
    if page:
        at.switch_page(page).run()
    return at


def analytics_connection(db: Path):
    """A reader for computing expected numbers in a test, opened as the dashboard opens its own."""
    return open_reader(db)


def frame_with(at: AppTest, *columns: str):
    """The shown table (as displayed: 万元, percent points, tier names) that has all `columns`."""
    for element in at.dataframe:
        value = element.value
        if all(c in value.columns for c in columns):
            return value
    raise AssertionError(f"no table with columns {columns}: {[list(d.value.columns) for d in at.dataframe]}")


def metric(at: AppTest, label: str):
    found = [m for m in at.metric if m.label == label]
    assert found, f"no metric {label!r}: {[m.label for m in at.metric]}"
    return found[0]


def open_tab(at: AppTest, label: str) -> AppTest:
    """Open a page's tab as a user would (the URL wins over session state once it names a tab: set both)."""
    at.session_state["tab"] = at.query_params["tab"] = label
    return no_exception(at.run())


def no_exception(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at
