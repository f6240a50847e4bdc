"""Injection-proofing (issue #6): hostile strings in every URL query parameter the pages read, in the widgets a
user can type into, and in every argument of the CLI's `report` and `load`.

Each payload must leave the app without an exception and with the same numbers as the page without it (bound
widgets drop an invalid value from the URL and fall back to their default; a free-text value is a bound SQL
parameter), the database file byte for byte as it was, and no file behind (/tmp/pwned.csv ...). The CLI exits 2
with a one-line message, or 0 with the same output as without the payload; never a traceback.

Cost: one AppTest deep-link run per (scenario, payload) with the payload in *every* parameter of the scenario
at once (a scenario is a page with the tab or filter its parameters need), 33 payloads x 16 scenarios, about 540 runs (the 100 KB payload goes in 3 parameters at a time).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from analytics.cli.main import main as cli_main
from tests.helpers.pages import APP
from tests.helpers.paths import ROOT
from ui.i18n import TEXT

LONG = ("' OR 1=1; -- " * 7_900)[:100_000]  # 100 KB
PAYLOADS: dict[str, str] = {
    "quote": "'",
    "double_quote": '"',
    "semicolon": ";",
    "line_comment": "x' -- ",
    "block_comment": "/* */ x /*",
    "drop_table": "'; drop table customer_snapshot; --",
    "copy_to": "'; COPY customer_snapshot TO '/tmp/pwned.csv'; --",
    "copy_bare": "COPY customer_snapshot TO '/tmp/pwned.csv'",
    "read_csv": "read_csv('/etc/passwd')",
    "union_read_text": "' UNION SELECT * FROM read_text('/etc/passwd') --",
    "attach": "'; ATTACH '/tmp/x.db' AS x; --",
    "dollar_param": "$1",
    "qmark": "?",
    "format_braces": "{x}{0}{error}{0.__class__.__mro__}",
    "percent_s": "%s %d %(x)s %27%3B%20--%00",
    "nul": "\x00",
    "escaped_nul": "\\x00",
    "long_100k": LONG,
    "fullwidth_quote": "＇ OR ＇1＇=＇1",
    "rtl_override": "\u202e'; --",
    "zero_width_joiner": "2026\u200dQ3",
    "homoglyph_lang": "\u0435n",  # Cyrillic е + n: looks like `en`
    "homoglyph_quarter": "2\u041e26Q3",  # Cyrillic О for the zero
    "combining": "'\u0301\u0338 Z\u0336a\u0337",
    "newline_cr": "a\r\nb\n' OR '1'='1",
    "html_script": "<script>alert(1)</script>",
    "json": '{"$ne": null, "a": ["\'; --"]}',
    "path_traversal": "../../etc/passwd",
    "valid_prefix": "2026Q3' OR '1'='1",
    "numeric_overflow": "1e309",
    "nan": "NaN",
    "negative": "-1",
    "empty": "",
}
FREE_TEXT = ("customer",)  # views/explorer.py text_input: the payload is the customer id looked up
QUERY_LIMIT = 500_000  # Streamlit ignores a query string over 512 Ki characters (runtime/state/query_params.py)
FILES_THAT_MUST_NOT_APPEAR = [
    Path(p) for p in ("/tmp/pwned.csv", "/tmp/x.db", "/tmp/x.db.wal", "/tmp/pwned.db", "pwned.csv", "x.db")
]
GLOBAL = ["lang", "q", "view"]  # the sidebar of every page (app.py, ui/sidebar.py)
BRANCH = {"view": TEXT["level.branch"][0]}  # a level chosen, so the sidebar reads `unit`
TITLES = {
    "overview": "ov.title",
    "tiers": "ti.title",
    "migration": "mi.title",
    "churn": "ch.title",
    "scorecard": "sc.title",
    "explorer": "ex.title",
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


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def present() -> set[Path]:
    return {p for p in FILES_THAT_MUST_NOT_APPEAR if p.exists()}


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


UPLOAD_NAMES = {name: payload for name, payload in PAYLOADS.items() if name not in ("nul", "long_100k", "empty")}


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
    reported = " ".join(e.value for e in at.error)
    assert len(at.error) == len(UPLOAD_NAMES)  # every file rejected (no such columns), one line each
    for payload in UPLOAD_NAMES.values():
        assert Path(f"{payload}.csv").name in reported
    assert zh("da.quality") in [s.value for s in at.subheader]  # the loaded data is still there
    assert present() == files


def test_data_upload_with_a_file_name_over_255_bytes_is_rejected_cleanly(monkeypatch, demo_copy):
    name = "x" * 300 + ".csv"  # (a NUL byte in a name never reaches the page: Streamlit's uploader refuses it)
    monkeypatch.setenv("BANK_DB", str(demo_copy("injection_upload_name")))
    at = deep_link("data", {})
    at.file_uploader(key="upload").set_value([(name, b"a,b\n1,2\n", "text/csv")])
    at.run()
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]


# ---------------------------------------------------------------- CLI


def cli(argv: list[str]) -> tuple[int, str, str]:
    """`python -m analytics ARGV` in this process: (exit code, stdout, stderr); an exception escapes."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli_main(argv)
        except SystemExit as exit_:
            code = exit_.code
    return code, out.getvalue(), err.getvalue()


