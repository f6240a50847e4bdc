"""How a result column is shown: its kind (万元 amount, rate, count, ...), its header, and tier codes as names.

Shared by the on-screen tables (ui.tables) and the .xlsx downloads (ui.xlsx), so both read the same.
"""

from __future__ import annotations

from typing import Literal

import pandas as pd

from analytics.core.policy import Policy
from analytics.core.policy_rules import PREFERENCES, RELATIONSHIPS
from ui import i18n

Kind = Literal["money", "rate", "count", "float", "date", "datetime", "text", "flag"]

MONEY = {
    "aum",
    "aum_from",
    "aum_to",
    "aum_start",
    "aum_end",
    "aum_before",
    "aum_change",
    "amount",
    "next_min_aum",
    "gap",
    "aum_total",
    "floor",
    "ceiling",
    "min_aum",
    "aum_now",
    "aum_what_if",
    "at_stake",
    "gap_down",
    "gap_up",
    "lost_aum_start",
}
RATES = {
    "growth",
    "aum_growth",
    "survival",
    "row_share",
    "customer_share",
    "aum_share",
    "customer_share_at_or_above",
    "aum_share_at_or_above",
    "weight",
    "target",
}
FLOATS = {"score", "gini"}
TIER_COLUMNS = {"tier", "from_tier", "to_tier", "next_tier", "tier_start", "tier_end", "tier_now", "tier_what_if"}
HIDDEN = {"tier_rank", "from_rank", "to_rank", "band"}


def kind(name: str, series: pd.Series | None = None) -> Kind:
    base = name.removesuffix("_change").removesuffix("_prev")
    if name in MONEY:
        return "money"
    if base in RATES or base.endswith(
        ("_rate", "_share", "_attainment", "_incidence", "_rate_low", "_rate_high", "_percentile", "_weight", "_target")
    ):
        return "rate"
    if base in FLOATS:
        return "float"
    if series is not None:
        if pd.api.types.is_bool_dtype(series):
            return "flag"
        if pd.api.types.is_datetime64_any_dtype(series):
            return "datetime" if name.endswith("_at") else "date"
        if pd.api.types.is_integer_dtype(series):
            return "count"
        if pd.api.types.is_numeric_dtype(series):
            return "float"
        if len(series) and hasattr(series.dropna().iloc[0] if series.notna().any() else None, "isoformat"):
            return "date"
    return "text"


CODED = {"maintained_by", "relationship", "preference"}  # codes shown as words (ui.labels rule.*, rel.*, pref.*)


def coded_label(name: str, code: object, lang: str) -> str:
    """A coded cell in words: maintained rules ('tier,card' -> 层级, 持卡), relationship and preference types."""
    if code is None or (isinstance(code, float) and pd.isna(code)) or code is pd.NA or code == "":
        return "—"
    index = i18n.LANGS.index(lang)
    if name == "maintained_by":
        return ("、" if lang == "zh" else ", ").join(i18n.TEXT[f"rule.{r}"][index] for r in str(code).split(","))
    names = RELATIONSHIPS if name == "relationship" else PREFERENCES
    prefix = "rel" if name == "relationship" else "pref"
    word = code if isinstance(code, str) else names[int(code)]  # a code, or its index as stored
    return i18n.TEXT[f"{prefix}.{word}"][index]


def tier_names(policy: Policy, lang: str) -> dict[str, str]:
    """Tier code -> the policy's name in `lang`, with new (新增) and exited (流失离行)."""
    names = {t.code: (t.name_zh if lang == "zh" else t.name_en) for t in policy.tiers}
    return names | ({"new": "新增", "exited": "流失离行"} if lang == "zh" else {"new": "New", "exited": "Exited"})


def prepare(
    frame: pd.DataFrame, policy: Policy, lang: str, percent_points: bool = False
) -> tuple[pd.DataFrame, dict[str, Kind]]:
    """The frame as shown: amounts in 万元, tier codes as names, outcomes translated, helper columns dropped;
    rates as fractions (Excel formats them as %), or with percent_points as 12.34 (the screen shows 12.34%).

    Returns the frame (original column names) and each column's kind.
    """
    shown = frame.drop(columns=[c for c in frame.columns if c in HIDDEN]).copy()
    names = tier_names(policy, lang)
    kinds: dict[str, Kind] = {}
    for name in shown.columns:
        kinds[name] = kind(name, shown[name])
        if kinds[name] == "money":
            shown[name] = pd.to_numeric(shown[name]).astype(float) / 10_000
        elif name in TIER_COLUMNS:
            shown[name] = shown[name].map(lambda code: names.get(code, code))
            kinds[name] = "text"
        elif name == "outcome":
            shown[name] = shown[name].map(
                lambda code: i18n.TEXT.get(f"outcome.{code}", (code, code))[i18n.LANGS.index(lang)]
            )
        elif name in CODED:
            shown[name], kinds[name] = shown[name].map(lambda code, n=name: coded_label(n, code, lang)), "text"
        elif kinds[name] in ("date", "datetime"):
            shown[name] = pd.to_datetime(shown[name])
        elif kinds[name] in ("rate", "float"):
            shown[name] = pd.to_numeric(shown[name]).astype(float) * (
                100 if percent_points and kinds[name] == "rate" else 1
            )
    return shown, kinds
