"""The scorecard as the page and HQ's workbook show it: its columns in order, the period assessed, and the
workbook (cover sheet, one sheet per level with its parent units, role-tier mismatches, accountability)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import plotly.graph_objects as go

from analytics.core import config
from analytics.core.indicators import INDICATORS
from analytics.core.periods import Quarter, quarter_snapshots
from analytics.core.policy import Policy
from analytics.core.scope import Scope
from analytics.core.units import LEVELS
from analytics.metrics.accountability import accountability, lost_high_value
from analytics.metrics.labels import unit_labels
from analytics.metrics.parents import unit_parents
from analytics.metrics.role_fit import role_mismatches
from analytics.metrics.scorecard import quarter_scorecard, scorecard
from analytics.store.catalog import loaded_periods
from analytics.store.unit_targets import unit_targets
from ui import i18n
from ui.charts import LAYOUT
from ui.xlsx import workbook

UNASSIGNED_ZH = "未分配 · "
SCORECARD_COLUMNS = (
    "unit",
    "unit_name",
    "role",
    "branch_id",
    "rank",
    "bank_rank",
    "score",
    "churn_rate",
    "upgrade_rate",
    "coverage_rate",
    "growth",
    "aum_growth",
    "contact_coverage_rate",
    "small_sample",
    "churn_points",
    "upgrade_points",
    "coverage_points",
    "growth_points",
    "aum_growth_points",
    "churn_target",
    "upgrade_target",
    "coverage_target",
    "growth_target",
    "aum_growth_target",
    "churn_attainment",
    "upgrade_attainment",
    "coverage_attainment",
    "growth_attainment",
    "aum_growth_attainment",
    "rank_prev",
    "rank_change",
    "churn_rate_change",
    "upgrade_rate_change",
    "coverage_rate_change",
    "growth_change",
    "aum_growth_change",
    "score_change",
    "maintained_start",
    "maintained_end",
    "churned",
    "upgraded",
    "covered_end",
    "aum_start",
    "aum_end",
)


def scorecard_columns(frame: pd.DataFrame, lang: str = "zh", mine: str | None = None) -> pd.DataFrame:
    """The scorecard columns shown on the page and in the workbook, ordered by rank; the unit `mine` first,
    its name marked ★; unassigned books named in `lang` (未分配 · 网点 / Unassigned · branch)."""
    frame = frame.sort_values(["rank", "unit"], na_position="last").reset_index(drop=True)
    frame = frame.assign(unit_name=frame["unit_name"].map(lambda name: unit_label(name, lang)))
    if "role" in frame:
        frame["role"] = frame["role"].fillna("—")  # an unassigned book, or a manager without a role
    if mine is not None and (frame["unit"] == mine).any():
        first = frame["unit"] == mine
        frame.loc[first, "unit_name"] = "★ " + frame.loc[first, "unit_name"]
        frame = pd.concat([frame[first], frame[~first]]).reset_index(drop=True)
    return frame[[c for c in SCORECARD_COLUMNS if c in frame.columns]]


def unit_label(name: object, lang: str) -> str:
    """A unit's display name in `lang` (the engine names unassigned books 未分配 · <branch>)."""
    text = str(name)
    if lang != "zh" and text.startswith(UNASSIGNED_ZH):
        return i18n.TEXT["unassigned"][1] + " · " + text.removeprefix(UNASSIGNED_ZH)
    return text


def explanation(row: pd.Series) -> pd.DataFrame:
    """One unit's score, indicator by indicator: actual value, percentile, weight, points (adding up to the
    score), target, attainment, change against last quarter of the value and of the points."""
    parts = []
    for indicator, (value, _) in INDICATORS.items():
        parts.append(
            {
                "indicator": indicator,
                "actual": row.get(value),
                "percentile": row.get(f"{indicator}_percentile"),
                "weight_share": row.get(f"{indicator}_weight"),
                "points": row.get(f"{indicator}_points"),
                "target": row.get(f"{indicator}_target"),
                "attainment": row.get(f"{indicator}_attainment"),
                "change": row.get(f"{value}_change"),
                "points_change": row.get(f"{indicator}_points_change"),
            }
        )
    return pd.DataFrame(parts)


