"""审计 Audit (HQ only): whether the trail's hash chain is intact, its events filtered by user, event and date,
and their download. app.py lists this page for HQ users only; the page checks the role again."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time

import pandas as pd
import streamlit as st

from analytics.access.audit import EVENTS, read_events
from ui import audit_integrity, audit_trail, auth, lockouts
from ui.i18n import t
from ui.tables import download, table
from ui.widgets import labelled, translated

LIMIT = 2000  # rows on screen; the download holds every matching event
CLIENT_PARTS = ("address", "session", "user_agent")  # where each event came from, as the trail records it

st.title(t("au.title"))
user = auth.current_user()
if user is None or user.role != "hq":
    st.error(t("au.hq_only"), icon=":material/block:")
    st.stop()

trail = audit_trail.audit_file()
everything = read_events(None, audit_file=trail)
audit_integrity.show(trail, len(everything), everything["hash"].iloc[0] if len(everything) else None)
lockouts.alert()

with st.container(border=True):
    a, b, c, d = st.columns(4)
    users = sorted({u for u in everything["user"] if isinstance(u, str)})
    who = a.selectbox(t("au.user"), users, index=None, key="who", bind="query-params", placeholder=t("any"))
    events = b.multiselect(
        t("au.events"),
        list(EVENTS),
        format_func=labelled(EVENTS, lambda e: t(f"event.{e}")),
        key=translated("events"),
        bind="query-params",
        placeholder=t("any"),
    )
    since = c.date_input(t("au.since"), value=None, key="since", bind="query-params")
    until = d.date_input(t("au.until"), value=None, key="until", bind="query-params")


def matching(limit: int | None) -> pd.DataFrame:
    """The events matching the filters, newest first, as shown and downloaded (time in UTC, details as JSON)."""
    frame = read_events(
        limit,
        event=events or None,
        user=who,
        audit_file=trail,
        since=datetime.combine(since, time.min, UTC) if since else None,
        until=datetime.combine(until, time.max, UTC) if until else None,
    )
    return pd.DataFrame(
        {
            "recorded_at": frame["time"].dt.tz_convert("UTC").dt.tz_localize(None),
            "user": frame["user"],
            "event": [t(f"event.{e}") if e in EVENTS else e for e in frame["event"]],
            "details": [json.dumps(d, ensure_ascii=False, sort_keys=True) for d in frame["details"]],
            **{f"client_{part}": [client.get(part) for client in frame["client"]] for part in CLIENT_PARTS},
            "hash": frame["hash"],
        }
    )


shown = matching(None)
st.caption(t("au.shown", shown=min(len(shown), LIMIT), total=len(shown)))
table(shown.head(LIMIT), "audit_table", height=520)
download(lambda: [(t("au.title"), matching(None))], "audit")
