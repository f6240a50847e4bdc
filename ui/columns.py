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
COUNTS = {
    "customers", "maintained", "churned", "maintained_start", "maintained_end", "customers_start", "customers_end",
    "upgraded", "covered_end", "attrited", "active_start", "at_risk", "downgraded", "retained", "cohort_size",
    "customers_now", "customers_what_if", "maintained_now", "maintained_what_if", "lost_customers",
    "normal_customers",
}  # fmt: skip
# a customer list leads with what the user acts on and ends with the masked personal columns
LEAD = (
    "reasons", "outcome", "close_reason", "tier", "tier_start", "tier_end", "from_tier", "to_tier", "tier_now",
    "tier_what_if", "next_tier", "aum", "amount", "aum_before", "aum_from", "aum_to", "aum_change", "change_rate", "gap",
    "gap_up", "gap_down", "next_min_aum", "at_stake", "last_contact",
)  # fmt: skip
PERSONAL = ("customer_name", "id_number", "phone", "address", "employer")
CODED_WORDS = {
    "status": "status",
    "card_level": "card",
}  # code columns translated through ui.labels_display (status.active, ...)
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
    if name in COUNTS and (series is None or pd.api.types.is_numeric_dtype(series)):
        return "count"
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


def unit_names(names: pd.Series, units: pd.Series | None, lang: str) -> pd.Series:
    """Units' names in `lang`: the whole scope (unit 'all', 全行) and the unassigned prefix (未分配 · ) translated;
    branch and manager names are the bank's own and stay as they are."""
    index = i18n.LANGS.index(lang)
    shown = names.astype(object)
    if units is not None:
        shown = shown.where(units.astype(str) != "all", i18n.TEXT["level.all"][index])
    prefix = i18n.TEXT["unassigned"][index]
    return shown.map(
        lambda n: f"{prefix} · {n.removeprefix('未分配 · ')}" if isinstance(n, str) and n.startswith("未分配 · ") else n
    )


def lead_order(columns: list[str]) -> list[str]:
    """A customer list's columns (one with customer_id): LEAD first, then customer_id and the rest, the personal
    (masked) columns last. Other frames keep their order."""
    if "customer_id" not in columns:
        return list(columns)
    first = [c for c in LEAD if c in columns]
    last = [c for c in PERSONAL if c in columns]
    middle = [c for c in columns if c not in first and c not in last]
    return first + middle + last


def prepare(
    frame: pd.DataFrame, policy: Policy, lang: str, percent_points: bool = False
) -> tuple[pd.DataFrame, dict[str, Kind]]:
    """The frame as shown: amounts in 万元, tier codes as names, outcomes and statuses translated, counts whole,
    helper columns dropped, a customer list's columns in lead_order; rates as fractions (Excel formats them as %),
    or with percent_points as 12.34 (the screen shows 12.34%).

    Returns the frame (original column names) and each column's kind.
    """
    columns = lead_order([c for c in frame.columns if c not in HIDDEN])
    values = {name: frame[name] for name in columns}
    if "unit_name" in values:
        values["unit_name"] = unit_names(values["unit_name"], values.get("unit"), lang)
    names = tier_names(policy, lang)
    kinds: dict[str, Kind] = {}
    for name, column in values.items():
        kinds[name] = kind(name, column)
        if kinds[name] == "money":
            values[name] = pd.to_numeric(column).astype(float) / 10_000
        elif kinds[name] == "count" and not pd.api.types.is_integer_dtype(column):
            values[name] = pd.to_numeric(column).round().astype("Int64")
        elif name in CODED_WORDS:
            values[name] = column.map(
                lambda code, n=name: i18n.TEXT.get(f"{CODED_WORDS[n]}.{code}", (code, code))[i18n.LANGS.index(lang)]
            )
        elif name in TIER_COLUMNS:
            values[name] = column.map(lambda code: names.get(code, code))
            kinds[name] = "text"
        elif name == "outcome":
            values[name] = column.map(
                lambda code: i18n.TEXT.get(f"outcome.{code}", (code, code))[i18n.LANGS.index(lang)]
            )
        elif name in CODED:
            values[name], kinds[name] = column.map(lambda code, n=name: coded_label(n, code, lang)), "text"
        elif kinds[name] in ("date", "datetime"):
            values[name] = pd.to_datetime(column)
        elif kinds[name] in ("rate", "float"):
            values[name] = pd.to_numeric(column).astype(float) * (
                100 if percent_points and kinds[name] == "rate" else 1
            )
    shown = pd.DataFrame(values, index=frame.index)  # built at once: a column at a time splits the frame's blocks
    return shown, kinds