def points_chart(parts: pd.DataFrame, names: dict[str, str], title: str, got: str, full: str) -> go.Figure:
    """Horizontal bars: the points each indicator contributed, against its full points (weight x 100)."""
    labels = [names[i] for i in parts["indicator"]]
    figure = go.Figure(
        [
            go.Bar(y=labels, x=100 * parts["weight_share"], name=full, orientation="h", marker_color="#e0e0e0"),
            go.Bar(
                y=labels,
                x=parts["points"],
                name=got,
                orientation="h",
                marker_color="#1e88e5",
                text=[f"{p:.1f}" if pd.notna(p) else "" for p in parts["points"]],
                textposition="outside",
            ),
        ]
    )
    figure.update_layout(
        **(LAYOUT | {"margin": {"l": 10, "r": 30, "t": 10, "b": 10}}),
        title=title or None,
        barmode="overlay",
        height=240,
    )
    figure.update_yaxes(autorange="reversed")
    return figure


@dataclass(frozen=True)
class AssessedPeriod:
    """What the scorecard compares: a quarter, a business year to date or any two month ends."""

    kind: str  # "quarter", "ytd" or "custom"
    start: date
    end: date
    quarter: str | None = None  # the quarter, for kind "quarter"

    def label(self, lang: str) -> str:
        if self.kind == "quarter":
            return str(self.quarter)
        if self.kind == "ytd":
            return i18n.TEXT["sc.ytd_label"][i18n.LANGS.index(lang)].format(year=self.end.year)
        return i18n.TEXT["sc.custom_label"][i18n.LANGS.index(lang)]

    @property
    def slug(self) -> str:
        """A file-name part: 2026Q3, 2026-ytd-2026-09-30, 2026-03-31_2026-09-30."""
        if self.kind == "quarter":
            return str(self.quarter)
        return f"{self.end.year}-ytd-{self.end}" if self.kind == "ytd" else f"{self.start}_{self.end}"


def period_scorecard(
    con: duckdb.DuckDBPyConnection, period: AssessedPeriod | str, level: str, scope: Scope
) -> pd.DataFrame:
    """The scorecard of the period: a quarter's with its change against the quarter before, else the two
    month ends' (bank-wide targets only: unit targets are set per quarter)."""
    if isinstance(period, str):
        return quarter_scorecard(con, period, level, scope)
    if period.kind == "quarter":
        return quarter_scorecard(con, str(period.quarter), level, scope)
    return scorecard(con, period.start, period.end, level, scope)


def scorecard_workbook(
    con: duckdb.DuckDBPyConnection,
    period: AssessedPeriod | str,
    scope: Scope,
    policy: Policy,
    lang: str = "zh",
    accountable: bool = True,
) -> bytes:
    """HQ's workbook of a period: a cover sheet (bank, period, levels, scope, policy and its fingerprint,
    weights, targets, date), one sheet per level with its parent units as columns, the role-tier mismatch list
    and (when `accountable`) the accountability sheets of the business year to the period's end; sheet names
    and headers in `lang`."""
    if isinstance(period, str):
        start, end = quarter_snapshots(loaded_periods(con), period)
        period = AssessedPeriod("quarter", start, end, period)
    word = i18n.LANGS.index(lang)
    sheets = [(i18n.TEXT[f"level.{level}"][word], _level_sheet(con, period, level, scope, lang)) for level in LEVELS]
    roles = role_mismatches(con, period.end, scope)
    sheets.append((i18n.TEXT["wb.roles"][word], roles.assign(unit_name=roles["unit_name"].map(_unit(lang)))))
    year = _business_year(con, period.end) if accountable else None
    if year is not None:
        for by, key in (("manager", "wb.acc_manager"), ("branch", "wb.acc_branch")):
            tally = accountability(con, year[0], year[1], by, scope)
            sheets.append((i18n.TEXT[key][word], tally.assign(unit_name=tally["unit_name"].map(_unit(lang)))))
        lost = lost_high_value(con, year[0], year[1], scope)
        outcome = lost["outcome"].map(lambda o: i18n.TEXT[f"outcome.{o}"][word])
        sheets.append((i18n.TEXT["wb.acc_list"][word], lost.assign(outcome=outcome)))
    cover = _cover(con, period, scope, policy, lang, year if accountable else None)
    return workbook([(i18n.TEXT["wb.cover"][word], cover), *sheets], policy, lang)