REPORT_ARGS = {  # option -> a report that reads it (with the payload as the option's value)
    "kind": lambda db, p: ["report", p, "--db", str(db)],
    "--period": lambda db, p: ["report", "tiers", "--period", p, "--db", str(db)],
    "--from": lambda db, p: ["report", "migration", "--from", p, "--to", "2026-09-30", "--db", str(db)],
    "--to": lambda db, p: ["report", "migration", "--from", "2026-06-30", "--to", p, "--db", str(db)],
    "--quarter": lambda db, p: ["report", "scorecard", "--quarter", p, "--db", str(db)],
    "--by": lambda db, p: ["report", "churn", "--by", p, "--db", str(db)],
    "--format": lambda db, p: ["report", "tiers", "--format", p, "--db", str(db)],
}


def without(argv: list[str], option: str) -> list[str]:
    """argv without `option` and its value: what a report accepting the payload must equal (its default)."""
    if option == "kind":
        return argv
    i = argv.index(option)
    return argv[:i] + argv[i + 2 :]


def test_cli_report_payloads_exit_2_with_a_message_or_0_with_the_same_result(db):
    before, files = sha256(db), present()
    failures, rejected, accepted = [], 0, 0
    for option, build in REPORT_ARGS.items():
        for name, payload in PAYLOADS.items():
            argv = build(db, payload)
            try:
                code, out, err = cli(argv)
            except Exception as error:  # noqa: BLE001 - the finding
                failures.append(f"{option}={name}: {type(error).__name__}: {str(error)[:200]}")
                continue
            if code == 2:
                rejected += 1
                if not err.strip() or "Traceback" in err or out:
                    failures.append(f"{option}={name}: exit 2 without a clean message: {err[-200:]!r}")
            elif code == 0:
                accepted += 1  # e.g. --quarter ２０２６Q3 (full-width digits) is 2026Q3, the default
                if out != cli(without(argv, option))[1]:
                    failures.append(f"{option}={name}: exit 0 with another result")
            else:
                failures.append(f"{option}={name}: exit {code}: {err[-200:]!r}")
    assert not failures, "\n".join(failures)
    assert sha256(db) == before
    assert present() == files
    print(
        f"\nreport: {len(REPORT_ARGS)} options x {len(PAYLOADS)} payloads: {rejected} exit 2, {accepted} exit 0 "
        f"with the default's result"
    )


def test_cli_load_payloads_in_file_names_period_and_policy_exit_2_and_change_nothing(db, tmp_path):
    target = tmp_path / "bank.duckdb"
    shutil.copyfile(db, target)
    before, files = sha256(target), present()
    sample = sorted((ROOT / "data" / "samples").glob("*.csv"))[0]
    failures = []
    for name, payload in PAYLOADS.items():
        if "\x00" in payload:  # argv cannot carry a NUL byte (execve); the shell never passes one
            continue
        for option, argv in (
            ("FILE", ["load", str(tmp_path / f"{payload[:200]}.csv"), "--db", str(target)]),  # no such file
            ("--period", ["load", str(sample), "--period", payload, "--db", str(target)]),
            ("--policy", ["load", "--policy", str(tmp_path / f"{payload[:200]}.toml"), "--db", str(target)]),
        ):
            try:
                code, out, err = cli(argv)
            except Exception as error:  # noqa: BLE001
                failures.append(f"load {option}={name}: {type(error).__name__}: {str(error)[:200]}")
                continue
            if code != 2 or not err.strip() or "Traceback" in err:
                failures.append(f"load {option}={name}: exit {code}: {err[-200:]!r}")
    # a report on the database by a traversing path that resolves to it reads it as usual
    (tmp_path / "a" / "b").mkdir(parents=True)
    same = cli(["report", "tiers", "--db", str(tmp_path / "a" / "b" / ".." / ".." / "bank.duckdb")])
    assert same == cli(["report", "tiers", "--db", str(target)])
    assert not failures, "\n".join(failures)
    assert sha256(target) == before
    assert present() == files
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "bank.duckdb"]


