"""Injection-proofing of the pages: hostile strings in every URL query parameter the pages read and in the widgets
a user can type into (the CLI's arguments: tests/unit/test_cli_injection.py).

Each payload must leave the app without an exception and with the same numbers as the page without it (bound
widgets drop an invalid value from the URL and fall back to their default; a free-text value is a bound SQL
parameter), the database file byte for byte as it was, and no file behind (/tmp/pwned.csv ...).

Cost: one AppTest deep-link run per (scenario, payload) with the payload in *every* parameter of the scenario
at once (a scenario is a page with the tab or filter its parameters need), 33 payloads x 16 scenarios, about 540 runs (the 100 KB payload goes in 3 parameters at a time).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from tests.helpers.pages import APP
from tests.helpers.payloads import PAYLOADS, UPLOAD_NAMES, as_rendered, present, sha256
from ui.i18n import TEXT

FREE_TEXT = ("customer",)  # views/explorer.py text_input: the payload is the customer id looked up
QUERY_LIMIT = 500_000  # Streamlit ignores a query string over 512 Ki characters (runtime/state/query_params.py)
GLOBAL = ["lang", "q", "view"]  # the sidebar of every page (app.py, ui/sidebar.py)
BRANCH = {"view": TEXT["level.branch"][0]}  # a level chosen, so the sidebar reads `unit`
TITLES = {
    "workbench": "wb.title",
    "overview": "ov.title",
    "tiers": "ti.title",
    "migration": "mi.title",
    "churn": "ch.title",
    "scorecard": "sc.title",
    "explorer": "ex.title",
    "simulator": "sim.title",
    "data": "da.title",
}


def zh(key: str) -> str:
    return TEXT[key][0]


# page url -> scenarios: (base query that makes the parameters' widgets appear, the parameters to inject)
SCENARIOS: dict[str, list[tuple[dict[str, str], list[str]]]] = {
    "overview": [({}, GLOBAL), (BRANCH, ["unit"])],
    "tiers": [
        ({}, [*GLOBAL, "tab", "by", "measure"]),
        ({"tab": zh("ti.bands_tab")} | BRANCH, ["exclude", "unit"]),
        ({"tab": zh("ti.candidates_tab")}, ["within", "page"]),
    ],
    "migration": [
        ({}, [*GLOBAL, "from", "to", "tab", "cells", "move"]),
        ({"move": zh("move.down")} | BRANCH, ["page", "unit"]),
    ],
    "churn": [
        ({}, [*GLOBAL, "tab", "by"]),
        ({"tab": zh("ch.at_risk_tab")} | BRANCH, ["months", "drop", "page", "unit"]),
        ({"tab": zh("ch.high_value_tab")}, ["hq_page"]),
    ],
    "scorecard": [({}, [*GLOBAL, "level"]), (BRANCH, ["unit"])],
    "explorer": [
        (
            {},
            [
                *GLOBAL,
                "tiers",
                "cards",
                "age",
                "products",
                "aum_min",
                "aum_max",
                "months",
                "sort",
                "desc",
                "page",
                "customer",
            ],
        ),
        ({"months": "3"} | BRANCH, ["change", "unit"]),
    ],
    "data": [({}, GLOBAL), (BRANCH, ["unit"])],
}


_SHARED: dict[str, object] = {}


def deep_link(url: str, query: dict[str, str]) -> AppTest:
    """A fresh session opened at /url?query, as a browser's deep link: one run, on that page.

    Two private attributes of AppTest: the page to open (st.Page hashes its url_path; switch_page() needs a
    first run elsewhere, which would see the query first), and the component registry, which AppTest otherwise
    rebuilds for every new instance by reading every installed package's metadata (two thirds of a run here).
    A wrong page shows up as a wrong title (problems_of).
    """
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params.update(query)
    at._page_hash = calc_hash(url)
    at._bidi_component_manager = _SHARED.get("components")
    at.run()
    _SHARED.setdefault("components", at._bidi_component_manager)
    return at


def fingerprint(at: AppTest) -> tuple:
    """The page's numbers: every metric, and every table's shape, columns and first rows."""
    return (
        [(m.label, m.value, m.delta) for m in at.metric],
        [(d.value.shape, list(d.value.columns), d.value.head(3).to_csv()) for d in at.dataframe],
    )


def problems_of(at: AppTest, url: str) -> list[str]:
    found = [f"exception: {str(e.value)[:200]}" for e in at.exception]
    titles = [t.value for t in at.title]
    if zh(TITLES[url]) not in titles:
        found.append(f"not on the page: titles {titles}")
    return found


@pytest.fixture
def db(monkeypatch, demo_db) -> Path:
    monkeypatch.setenv("BANK_DB", str(demo_db))  # the dashboard's database (ui/connection.py)
    return demo_db


def chunks(base: dict[str, str], params: list[str], payload: str) -> list[list[str]]:
    """`params` in groups whose URL stays under Streamlit's limit (a longer query string is dropped whole)."""
    groups: list[list[str]] = [[]]
    for param in params:
        if groups[-1] and len(urlencode(base | {p: payload for p in [*groups[-1], param]})) > QUERY_LIMIT:
            groups.append([])
        groups[-1].append(param)
    return groups


