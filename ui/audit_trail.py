"""What the dashboard writes to the audit trail: page views with their filters, exports with their rows, reveals
of one customer's personal data; each event with the request's client (address, session, user agent). A trail
that cannot be written stops the action."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from analytics.access import audit
from analytics.access.users import User
from analytics.core.config import audit_path, database_path
from ui.origin import is_loopback

PAGE_KEY = "_auth_page"  # the page of this run, for the export records
VIEWED_KEY = "_audit_viewed"  # the last page view recorded
REVEALED_KEY = "_revealed_customer"
AGENT_CHARS = 200  # of the User-Agent kept


def audit_file() -> Path:
    """$BANK_AUDIT, else audit.jsonl beside the database in use."""
    return audit_path(database_path())


def client() -> dict[str, object]:
    """Where this run's request comes from, as Streamlit gives it: `address` (the peer; behind a reverse proxy on
    this machine, whose peer is loopback, the last X-Forwarded-For address or X-Real-IP, as ui.signin_form.source;
    "local" for a loopback peer without them), `session` (a digest of Streamlit's session id, never the id) and
    `user_agent` (its first 200 characters). Empty outside a script run (a download built in the server's thread).
    """
    run = get_script_run_ctx(suppress_warning=True)
    if run is None:
        return {}
    headers, ip = st.context.headers, st.context.ip_address
    forwarded = [c.strip() for c in (headers.get("X-Forwarded-For") or "").split(",") if c.strip()]
    if isinstance(ip, str) and ip and not is_loopback(ip):
        address = ip
    else:
        address = forwarded[-1] if forwarded else (headers.get("X-Real-IP") or "").strip() or "local"
    found: dict[str, object] = {
        "address": address,
        "session": hashlib.sha256(run.session_id.encode()).hexdigest()[:16],
    }
    if headers.get("User-Agent"):
        found["user_agent"] = headers["User-Agent"][:AGENT_CHARS]
    return found


audit.set_client_source(client)  # every event recorded in this process during a run carries its client


def record(event: str, user: User | str | None, **details: object) -> None:
    """Append to the trail; a trail that cannot be written stops the action (the error propagates)."""
    audit.record(event, user, audit_file=audit_file(), **details)


def page_viewed(page: str, user: User) -> None:
    """Record a page view with the URL's filters, once per distinct view (not on every rerun)."""
    params = {
        k: (v[0] if len(v) == 1 else v) for k in sorted(st.query_params.keys()) if (v := st.query_params.get_all(k))
    }
    customer = params.pop("customer", None)  # a customer id is stored as its salted hash
    seen = (user.username, page, repr(sorted(params.items())), customer)
    if st.session_state.get(VIEWED_KEY) == seen:
        return
    details: dict[str, object] = {"page": page, "filters": params}
    if customer:
        details["customer_id"] = customer
    record("page_view", user, **details)
    st.session_state[VIEWED_KEY] = seen


def exported(
    build: Callable[[], bytes], name: str, rows: Callable[[bytes], dict[str, int]], user: User | None
) -> Callable[[], bytes]:
    """`build` wrapped so that every workbook served is recorded (file, sheets, rows) before it leaves.

    Recorded when the bytes are built, not in on_click: Streamlit builds a deferred download when the browser
    asks for it, which a client can do without a click, and only then are the rows known.
    """
    page, trail, where = st.session_state.get(PAGE_KEY), audit_file(), client()  # served outside the run

    def serve() -> bytes:
        if user is None:
            raise PermissionError("nobody is signed in")
        data = build()
        sheets = rows(data)
        audit.record(
            "export",
            user,
            audit_file=trail,
            client=where,
            table=name,
            page=page,
            sheets=sheets,
            rows=sum(sheets.values()),
        )
        return data

    return serve


def reveal(customer_id: str, user: User) -> None:
    """Record a reveal of one customer's personal data; the session reveals that customer only."""
    record("reveal", user, customer_id=customer_id, page=st.session_state.get(PAGE_KEY))
    st.session_state[REVEALED_KEY] = customer_id


def revealed() -> str | None:
    return st.session_state.get(REVEALED_KEY)


def forget_reveal() -> None:
    st.session_state.pop(REVEALED_KEY, None)
