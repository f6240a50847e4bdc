"""客户经理工作台 Workbench: this week's call list (every reason per customer, ranked by AUM at stake, followed-up
customers hidden, a reason filter), a chosen customer's history and contacts, the form that records a contact in
the follow-up log (scoped to the signed-in user's customers, audited), contact coverage, and the daily lists the
rules require (red list, unassigned with a suggested maintainer, load, handovers, large outflows, birthdays, data
completeness, product penetration), each a tab with its filters in the URL and an .xlsx download."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pandas as pd
import streamlit as st

from analytics.core.config import followup_path
from analytics.core.periods import add_months
from analytics.followup.log import CHANNELS, NEXT_STEP_MAX, NOTE_MAX, OUTCOMES, Contact, ContactError, contacts_of
from analytics.followup.log import last_contacts as logged_contacts
from analytics.followup.record import OutOfScope, record_contact
from analytics.lists.actions import manager_load, red_list
from analytics.lists.allocation import unassigned_with_suggestion
from analytics.lists.books import completeness, handover_churn, product_penetration
from analytics.lists.coverage import contact_coverage, unit_contact_coverage
from analytics.lists.daily import birthday_list, handover_list, outflow_watch
from analytics.lists.history import customer_history
from analytics.lists.workbench import REASONS, call_list
from ui import auth
from ui import format as fmt
from ui.audit_trail import audit_file
from ui.connection import get_connection
from ui.data import query
from ui.i18n import TEXT, lang, t
from ui.kouji import meaning
from ui.page_start import start_page
from ui.session import current_scope
from ui.tables import download, policy, selected_row, table
from ui.widgets import PAGE_SIZE, choice, labelled, level_picker, pager, tabs

FIRST = (
    "reasons",
    "tier",
    "aum",
    "aum_change",
    "gap_down",
    "gap_up",
    "last_contact",
    "at_stake",
    "customer_id",
    "customer_name",
    "branch_name",
    "manager_name",
    "card_level",
    "phone",
)
SAVED_KEY = "_workbench_saved"
TABS = (
    "wb.calls_tab",
    "wb.coverage_tab",
    "wb.red_tab",
    "wb.unassigned_tab",
    "wb.load_tab",
    "wb.handover_tab",
    "wb.outflow_tab",
    "wb.birthday_tab",
    "wb.completeness_tab",
    "wb.products_tab",
)
view = start_page("wb.title")
today = date.today()
contacts = logged_contacts(followup_path())
before = add_months(view.end, -1)
sections = tabs("tab", TABS)


def shown(frame: pd.DataFrame) -> pd.DataFrame:
    """The useful columns first, the reasons in words."""
    words = {code: t(f"reason.{code}") for code in REASONS}
    out = in_words(frame).assign(
        reasons=[" · ".join(words[r] for r in str(v).split(",") if r) for v in frame["reasons"]]
    )
    return out[[c for c in FIRST if c in out.columns] + [c for c in out.columns if c not in FIRST]]


def in_words(frame: pd.DataFrame) -> pd.DataFrame:
    """Coded cells of the daily lists in words (products, the load against the norm); the last contact as a day,
    "—" when there was none."""
    words = {"product": "product", "load": "load"}
    out = frame.assign(
        **{c: [t(f"{p}.{v}") if f"{p}.{v}" in TEXT else v for v in frame[c]] for c, p in words.items() if c in frame}
    )
    if "last_contact" in out:
        out["last_contact"] = [None if pd.isna(d) else pd.Timestamp(d).date().isoformat() for d in out["last_contact"]]
    return out


def by_product(frame: pd.DataFrame) -> pd.DataFrame:
    """Penetration per unit x tier with a column per product (lowest first: what to sell next), as percentages."""
    if frame.empty:
        return frame
    keys = [c for c in ("unit", "branch_id", "branch_name", "manager_id", "manager_name", "tier") if c in frame]
    wide = frame.pivot_table(index=[*keys, "customers"], columns="product", values="penetration_rate", sort=False)
    wide = wide[wide.mean().sort_values().index]  # the least held product first
    shown = wide.map(lambda rate: fmt.percent(rate, 0)).reset_index()
    return shown.rename(columns={c: t(f"product.{c}") for c in wide.columns if f"product.{c}" in TEXT})


def customer_tab(key: str, lister: Callable[..., pd.DataFrame], *args: object, caption: str | None = None) -> None:
    """A paged customer list: its title with the 口径, a caption, the table and the whole list as .xlsx."""
    st.subheader(f"{t(key)} · {fmt.month(view.end)}", help=meaning(lister))
    if caption:
        st.caption(caption)
    con = get_connection()
    offset = pager(lister(con, *args, limit=0).attrs["total_rows"], f"{key.split('.')[1]}_page")
    rows = lister(con, *args, limit=PAGE_SIZE, offset=offset)
    if rows.empty:
        st.info(t("wb.empty_list"))
    table(in_words(rows), f"{key.split('.')[1]}_table", height=380)
    download(
        lambda: [(t(key), in_words(lister(get_connection(), *args, limit=None)))], f"{key.split('.')[1]}_{view.end}"
    )


def unit_tab(key: str, function: Callable[..., pd.DataFrame], *args: object, level: str) -> pd.DataFrame:
    """A per-unit table (branches or managers) with its 口径 and .xlsx download; returns the frame."""
    frame = in_words(function(get_connection(), *args))
    st.subheader(f"{t(key)} · {fmt.month(view.end)}", help=meaning(function))
    on_screen = frame.drop(columns=["unit"]) if level == "branch" and "unit" in frame else frame  # unit = branch_id
    table(by_product(on_screen) if "penetration_rate" in frame else on_screen, f"{key.split('.')[1]}_table", height=380)
    download([(t(key), frame)], f"{key.split('.')[1]}_{level}_{view.end}")
    return frame


def calls_tab() -> None:
    # "all" rather than None: a selectbox holding None shows its placeholder once the language is switched
    picked = choice(
        t("wb.reason"), ["all", *REASONS], "reason", lambda r: t("wb.reason_all" if r == "all" else f"reason.{r}")
    )
    reason = None if picked == "all" else picked
    st.subheader(f"{t('wb.calls')} · {fmt.month(view.end)}", help=meaning(call_list))
    total_frame = query(call_list, view.end, view.scope, contacts, today, limit=0, reason=reason)
    summary = t("wb.summary", total=total_frame.attrs["total_rows"], followed=total_frame.attrs["followed_up"],
                week=fmt.plain(today.isoformat()))  # fmt: skip
    st.caption(summary)
    offset = pager(total_frame.attrs["total_rows"], "page")
    counted = (total_frame.attrs["total_rows"], total_frame.attrs["followed_up"])  # not counted again for the page
    rows = query(
        call_list, view.end, view.scope, contacts, today, limit=PAGE_SIZE, offset=offset, reason=reason, counted=counted
    )
    if rows.empty:
        st.info(t("wb.no_calls"))
    picked = selected_row(table(shown(rows), "calls_table", select=True, height=420), len(rows))
    download(
        lambda: [
            (
                t("wb.calls"),
                shown(call_list(get_connection(), view.end, view.scope, contacts, today, limit=None, reason=reason)),
            )
        ],
        f"calls_{view.end}",
    )
    saved = st.session_state.pop(SAVED_KEY, None)
    if saved:
        st.success(t("wb.saved", customer=fmt.plain(saved)), icon=":material/check_circle:")
    ids = rows["customer_id"].tolist()
    if ids:
        follow_up(ids, rows, picked, offset)


def follow_up(ids: list[str], rows: pd.DataFrame, picked: int | None, offset: int) -> None:
    """The chosen customer's history and contacts, and the form that records a contact."""
    labels = dict(zip(ids, [f"{c} {n or ''}" for c, n in zip(ids, rows["customer_name"], strict=True)], strict=True))
    customer = st.selectbox(
        t("wb.customer"),
        ids,
        index=picked or 0,
        format_func=labelled(ids, labels.get),
        key=f"customer_{offset}_{picked}",
    )
    left, right = st.columns([3, 2])
    with left:
        st.markdown(f"**{t('wb.history', customer=fmt.plain(customer))}**", help=meaning(customer_history))
        history = query(customer_history, customer, view.scope)  # the customer is in the title: by period
        table(history.drop(columns=["customer_id", "customer_name", "id_number", "phone"]), "history_table", height=260)
        st.markdown(f"**{t('wb.contacts', customer=fmt.plain(customer))}**")
        logged = contacts_of([customer], followup_path())
        if logged.empty:
            st.caption(t("wb.no_contacts"))
        else:
            logged = logged.assign(
                channel=[t(f"channel.{c}") for c in logged["channel"]],
                contact_outcome=[t(f"contact_outcome.{o}") for o in logged["outcome"]],
                contact_date=pd.to_datetime(logged["contact_date"]),
            )[["contact_date", "channel", "contact_outcome", "next_step", "note", "username"]]
            table(logged, "contacts_table", height=220)  # a table cell is never markdown: the note shows as typed
    with right, st.form("contact_form", clear_on_submit=True, border=True):
        st.markdown(f"**{t('wb.record', customer=fmt.plain(customer))}**")
        day = st.date_input(t("wb.date"), value=today, max_value=today, key="contact_date")
        channel = st.selectbox(t("wb.channel"), CHANNELS, format_func=labelled(CHANNELS, lambda c: t(f"channel.{c}")))
        outcome = st.selectbox(
            t("wb.outcome"), OUTCOMES, format_func=labelled(OUTCOMES, lambda o: t(f"contact_outcome.{o}"))
        )
        step = st.text_input(t("wb.next_step"), max_chars=NEXT_STEP_MAX)
        note = st.text_area(t("wb.note"), max_chars=NOTE_MAX, height=90)
        if st.form_submit_button(t("wb.save"), type="primary", icon=":material/save:"):
            try:
                record_contact(
                    get_connection(),
                    Contact(customer, day, channel, outcome, step, note),
                    auth.current_user(),
                    current_scope(),  # the user's own scope, whatever unit the sidebar shows
                    followup_path(),
                    audit_file(),
                )
            except OutOfScope:
                st.error(t("wb.refused"), icon=":material/block:")
            except ContactError as error:
                st.error(t("wb.invalid", error=fmt.plain(error)), icon=":material/error:")
            else:
                st.session_state[SAVED_KEY] = customer
                st.rerun()


