"""One language at a time: every text an AppTest run of a page draws (labels, help, captions, options, placeholders,
chart titles and axes, table headers and cells) is free of the other language's known leaks, on every tab of the
pages overview, tiers, migration, churn, scorecard, workbench, explorer, simulator and data."""

from __future__ import annotations

import json
import re

import pytest
from google.protobuf.message import Message

from tests.helpers.pages import app, no_exception
from ui import i18n

TABS = {
    "overview": [None],
    "tiers": ["ti.by_unit_tab", "ti.bands_tab", "ti.cards_tab", "ti.types_tab", "ti.candidates_tab"],
    "migration": ["mi.matrix", "mi.sankey", "mi.projection"],
    "churn": ["ch.units_tab", "ch.triangle_tab", "ch.survival_tab", "ch.at_risk_tab", "ch.high_value_tab"],
    "scorecard": ["sc.units_tab", "sc.roles_tab", "sc.accountability_tab"],
    "workbench": ["wb.calls_tab", "wb.coverage_tab", "wb.red_tab", "wb.unassigned_tab", "wb.load_tab",
                  "wb.handover_tab", "wb.outflow_tab", "wb.birthday_tab", "wb.completeness_tab", "wb.products_tab"],
    "explorer": [None],
    "simulator": [None],
    "data": [None],
}  # fmt: skip
# texts seen on these pages in the wrong language before (the oracle): in English, 亿/万 units, Chinese tier, card and
# level names, the 口径 marker, 元, the demo banner; in Chinese, English code or docstrings in the 口径, raw policy
# codes, Streamlit's English defaults and the demo banner
LEAKS = {
    "en": ["亿", "万元", "全行", "白金卡", "钻石卡", "普卡", "≥1万", "口径", "大众客户", "潜力客户", "流失离行", "新增", "样本",
           "层级", "客户数", "元", "维护", "演示模式"],
    "zh": [r"\bChoose an option\b", r"churn_rate", r"maintained_start", r"\bCannot compute\b", r"\bactive\b",
           r"\bUpload\b", r"\bCNY\b", r"\bDefinition\b", r"\bHighest\b", r"\bWhole bank\b", r"\bsmall sample\b",
           r"\bCustomers\b", r"\bReturns\b", r"\bno quarter\b", r"\bthe\b", r"\bmaintained\b", r"分层依据 aum",
           r"\bemerging\b", r"\bDemo mode\b"],
}  # fmt: skip
DATA = {"unit", "unit_name", "branch_name", "manager_name", "region", "sub_branch", "customer_name", "close_reason"}


def _strings(message: Message) -> list[str]:
    found = []
    for field, value in message.ListFields():
        if field.name in ("id", "query_param_key", "form_id"):  # widget keys, never shown
            continue
        single = isinstance(value, (str, bytes, Message)) or not hasattr(value, "__len__")
        items = [value] if single else list(value)
        for item in items:
            if isinstance(item, Message):
                found += _strings(item)
            elif isinstance(item, str):
                found += _figure_texts(item) if field.name == "spec" else [item]
    return found


def _figure_texts(spec: str) -> list[str]:
    """The texts of a plotly figure a reader sees: titles, axis titles, annotations, trace names and labels."""
    figure = json.loads(spec)
    texts: list[str] = []

    def walk(node: object, key: str = "") -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                if k not in ("x", "y", "z", "customdata", "hovertemplate", "texttemplate", "type"):
                    walk(v, k)
        elif isinstance(node, list):
            for v in node:
                walk(v, key)
        elif isinstance(node, str) and key in ("text", "name", "label", "ticktext", "title"):
            texts.append(node)

    walk(figure.get("layout", {}))
    walk(figure.get("data", []))
    return texts


def shown_texts(at) -> list[str]:
    """Every string of every element drawn (its proto), and the cells of the tables but those holding data (the
    policy file shown verbatim as code is data too)."""
    texts: list[str] = []
    stack = [at._tree]
    while stack:
        node = stack.pop()
        stack += list(getattr(node, "children", {}).values())
        proto = getattr(node, "proto", None)
        if isinstance(proto, Message) and node.type not in ("arrow_data_frame", "dataframe", "code"):
            texts += _strings(proto)
    for table in at.dataframe:
        frame = table.value
        for column in frame.columns:
            if column not in DATA and frame[column].dtype == object:
                texts += [str(v) for v in frame[column].dropna().unique()[:50]]
    return texts


def leaks(at, lang: str) -> list[str]:
    pattern = re.compile("|".join(LEAKS[lang]))
    return sorted({text[:120] for text in shown_texts(at) if pattern.search(text)})


def placeholders_missing(at) -> list[str]:
    """Selectboxes and multiselects without a value whose placeholder is Streamlit's English default (a selectbox
    on an option, None included, e.g. "all reasons", has a value)."""
    boxes = [*at.selectbox, *at.multiselect]
    chosen = [b.proto.HasField("default") if hasattr(b, "index") else bool(b.value) for b in boxes]
    return [b.label for b, value in zip(boxes, chosen) if not b.proto.placeholder and not value]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_pages_show_no_text_of_the_other_language(demo_db, lang):
    at = app(demo_db, query={"lang": "en"} if lang == "en" else {})
    found = {}
    for page, tabs in TABS.items():
        at.switch_page(f"views/{page}.py")
        for tab in tabs:
            if tab:
                at.session_state["tab"] = at.query_params["tab"] = i18n.TEXT[tab][i18n.LANGS.index(lang)]
            no_exception(at.run())
            wrong = leaks(at, lang)
            if wrong:
                found[(page, tab)] = wrong
            assert not placeholders_missing(at), (page, tab, placeholders_missing(at))
    assert not found, found
