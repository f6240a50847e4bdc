"""The users-file sign-in form: username and password, then the 6-digit code for users with a second factor.

The checks, the lockouts and their audit records are analytics.access.signin's; this draws the two forms and
keeps, between them, who typed the right password (for CODE_MINUTES).
"""

from __future__ import annotations

import logging
import time
from time import sleep

import streamlit as st

from analytics.access.lockout import LockoutStore
from analytics.access.signin import CODE_DIGITS, Outcome, check_code, check_password
from analytics.access.users import User, UsersFileError
from analytics.core.config import signin_state_path, users_path
from ui import i18n, timeouts
from ui.audit_trail import audit_file
from ui.origin import is_loopback

USER_KEY = "_auth_user"  # the User signed in with a password
PENDING_KEY = "_auth_pending"  # (username, when) of a right password still waiting for its code
CODE_MINUTES = 5  # how long the code form waits after the password
FAIL_DELAY = 1.0  # seconds a failed sign-in waits, on top of bcrypt's own work
_log = logging.getLogger(__name__)


def lockouts() -> LockoutStore:
    return LockoutStore(signin_state_path(users_path()))


def source() -> str:
    """The client's address: the direct peer, or, behind a reverse proxy on this machine (the peer is loopback),
    the last address the proxy added to X-Forwarded-For (or its X-Real-IP). "local" for a run without a browser."""
    ip = st.context.ip_address
    if isinstance(ip, str) and ip and not is_loopback(ip):
        return ip
    headers = st.context.headers
    forwarded = [c.strip() for c in (headers.get("X-Forwarded-For") or "").split(",") if c.strip()]
    return forwarded[-1] if forwarded else (headers.get("X-Real-IP") or "").strip() or "local"


def password_form() -> None:
    """Draw the step the session is at; a user who passes both is kept in the session and the app reruns."""
    st.title(i18n.t("app.title"))
    pending = st.session_state.get(PENDING_KEY)
    if pending is not None and time.time() - pending[1] > CODE_MINUTES * 60:
        st.session_state.pop(PENDING_KEY, None)
        pending = None
    if pending is None:
        _first_step()
    else:
        _code_step(pending[0])


def _first_step() -> None:
    with st.form("sign_in", clear_on_submit=True, width=420):
        username = st.text_input(i18n.t("auth.username"), max_chars=64, key="sign_in_username")
        password = st.text_input(i18n.t("auth.password"), type="password", max_chars=128, key="sign_in_password")
        submitted = st.form_submit_button(i18n.t("auth.sign_in"), type="primary", icon=":material/login:")
    if submitted:
        _finish(lambda: check_password(users_path(), lockouts(), username, password, source(), audit_file()))


def _code_step(username: str) -> None:
    st.caption(i18n.t("auth.code_for", user=username))
    with st.form("sign_in_code", clear_on_submit=True, width=420):
        code = st.text_input(i18n.t("auth.code"), max_chars=CODE_DIGITS, key="sign_in_code")
        submitted = st.form_submit_button(i18n.t("auth.sign_in"), type="primary", icon=":material/login:")
    if st.button(i18n.t("auth.code_back"), key="sign_in_restart"):
        st.session_state.pop(PENDING_KEY, None)
        st.rerun()
    if submitted:
        _finish(lambda: check_code(users_path(), lockouts(), username, code, source(), audit_file()), code=True)


def _finish(check, code: bool = False) -> None:
    try:
        outcome: Outcome = check()
    except UsersFileError as error:
        _log.error("sign-in refused: %s", error)
        st.error(i18n.t("auth.users_broken"), icon=":material/block:")
        return
    if outcome.user is not None and outcome.needs_code:
        st.session_state[PENDING_KEY] = (outcome.user.username, time.time())
        st.rerun()
    if outcome.user is not None:
        _signed_in(outcome.user)
    sleep(FAIL_DELAY)
    if outcome.locked_until is not None:
        minutes = max(1, round((outcome.locked_until - time.time()) / 60))
        st.error(i18n.t("auth.locked", minutes=minutes), icon=":material/lock_clock:")
    else:
        st.error(i18n.t("auth.wrong_code" if code else "auth.failed"), icon=":material/error:")


def _signed_in(user: User) -> None:
    st.session_state.pop(PENDING_KEY, None)
    st.session_state[USER_KEY] = user
    timeouts.started()
    st.rerun()
