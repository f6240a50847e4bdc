"""The dashboard's helpers: both languages complete, .xlsx formats, 口径 from the docstrings, 万元 / 亿元."""

from __future__ import annotations

import io
import re
from datetime import date

import openpyxl
import pandas as pd
import pytest

from analytics.core.policy import load_policy
from analytics.core.policy_rules import PREFERENCES, RELATIONSHIPS, RULE_BITS
from analytics.core.units import LEVELS
from analytics.ingest.columns import CARD_LEVELS
from analytics.lists.explorer import AGE_BANDS
from analytics.lists.migration_cell import MOVES
from analytics.metrics.scorecard import scorecard
from tests.helpers.pages import app, no_exception
from tests.helpers.paths import ROOT
from ui import format as fmt
from ui import i18n
from ui.kouji import definition
from ui.xlsx import workbook

# page -> its tabs (i18n keys); each tab runs only when open
PAGES = {
    "workbench": [None],
    "overview": [None],
    "tiers": ["ti.by_unit_tab", "ti.bands_tab", "ti.cards_tab", "ti.types_tab", "ti.candidates_tab"],
    "migration": ["mi.matrix", "mi.sankey", "mi.projection"],
    "churn": ["ch.units_tab", "ch.triangle_tab", "ch.survival_tab", "ch.at_risk_tab", "ch.high_value_tab"],
    "scorecard": [None],
    "explorer": [None],
    "simulator": [None],
    "data": [None],
}


def test_i18n_every_key_the_code_uses_has_both_languages():
    source = "\n".join(
        p.read_text(encoding="utf-8") for p in [*ROOT.glob("views/*.py"), *ROOT.glob("ui/*.py"), ROOT / "app.py"]
    )
    used = set(re.findall(r"""\bt\(\s*["']([a-z_.0-9]+)["']""", source))
    used |= set(re.findall(r"""\(\s*["']((?:page|ti|mi|ch)\.[a-z_.0-9]+)["']""", source))
    dynamic = (
        {f"level.{v}" for v in ("all", *LEVELS)}
        | {f"move.{m}" for m in MOVES}
        | {f"age.{a}" for a in AGE_BANDS}
        | {f"card.{c}" for c in CARD_LEVELS}
        | {f"outcome.{o}" for o in ("closed", "left", "fell_below")}
        | {f"rel.{r}" for r in RELATIONSHIPS}
        | {f"pref.{r}" for r in PREFERENCES}
        | {f"rule.{r}" for r in RULE_BITS}
        | {f"load.{r}" for r in ("under", "within", "over")}
    )
    missing = sorted((used | dynamic) - set(i18n.TEXT))
    assert not missing
    assert all(zh and en for zh, en in i18n.TEXT.values())
    assert all(zh and en for zh, en in i18n.COLUMNS.values())


def test_i18n_every_shown_column_of_every_tab_has_a_header_in_both_languages(demo_db):
    at = app(demo_db, query={"lang": "en"})
    for page, tabs in PAGES.items():
        at.switch_page(f"views/{page}.py")
        for tab in tabs:
            if tab:  # the URL wins over session state once it names a tab, so set both
                at.session_state["tab"] = at.query_params["tab"] = i18n.TEXT[tab][1]
            no_exception(at.run())
            assert all(not re.search(r"[\u4e00-\u9fff]", h.value) for h in at.subheader), page
            for table in at.dataframe:
                unknown = [c for c in table.value.columns if c not in i18n.COLUMNS]
                assert not unknown, (page, tab, unknown)