def _unit(lang: str):
    return lambda name: unit_label(name, lang)


def _level_sheet(
    con: duckdb.DuckDBPyConnection, period: AssessedPeriod, level: str, scope: Scope, lang: str
) -> pd.DataFrame:
    """The level's scorecard with its parent units after the unit's name (a manager: the home branch's name)."""
    shown = scorecard_columns(period_scorecard(con, period, level, scope), lang)
    parents = unit_parents(con, level, scope, period.end)
    if level == "manager":
        names = unit_labels(con, "branch", scope, period.end).set_index("unit")["unit_name"]
        shown = shown.assign(branch_name=shown["branch_id"].map(names))
        added = ["branch_id", "branch_name"]
    else:
        shown = shown.merge(parents, on="unit", how="left")
        added = [c for c in parents.columns if c != "unit"]
    rest = [c for c in shown.columns if c not in ("unit", "unit_name", *added)]
    return shown[["unit", "unit_name", *added, *rest]]


def _business_year(con: duckdb.DuckDBPyConnection, end: date) -> tuple[date, date] | None:
    """The business year to `end`: the last loaded period of the year before to `end`; None when not loaded."""
    before = [p for p in loaded_periods(con) if p.year == end.year - 1]
    return (before[-1], end) if before else None


def _cover(
    con: duckdb.DuckDBPyConnection,
    period: AssessedPeriod,
    scope: Scope,
    policy: Policy,
    lang: str,
    year: tuple[date, date] | None,
) -> pd.DataFrame:
    """The rules the workbook was computed under, one (item, value) row each, in `lang`."""
    word, comma = i18n.LANGS.index(lang), "、" if lang == "zh" else ", "

    def text(key: str, **values: object) -> str:
        return i18n.TEXT[key][word].format(**values)

    def rates(values: dict[str, float]) -> str:
        named = [f"{i18n.COLUMNS[INDICATORS[k][0]][word]} {v:.2%}" for k, v in values.items() if k in INDICATORS]
        return "; ".join(named) or text("wb.none")

    if scope.branches is None and scope.managers is None:
        seen = text("level.all")
    elif scope.managers is not None:
        seen = text("wb.scope_managers", units=comma.join(sorted(scope.managers)))
    else:
        seen = text("wb.scope_branches", units=comma.join(sorted(scope.branches or ())))
    previous = text("wb.previous_none")
    if period.kind == "quarter":
        previous = str(Quarter.parse(str(period.quarter)).previous())
    counted = sum(_targets_of(con, period.quarter, level) for level in LEVELS) if period.quarter else 0
    rows = [
        ("wb.bank", Path(str(config.database_path())).name),
        ("wb.period", period.label(lang)),
        ("wb.compared", f"{period.start} → {period.end}"),
        ("wb.previous", previous),
        ("wb.levels", comma.join(text(f"level.{level}") for level in LEVELS)),
        ("wb.scope", seen),
        ("wb.policy", Path(policy.source).name if policy.source else text("wb.none")),
        ("wb.fingerprint", policy.sha256),
        ("wb.rank_within", text("wb.rank_role" if policy.rank_within == "manager_role" else "wb.rank_all")),
        ("wb.weights", "; ".join(f"{i18n.COLUMNS[INDICATORS[k][0]][word]} {w:.0%}" for k, w in policy.weights.items())),
        ("wb.targets", rates(policy.targets)),
        ("wb.unit_targets", text("wb.unit_targets_count", count=counted) if counted else text("wb.none")),
        ("wb.accountability", f"{year[0]} → {year[1]}" if year else text("wb.acc_none")),
        ("wb.asof", str(period.end)),
        ("wb.generated", date.today().isoformat()),
    ]
    return pd.DataFrame({"cover_item": [text(k) for k, _ in rows], "cover_value": [str(v) for _, v in rows]})


def _targets_of(con: duckdb.DuckDBPyConnection, quarter: str, level: str) -> int:
    """How many unit targets the targets file sets for the quarter at the level."""
    own = unit_targets(con, quarter, level)
    return int(own.drop(columns="unit").notna().to_numpy().sum())
