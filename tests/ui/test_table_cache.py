"""Tables are prepared once per distinct input (ui/tables.py): the same frame, language and policy give the frame
prepared before, another frame, language or policy a display of its own with its own numbers and headers."""

from __future__ import annotations

import pandas as pd
import pytest
import streamlit as st

from analytics.core.policy import load_policy
from ui import tables
from ui.i18n import LANG_KEY


@pytest.fixture
def session(monkeypatch):
    """The session's language: what ui.i18n reads (st.session_state outside a running app is a plain dict here)."""
    state: dict[str, str] = {LANG_KEY: "zh"}
    monkeypatch.setattr(st, "session_state", state)
    return state


def _units(churned: int) -> pd.DataFrame:
    return pd.DataFrame({"unit": ["B01", "B02"], "unit_name": ["城东支行", "城西支行"], "churned": [churned, 3],
                         "churn_rate": [churned / 200, 0.015], "aum": [1_234_500.0, 20_000.0]})  # fmt: skip


def _display(frame: pd.DataFrame, policy, session) -> tuple[pd.DataFrame, dict]:
    return tables._shared_display(frame, (), session[LANG_KEY], policy.sha256, policy)


def test_equal_inputs_share_one_display_and_other_inputs_get_their_own(session):
    policy = load_policy()
    first = _display(_units(7), policy, session)
    assert _display(_units(7), policy, session) is first
    shown, config = first
    assert list(shown["aum"]) == [123.45, 2.0]  # 元 -> 万元, worked out by hand
    assert list(shown["churn_rate"]) == pytest.approx([3.5, 1.5])  # percentage points on screen
    other, _ = _display(_units(9), policy, session)
    assert other is not shown and list(other["churned"]) == [9, 3]  # the changed frame's numbers
    session[LANG_KEY] = "en"
    english, english_config = _display(_units(7), policy, session)
    assert english is not shown
    assert config["aum"]["label"] != english_config["aum"]["label"]  # the headers in each language


def test_a_large_frame_is_prepared_each_time_not_from_a_sample(session, monkeypatch):
    policy = load_policy()
    monkeypatch.setattr(tables, "policy", lambda: policy)
    drawn = []
    monkeypatch.setattr(st, "dataframe", lambda shown, **options: drawn.append(shown))
    rows = 60_000  # above both SHARED_ROWS_MAX and the 50,000 rows from which Streamlit hashes a sample of a frame
    frame = pd.DataFrame({"unit": [f"B{i}" for i in range(rows)], "churned": range(rows)})
    tables.table(frame, "big")
    changed = frame.assign(churned=frame["churned"].where(frame.index != rows - 1, -1))
    tables.table(changed, "big")
    assert drawn[0]["churned"].iloc[-1] == rows - 1 and drawn[1]["churned"].iloc[-1] == -1