def coverage_tab() -> None:
    level = level_picker("by", levels=("branch", "manager"))
    units = query(unit_contact_coverage, view.end, level, view.scope, contacts, today)
    if not any(tier.contact_every_days for tier in policy().tiers):
        st.info(t("wb.coverage_none"))
        return
    maintained, contacted = int(units["maintained"].sum()), int(units["contacted"].sum())
    rate = fmt.percent(contacted / maintained) if maintained else "—"
    st.metric(t("wb.coverage_tab"), rate, help=meaning(unit_contact_coverage))
    st.caption(t("wb.coverage_summary", rate=rate, contacted=contacted, maintained=maintained, day=today.isoformat()))
    unit_tab("wb.coverage_tab", contact_coverage, view.end, level, view.scope, contacts, today, level=level)
    st.markdown(f"**{t('wb.coverage_units')}**")
    table(units.drop(columns=["unit"]) if level == "branch" else units, "coverage_units_table", height=300)


def run(key: str, draw: Callable[[], None]) -> None:
    if sections[key].open:
        with sections[key]:
            draw()


rules = policy().lists
run("wb.calls_tab", calls_tab)
run("wb.coverage_tab", coverage_tab)
run("wb.red_tab", lambda: customer_tab("wb.red_tab", red_list, view.end, view.scope))
run(
    "wb.unassigned_tab",
    lambda: customer_tab(
        "wb.unassigned_tab", unassigned_with_suggestion, view.end, view.scope, caption=t("wb.allocation_rule")
    ),
)
run(
    "wb.load_tab",
    lambda: (
        st.caption(t("wb.load_rule")),
        unit_tab("wb.load_tab", manager_load, view.end, view.scope, level="manager"),
    ),
)


