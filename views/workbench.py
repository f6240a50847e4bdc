"""客户经理工作台 Workbench: this week's call list (every reason per customer, ranked by AUM at stake, followed-up
customers hidden), a chosen customer's history and contacts, and the form that records a contact in the
follow-up log (scoped to the signed-in user's customers, audited)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from analytics.core.config import followup_path
from analytics.followup.log import CHANNELS, NEXT_STEP_MAX, NOTE_MAX, OUTCOMES, Contact, ContactError, contacts_of
from analytics.followup.log import last_contacts as logged_contacts
from analytics.followup.record import OutOfScope, record_contact
from analytics.lists.history import customer_history
from analytics.lists.workbench import REASONS, call_list
from ui import auth
from ui import format as fmt
from ui.audit_trail import audit_file
from ui.connection import get_connection
from ui.data import query
from ui.i18n import t
from ui.kouji import definition
from ui.page_start import start_page
from ui.session import current_scope
from ui.tables import download, selected_row, table
from ui.widgets import PAGE_SIZE, labelled, pager

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
view = start_page("wb.title")
today = date.today()
contacts = logged_contacts(followup_path())


def shown(frame: pd.DataFrame) -> pd.DataFrame:
    """The useful columns first, the reasons in words."""
    words = {code: t(f"reason.{code}") for code in REASONS}
    out = frame.assign(
        reasons=[" · ".join(words[r] for r in str(v).split(",") if r) for v in frame["reasons"]],
        last_contact=pd.to_datetime(frame["last_contact"]),
    )
    return out[[c for c in FIRST if c in out.columns] + [c for c in out.columns if c not in FIRST]]


st.subheader(f"{t('wb.calls')} · {fmt.month(view.end)}", help=definition(call_list))
total_frame = query(call_list, view.end, view.scope, contacts, today, limit=0)
total = total_frame.attrs["total_rows"]
st.caption(t("wb.summary", total=total, followed=total_frame.attrs["followed_up"], week=fmt.plain(today.isoformat())))
offset = pager(total, "page")
rows = query(call_list, view.end, view.scope, contacts, today, limit=PAGE_SIZE, offset=offset)
if rows.empty:
    st.info(t("wb.none"))
picked = selected_row(table(shown(rows), "calls_table", select=True, height=420), len(rows))
download(
    lambda: [(t("wb.calls"), shown(call_list(get_connection(), view.end, view.scope, contacts, today, limit=None)))],
    f"calls_{view.end}",
)

saved = st.session_state.pop(SAVED_KEY, None)
if saved:
    st.success(t("wb.saved", customer=fmt.plain(saved)), icon=":material/check_circle:")
ids = rows["customer_id"].tolist()
if not ids:
    st.stop()
labels = dict(
    zip(ids, [f"{cid} {name or ''}" for cid, name in zip(ids, rows["customer_name"], strict=True)], strict=True)
)
customer = st.selectbox(
    t("wb.customer"), ids, index=picked or 0, format_func=labelled(ids, labels.get), key=f"customer_{offset}_{picked}"
)

left, right = st.columns([3, 2])
with left:
    st.markdown(f"**{t('wb.history', customer=fmt.plain(customer))}**", help=definition(customer_history))
    table(query(customer_history, customer, view.scope), "history_table", height=260)
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