@pytest.mark.parametrize("url", list(SCENARIOS))
def test_url_payloads_leave_numbers_database_and_files_unchanged(db, url):
    before, files = sha256(db), present()
    failures, runs, kept = [], 0, 0
    for base, params in SCENARIOS[url]:
        baseline = deep_link(url, base)
        assert not problems_of(baseline, url), problems_of(baseline, url)
        expected = fingerprint(baseline)
        for name, payload in PAYLOADS.items():
            injected = list(params)
            for group in chunks(base, injected, payload):
                at = deep_link(url, base | {p: payload for p in group})
                runs += 1
                where = f"/{url}?{base} + {group}={name}"
                failures += [f"{where}: {p}" for p in problems_of(at, url)]
                if not at.exception and fingerprint(at) != expected:
                    failures.append(f"{where}: the numbers changed")
                # a bound widget that rejects a value drops it from the URL; one left there was read by no widget
                # (a wrong scenario), unless the widget takes free text
                left = [p for p in group if payload and at.query_params.get(p) == payload]
                failures += [f"{where}: {p} read by no widget" for p in left if p not in FREE_TEXT]
                kept += len(left)
    assert not failures, "\n".join(failures[:20])
    assert sha256(db) == before
    assert present() == files
    print(
        f"\n{url}: {len(SCENARIOS[url])} scenarios x {len(PAYLOADS)} payloads in {runs} runs: no exception, "
        f"numbers unchanged; {kept} kept as free text ({', '.join(FREE_TEXT)}), every other one dropped"
    )


@pytest.mark.parametrize("url, query", [("tiers", {"measure": ""}), ("migration", {"cells": ""})])
def test_url_required_segmented_control_left_empty_falls_back_to_its_default(db, url, query):
    at = deep_link(url, query)
    assert not at.exception, [str(e.value)[:200] for e in at.exception]


@pytest.mark.parametrize(
    "url, query",
    [
        ("explorer", {"page": "1e309"}),
        ("tiers", {"tab": zh("ti.candidates_tab"), "page": "inf"}),
        ("migration", {"move": zh("move.down"), "page": "-inf"}),
        ("churn", {"tab": zh("ch.high_value_tab"), "hq_page": "1e309"}),
    ],
)
def test_url_pager_with_an_infinite_page_number_is_rejected_cleanly(db, url, query):
    at = deep_link(url, query)
    assert not at.exception, [e.value for e in at.exception]


def test_explorer_customer_text_input_takes_every_payload_as_a_plain_value(db):
    before, files = sha256(db), present()
    at = deep_link("explorer", {})
    expected = fingerprint(at)
    for name, payload in PAYLOADS.items():
        at.text_input(key="customer").set_value(payload).run()
        assert not at.exception, (name, [e.value for e in at.exception])
        assert fingerprint(at) == expected, name
        if payload:  # no such customer: the page says so
            assert [i.value for i in at.info] == [zh("nothing")], name
    assert sha256(db) == before
    assert present() == files


def test_explorer_number_inputs_typed_out_of_range_keep_the_numbers(db):
    """What a client can send for a number a user types: NaN, infinities, below the minimum, absurdly large."""
    at = deep_link("explorer", {})
    expected = fingerprint(at)
    for key, values in (
        ("aum_min", [float("nan"), float("inf"), float("-inf"), -1.0]),
        ("aum_max", [float("nan"), float("inf"), float("-inf"), -1.0, 1e308]),
        ("page", [-1, 0, 10**30]),
    ):
        for value in values:
            at.number_input(key=key).set_value(value).run()
            assert not at.exception, (key, value, [str(e.value)[:200] for e in at.exception])
            assert fingerprint(at) == expected, (key, value)
            at = deep_link("explorer", {})


def test_data_upload_with_payload_file_names_and_cells_reports_each_file_cleanly(monkeypatch, demo_copy):
    """File names and cell values of an upload are reported as plain text; the default period at its extreme."""
    target = demo_copy("injection_upload")
    monkeypatch.setenv("BANK_DB", str(target))
    files = present()
    content = f"客户号,金融资产\n{PAYLOADS['drop_table']},{PAYLOADS['copy_to']}\n".encode()
    at = deep_link("data", {})
    at.file_uploader(key="upload").set_value(
        [(f"{payload}.csv", content, "text/csv") for payload in UPLOAD_NAMES.values()]
    )
    at.date_input(key="default_period").set_value(date(9999, 12, 31))
    at.run()
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    reported = " ".join(as_rendered(e.value) for e in at.error)
    assert len(at.error) == len(UPLOAD_NAMES)  # every file rejected (no such columns), one line each
    for payload in UPLOAD_NAMES.values():
        assert Path(f"{payload}.csv").name in reported
    assert zh("da.quality") in [s.value for s in at.subheader]  # the loaded data is still there
    assert present() == files
    # and as markdown it is only text: no link, image or icon can be made of a name
    assert not any(re.search(r"(?<!\\)\[[^\]]*(?<!\\)\]\(", e.value) or ":material/" in e.value for e in at.error)


def test_data_upload_with_a_file_name_over_255_bytes_is_rejected_cleanly(monkeypatch, demo_copy):
    name = "x" * 300 + ".csv"  # (a NUL byte in a name never reaches the page: Streamlit's uploader refuses it)
    monkeypatch.setenv("BANK_DB", str(demo_copy("injection_upload_name")))
    at = deep_link("data", {})
    at.file_uploader(key="upload").set_value([(name, b"a,b\n1,2\n", "text/csv")])
    at.run()
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