def handover_tab() -> None:
    st.caption(t("wb.between", start=fmt.month(before), end=fmt.month(view.end)))
    if before not in view.periods:
        st.info(t("wb.empty_list"))
        return
    customer_tab("wb.handover_tab", handover_list, before, view.end, view.scope, contacts)
    level = level_picker("handover_by", levels=("branch", "manager"))
    st.markdown(f"**{t('wb.handover_churn')}**", help=meaning(handover_churn))
    churn = handover_churn(get_connection(), before, view.end, level, view.scope)
    table(churn, "handover_churn_table", height=300)
    download([(t("wb.handover_churn"), churn)], f"handover_churn_{level}_{view.end}")


def penetration_tab() -> None:
    level = level_picker("products_by", levels=("branch", "manager"))
    unit_tab("wb.products_tab", product_penetration, view.end, level, view.scope, level=level)


def completeness_tab() -> None:
    level = level_picker("completeness_by", levels=("branch", "manager"))
    unit_tab("wb.completeness_tab", completeness, view.end, level, view.scope, level=level)


outflow_rule = t(
    "wb.outflow_rule", min=fmt.amount(rules.outflow_min, lang(), 0), drop=fmt.amount(rules.outflow_drop, lang(), 0)
)
birthday_rule = t(
    "wb.birthday_rule", month=add_months(today.replace(day=1), 1).month, min=fmt.amount(rules.birthday_min, lang(), 0)
)
run("wb.handover_tab", handover_tab)
run(
    "wb.outflow_tab",
    lambda: customer_tab("wb.outflow_tab", outflow_watch, view.end, view.scope, contacts, caption=outflow_rule),
)
run(
    "wb.birthday_tab",
    lambda: customer_tab(
        "wb.birthday_tab", birthday_list, view.end, view.scope, today, contacts, caption=birthday_rule
    ),
)
run("wb.completeness_tab", completeness_tab)
run("wb.products_tab", penetration_tab)