def test_cli_load_files_named_like_payloads_are_recorded_verbatim(db, tmp_path):
    """Payloads as file names of real extracts: loaded once (then unchanged), the names stored as plain values."""
    target = tmp_path / "bank.duckdb"
    shutil.copyfile(db, target)
    sample = sorted((ROOT / "data" / "samples").glob("*.csv"))[-1]  # 2026-09-30: already loaded, same rows
    folder = tmp_path / "extracts"
    folder.mkdir()
    names = {name: f"{payload}.csv" for name, payload in UPLOAD_NAMES.items() if "/" not in payload}
    for file_name in names.values():
        shutil.copyfile(sample, folder / file_name)
    code, out, err = cli(["load", *(str(folder / n) for n in names.values()), "--db", str(target)])
    assert code == 0, err
    from analytics.store.generations import open_reader

    con = open_reader(target)
    try:
        recorded = {Path(f).name for (f,) in con.execute("select file_name from load_log").fetchall()}
        assert set(names.values()) <= recorded
        assert con.execute("select count(*) from customer_snapshot").fetchone()[0] > 0
    finally:
        con.close()
    assert not present()


def test_cli_report_db_payload_paths_that_do_not_exist_exit_2(tmp_path):
    for name, payload in PAYLOADS.items():
        path = tmp_path / payload
        if "\x00" in payload or len(payload) > 200 or path.exists():  # "" is tmp_path itself
            continue
        code, out, err = cli(["report", "tiers", "--db", str(path)])
        assert code == 2 and "no database" in err, (name, code, err[-200:])
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", ["load", "report"])
def test_cli_path_longer_than_the_file_system_allows_exits_2(tmp_path, command):
    long = str(tmp_path / ("x" * 300))
    argv = (
        ["load", long, "--db", str(tmp_path / "bank.duckdb")]
        if command == "load"
        else ["report", "tiers", "--db", long]
    )
    done = run_module(*argv)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr[-300:]


@pytest.fixture
def not_a_database(tmp_path: Path) -> Path:
    """A copy of /etc/passwd reached by a traversing path (never the real one: `load` writes beside --db)."""
    (tmp_path / "a" / "b").mkdir(parents=True)
    shutil.copyfile("/etc/passwd", tmp_path / "passwd")
    return tmp_path / "a" / "b" / ".." / ".." / "passwd"


def run_module(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "analytics", *args], cwd=ROOT, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize("kind", ["file", "directory"])
def test_cli_report_db_that_is_not_a_database_exits_2_without_a_traceback(not_a_database, kind):
    path = not_a_database if kind == "file" else not_a_database.parent
    done = run_module("report", "tiers", "--db", str(path))
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr[-300:]


@pytest.mark.parametrize("kind", ["file", "directory"])
def test_cli_load_db_that_is_not_a_database_exits_2_and_leaves_nothing(not_a_database, kind):
    path = not_a_database if kind == "file" else not_a_database.parent
    sample = sorted((ROOT / "data" / "samples").glob("*.csv"))[0]
    before = sha256(not_a_database)
    done = run_module("load", str(sample), "--db", str(path))
    assert sha256(not_a_database) == before  # never written, in any case
    leftovers = [p.name for p in not_a_database.resolve().parent.iterdir() if re.search(r"\.loading", p.name)]
    assert done.returncode == 2 and "Traceback" not in done.stderr and not leftovers, (done.stderr[-300:], leftovers)


def test_cli_as_a_process_rejects_payloads_with_exit_2_and_no_traceback(db):
    """A few payloads through a real `python -m analytics` (argv, encodings, exit code as the shell sees them)."""
    for args in (
        ["report", "scorecard", "--quarter", PAYLOADS["drop_table"]],
        ["report", "migration", "--from", PAYLOADS["union_read_text"], "--to", "2026-09-30"],
        ["report", "tiers", "--by", PAYLOADS["rtl_override"]],
        ["report", "tiers", "--format", PAYLOADS["html_script"]],
    ):
        done = run_module(*args, "--db", str(db))
        assert done.returncode == 2 and "Traceback" not in done.stderr and done.stderr.strip(), done.stderr[-300:]
    assert not present()
