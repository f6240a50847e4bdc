"""数据 Data: upload extracts (progress, validation report), the load history, the policy in force, and the
quality of what is loaded (periods present, gaps, rows and AUM per period)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from analytics.cli.targets import load_target_files
from analytics.core.config import database_path
from analytics.core.indicators import INDICATORS
from analytics.core.masking import mask_value
from analytics.core.units import LEVELS
from analytics.store.catalog import load_history, period_quality
from analytics.store.unit_targets import TargetProblem
from ui import charts
from ui import format as fmt
from ui.audit_trail import audit_file
from ui.columns import tier_names
from ui.data import query
from ui.i18n import column, lang, t
from ui.kouji import meaning
from ui.loading import load_into_database, upload_name
from ui.page_start import empty_state
from ui.problem_words import reason_in
from ui.session import current_user
from ui.session import view as current_view
from ui.tables import download, policy, table

REPORT_KEY = "_load_report"
TARGETS_KEY = "_targets_report"
st.title(t("da.title"))
view = current_view()
user = current_user()
is_hq = user is not None and user.role == "hq"
if view.empty:
    empty_state(stop=False)


def report(results) -> tuple[list[tuple[str, str]], pd.DataFrame]:
    """Each file's outcome line and the problems of all files (values masked)."""
    lines, problems = [], []
    for r in results:
        name = Path(r.file).name
        shown = fmt.plain(name)  # the outcome lines are markdown: an upload's name is text
        if r.outcome == "loaded":
            lines.append(
                (
                    "success",
                    t("da.loaded", file=shown, rows=r.rows, periods=", ".join(p.isoformat() for p in r.periods)),
                )
            )
        elif r.outcome == "unchanged":
            lines.append(("info", t("da.unchanged", file=shown)))
        else:
            lines.append(("error", t("da.rejected", file=shown, problems=len(r.problems))))
        lines += [("warning", f"{shown}: {fmt.plain(w)}") for w in r.warnings]
        problems += [
            {
                "file": name,
                "line": p.line,
                "column": p.column,
                "reason": reason_in(lang(), p.reason),
                "value": mask_value(p.column, p.value),
            }
            for p in r.problems
        ]
    return lines, pd.DataFrame(problems, columns=["file", "line", "column", "reason", "value"])


def targets_report(outcomes) -> tuple[list[tuple[str, str]], pd.DataFrame]:
    """Each targets file's outcome line and the problems of all files (line and column named)."""
    lines, problems = [], []
    for outcome in outcomes:
        shown = fmt.plain(outcome.file)
        if outcome.outcome == "loaded":
            quarters = ", ".join(outcome.quarters)
            lines.append(("success", t("da.targets_loaded", file=shown, rows=outcome.rows, quarters=quarters)))
        else:
            lines.append(("error", t("da.rejected", file=shown, problems=len(outcome.problems))))
        for p in outcome.problems:  # a file that cannot be read at all has one problem without a line
            if isinstance(p, TargetProblem):
                row = (p.line, p.column, t(f"da.target_problem.{p.column}", value=p.value, levels=", ".join(LEVELS)))
            else:
                row = (None, None, str(p))
            problems.append(dict(zip(("file", "line", "column", "reason"), (outcome.file, *row))))
    frame = pd.DataFrame(problems, columns=["file", "line", "column", "reason"])
    return lines, frame.astype({"line": "Int64"})


st.subheader(t("da.upload"))
files = st.file_uploader(
    t("da.upload"),
    type=["csv", "txt", "parquet", "xlsx"],
    accept_multiple_files=True,
    key="upload",
    label_visibility="collapsed",
)
period = st.date_input(t("da.period"), value=None, key="default_period", help=t("da.period.help"))
if files and st.button(t("da.load"), type="primary", icon=":material/upload:"):
    bar = st.progress(0.0)
    with tempfile.TemporaryDirectory() as folder:
        paths, names = [], {}
        for number, upload in enumerate(files):
            paths.append(Path(folder) / upload_name(upload.name, number))
            names[paths[-1]] = Path(upload.name).name  # problems and the load log name the file as it was sent
            paths[-1].parent.mkdir()
            paths[-1].write_bytes(upload.getvalue())
        results = load_into_database(
            paths,
            default_period=period,
            names=names,
            progress=lambda step, part: bar.progress(min(1.0, part), text=step),
        )
    st.session_state[REPORT_KEY] = report(results)
    st.rerun()  # the sidebar and every cached result follow the new data version