def test_workbook_writes_wan_percent_and_a_frozen_header():
    frame = pd.DataFrame(
        {
            "tier": ["mass", "exited"],
            "aum": [123_456.78, 0.0],
            "churn_rate": [0.0525, None],
            "customers": [3, 4],
            "period": [date(2026, 9, 30), date(2026, 6, 30)],
        }
    )
    book = openpyxl.load_workbook(io.BytesIO(workbook([("表", frame)], load_policy(), "zh")))
    sheet = book["表"]
    assert [c.value for c in sheet[1]] == ["层级", "金融资产（万元）", "保·流失率", "客户数", "期末"]
    assert [sheet["A2"].value, sheet["A3"].value] == ["大众客户", "流失离行"]
    assert sheet["B2"].value == pytest.approx(12.345678) and sheet["B2"].number_format == "#,##0.00"
    assert sheet["C2"].value == pytest.approx(0.0525) and sheet["C2"].number_format == "0.00%"
    assert sheet["C3"].value is None  # undefined rate: blank, never 0
    assert sheet["D2"].number_format == "#,##0" and sheet["E2"].value.date() == date(2026, 9, 30)
    assert sheet.freeze_panes == "A2"


def test_workbook_keeps_formula_like_names_from_an_extract_as_quoted_text():
    names = ["=1+1", "@SUM(A1:A9)", "+86 1380", "-2+3", "\tcmd", "城东网点"]
    frame = pd.DataFrame({"branch_name": names, "customers": range(len(names))})
    sheet = openpyxl.load_workbook(io.BytesIO(workbook([("表", frame)], load_policy(), "zh")))["表"]
    cells = [sheet.cell(row=r, column=1) for r in range(2, 2 + len(names))]
    assert [c.value for c in cells] == names  # the text as the bank wrote it
    assert all(c.data_type == "s" for c in cells)  # a string, never a formula
    assert [c.quotePrefix for c in cells] == [True, True, True, True, True, False]  # Excel keeps them text on edit


def test_definition_takes_the_clause_of_the_metric_from_the_docstring():
    churn = definition(scorecard, "churn_rate")
    assert churn.startswith("**口径**") and "churned / maintained\\_start" in churn
    assert "coverage" not in churn
    assert "covered\\_end / maintained\\_end" in definition(scorecard, "coverage_rate")


def test_format_reads_like_a_banker():
    assert fmt.wan(123_456.78) == "12.35万" and fmt.yi(7_284_253_942.09) == "72.84亿"
    assert fmt.money(250_000_000) == "2.50亿" and fmt.percent(None) == "—"
    assert fmt.period(date(2026, 9, 30)) == "2026Q3" and fmt.period(date(2026, 8, 31)) == "2026-08"
    assert fmt.signed_points(-0.024) == "-2.40pp" and fmt.signed_count(22) == "+22"
    assert [fmt.bound(x) for x in (100, 10_000, 2_000_000)] == ["100元", "1万", "200万"]


def test_the_tests_page_lists_cover_every_page_of_the_navigation():
    # ui.navigation is the one page list; the per-page tables of the page, injection, security and browser tests
    # must name every page, so that a new page cannot go untested
    from tests.slow.test_browser import PAGES as BROWSED
    from tests.ui.test_injection import TITLES
    from tests.ui.test_security_pages import WALK
    from ui.navigation import HQ_PAGES
    from ui.navigation import PAGES as USER_PAGES

    user_pages = {url for _, _, _, url in USER_PAGES}
    every_page = user_pages | {url for _, _, _, url in HQ_PAGES}
    assert set(PAGES) == set(TITLES) == every_page - {"audit"}  # the audit page reads the trail, not the bank
    assert {script.removeprefix("views/").removesuffix(".py") for script, _ in WALK} == user_pages
    assert {shot for _, _, shot in BROWSED} >= every_page - {"audit"}


def test_plain_shows_text_from_extracts_letter_for_letter_as_markdown():
    from tests.helpers.payloads import PAYLOADS, as_rendered

    for text in [*PAYLOADS.values(), "城东网点", "3101_分行 #1", "a@b.example www.x.example"]:
        shown = fmt.plain(text)
        assert as_rendered(shown) == text
        assert "](" not in shown.replace("\\]\\(", "") and ":material/" not in shown and "www." not in shown