if REPORT_KEY in st.session_state:
    lines, problems = st.session_state[REPORT_KEY]
    st.markdown(f"**{t('da.report')}**")
    for kind, text in lines:
        getattr(st, kind)(text)
    if len(problems):
        table(problems, "problems_table")
        download([(t("da.report"), problems)], "validation_report")

if is_hq:  # targets are HQ's: the page is in HQ's navigation only, and load_target_files checks the role again
    st.subheader(t("da.targets"), help=t("da.targets.help"))
    target_files = st.file_uploader(
        t("da.targets"),
        type=["csv", "txt", "xlsx"],
        accept_multiple_files=True,
        key="targets_upload",
        label_visibility="collapsed",
    )
    if target_files and st.button(t("da.targets_load"), key="targets_load", icon=":material/flag:"):
        with tempfile.TemporaryDirectory() as folder:
            saved = []
            for number, upload in enumerate(target_files):
                saved.append((Path(folder) / upload_name(upload.name, number), Path(upload.name).name))
                saved[-1][0].parent.mkdir()
                saved[-1][0].write_bytes(upload.getvalue())
            outcomes = load_target_files(database_path(), saved, user, audit_file())
        st.session_state[TARGETS_KEY] = targets_report(outcomes)
        st.rerun()  # the scorecard's cached results follow the new data version
    if TARGETS_KEY in st.session_state:
        lines, problems = st.session_state[TARGETS_KEY]
        for kind, text in lines:
            getattr(st, kind)(text)
        if len(problems):
            table(problems, "targets_problems")
            download([(t("da.targets_report"), problems)], "targets_report")

st.subheader(t("da.history"), help=meaning(load_history))
history = query(load_history)
table(history, "history_table", height=240)
download([(t("da.history"), history)], "load_history")

current = policy()
st.subheader(t("da.policy"))
st.caption(
    t(
        "da.policy_facts",
        basis=t(f"basis.{current.basis}"),
        maintained=tier_names(current, lang())[current.maintained_from],
        products=current.coverage_min_products,
        floor=f"{current.attrition_floor:,}",
    )
)
tiers = pd.DataFrame(
    [
        {"tier": tier.code, "name_zh": tier.name_zh, "name_en": tier.name_en, "min_aum": float(tier.min_aum)}
        for tier in current.tiers
    ]
)  # on screen the tier in the chosen language (ui.tables), in the workbook both names
weights = pd.DataFrame(
    [
        {
            "indicator": column(
                {"churn": "churn_rate", "upgrade": "upgrade_rate", "coverage": "coverage_rate"}.get(k, k)
            ),
            "weight": current.weights.get(k),
            "target": current.targets.get(k),
        }
        for k in INDICATORS
    ]
)
left, right = st.columns(2)
with left:
    table(tiers[["tier", "min_aum"]], "policy_tiers")
with right:
    table(weights, "policy_weights")
with st.expander(t("da.policy_text")):
    st.caption(f"{current.source} · sha256 {current.sha256[:12]}")
    st.code(current.text, language="toml")
download([(t("da.policy"), tiers), (column("weight"), weights)], "policy")

if not view.empty:
    quality = query(period_quality)
    st.subheader(t("da.quality"), help=meaning(period_quality))
    gaps = quality[quality["months_missing_before"] > 0]
    if len(gaps):
        st.warning(
            t(
                "da.gaps",
                months=", ".join(
                    f"{fmt.month(p)} (−{n})" for p, n in zip(gaps["period"], gaps["months_missing_before"])
                ),
            )
        )
    else:
        st.success(t("da.no_gaps"))
    divisor, unit = fmt.scale(quality["aum_total"].astype(float).abs().max(), lang())  # the axis's scale
    shown = quality.assign(
        aum_scaled=quality["aum_total"].astype(float) / divisor, month=quality["period"].map(fmt.month)
    )
    left, right = st.columns(2)
    left.plotly_chart(
        charts.grouped_bars(shown, "month", {"rows": column("rows")}, column("rows"), percent=False), key="chart_rows"
    )
    right.plotly_chart(
        charts.grouped_bars(
            shown, "month", {"aum_scaled": t("da.aum_scaled", unit=unit)}, t("da.aum_scaled", unit=unit), percent=False
        ),
        key="chart_aum",
    )
    table(quality, "quality_table", height=300)
    download([(t("da.quality"), quality)], "data_quality")
