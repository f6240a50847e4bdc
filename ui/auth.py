"""Who is looking, chosen by configuration (docs/security.md); anything unclear signs nobody in.

- `[auth]` in .streamlit/secrets.toml: OIDC sign-in (st.login); the identity is mapped to a role and units through
  the users file.
- else a users file (BANK_USERS, default data/users.toml): a username and password form (ui.signin_form), with a
  6-digit code for users who have a second factor; lockouts after repeated failures.
- else the local demo user (HQ, personal data masked), and only for requests to localhost.

A signed-in session ends when idle or too old (ui.timeouts). Sign-ins, their refusals, expiries and sign-outs go
to the audit trail (ui.audit_trail).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from importlib.util import find_spec
from pathlib import Path
from typing import Literal

import streamlit as st

from analytics.access.oidc import identities, match_identity
from analytics.access.roles import local_demo_user
from analytics.access.users import User, UsersFileError, load_users
from analytics.core.config import idle_minutes, session_hours, users_file_named, users_path
from ui import i18n, timeouts
from ui.audit_trail import record
from ui.origin import served_locally
from ui.signin_form import USER_KEY, password_form

Mode = Literal["oidc", "password", "demo"]
OIDC_KEY = "_auth_oidc_recorded"  # the OIDC identity whose sign-in (or refusal) this session has recorded
REFUSED_KEY = "_auth_oidc_refused"  # why the OIDC identity of this session matched no entry
EXPIRED_KEY = "_auth_expired"  # why the last session ended: idle or absolute


# ---- configuration -------------------------------------------------------------------------------


# Without any secrets file Streamlit looks for one again at every access, under a lock, and a page run asks several
# times: that absence is kept for NO_SECRETS_SECONDS per secrets store (a file added later counts after that).
NO_SECRETS_SECONDS = 30.0
_no_secrets: list[tuple[object, float]] = []  # (the store found without secrets, when)


def oidc_settings() -> Mapping | None:
    """The `[auth]` section of the secrets, None when there is none (or no secrets at all)."""
    store = st.secrets  # tests replace the store
    if any(seen is store and time.monotonic() - when < NO_SECRETS_SECONDS for seen, when in _no_secrets):
        return None
    try:
        section = st.secrets.get("auth") if "auth" in st.secrets else None
    except FileNotFoundError:  # no secrets.toml anywhere (StreamlitSecretNotFoundError)
        _no_secrets[:] = [(store, time.monotonic())]
        return None
    return section if isinstance(section, Mapping) and section else None


def oidc_provider(settings: Mapping) -> str | None:
    """st.login's provider: None for a flat `[auth]`, else the name of its first `[auth.<name>]` table."""
    if "client_id" in settings or "server_metadata_url" in settings:
        return None
    return next(
        (name for name, value in settings.items() if isinstance(value, Mapping) and name != "client_kwargs"), None
    )


def mode() -> Mode:
    """oidc when `[auth]` is configured; password when a users file exists or BANK_USERS names one (a missing
    named file then signs nobody in rather than falling back to the demo); demo otherwise."""
    if oidc_settings() is not None:
        return "oidc"
    if users_file_named() or users_path().exists():
        return "password"
    return "demo"


_read: dict[str, tuple] = {}


def _accounts(path: Path) -> dict:
    """The users file's accounts, parsed again whenever the file changes; raises UsersFileError when it is
    broken or missing."""
    try:
        stat = path.stat()
    except OSError:
        raise UsersFileError(f"{path}: the users file does not exist") from None
    key = (str(path), stat.st_ino, stat.st_mtime_ns, stat.st_size)
    cached = _read.get("accounts")
    if cached is None or cached[0] != key:
        cached = _read["accounts"] = (key, load_users(path))
    return cached[1]


# ---- who is signed in ----------------------------------------------------------------------------


def resolve() -> tuple[User | None, str | None]:
    """(the user of this session, None), or (None, the i18n key of why nobody is: None = not signed in yet).

    A password session is re-read from the users file on every run: a removed user is signed out and a changed
    role or unit applies at once. Draws nothing.
    """
    current = mode()
    if current == "demo":
        return (local_demo_user(), None) if served_locally() else (None, "auth.not_local")
    if current == "password":
        signed = st.session_state.get(USER_KEY)
        if not isinstance(signed, User):
            return None, None
        try:
            account = _accounts(users_path()).get(signed.username.casefold())
        except UsersFileError:
            return None, "auth.users_broken"
        return (account.user, None) if account is not None else (None, "auth.unmapped")
    if not st.user.get("is_logged_in"):
        return None, None
    try:
        _accounts(users_path())  # a missing file is broken here too
        found = match_identity(users_path(), st.user.to_dict())
    except UsersFileError:
        return None, "auth.users_broken"
    if found.bound:
        record("oidc_bound", found.user, issuer=st.user.get("iss"), subject=st.user.get("sub"))
    if found.user is None:
        st.session_state[REFUSED_KEY] = found.reason
        return None, "auth.other_identity" if found.reason == "entry bound to another identity" else "auth.unmapped"
    return found.user, None


def current_user() -> User | None:
    return resolve()[0]


oidc_identities = identities  # the claims an unbound entry is found by (analytics.access.oidc)


def sign_in(keep_url: Callable[[], object] = lambda: None) -> User:
    """The signed-in user; otherwise draws the sign-in (or why nobody may see anything), calls `keep_url` (a
    hidden st.navigation, so that a deep link survives the sign-in) and stops the script.

    The demo mode shows its banner; a request that did not come to localhost sees an error and no data.
    """
    user, problem = resolve()
    current = mode()
    if current == "demo" and user is not None:
        st.warning(i18n.t("auth.demo_banner"), icon=":material/warning:")
        return user
    if user is not None:
        if current == "oidc" and timeouts.SINCE_KEY not in st.session_state:
            timeouts.started(st.user.to_dict())
        ended = timeouts.expired()
        if ended is not None:
            _expire(user, ended, current)
            user, problem = None, None
        else:
            st.session_state.pop(EXPIRED_KEY, None)
    if current == "oidc":
        _record_oidc(user, problem)
    if user is not None:
        return user
    keep_url()
    ended = st.session_state.get(EXPIRED_KEY)
    if ended is not None:
        limit = {"idle": idle_minutes(), "absolute": session_hours()}[ended]
        st.info(i18n.t(f"auth.expired_{ended}", limit=f"{limit:g}"), icon=":material/timer_off:")
    if problem is not None:
        st.error(i18n.t(problem), icon=":material/block:")
        if current != "demo":
            sign_out_button()
        st.stop()
    if current == "password":
        password_form()
    else:
        st.title(i18n.t("app.title"))
        ready = find_spec("authlib") is not None  # st.login needs Authlib (streamlit[auth])
        if not ready:
            st.error(i18n.t("auth.no_authlib"), icon=":material/error:")
        if st.button(
            i18n.t("auth.oidc_button"), type="primary", key="oidc_sign_in", icon=":material/login:", disabled=not ready
        ):
            st.login(oidc_provider(oidc_settings() or {}))
    st.stop()


def _record_oidc(user: User | None, problem: str | None) -> None:
    """Record an OIDC sign-in (or its refusal) once per session and identity."""
    if not st.user.get("is_logged_in"):
        return
    identity = st.user.get("email") or st.user.get("preferred_username") or st.user.get("sub") or "?"
    if st.session_state.get(OIDC_KEY) == (identity, user):
        return
    if user is not None:
        record("sign_in", user, method="oidc", identity=identity)
    else:
        reason = st.session_state.get(REFUSED_KEY) or problem
        record("sign_in_failed", None, method="oidc", identity=identity, reason=reason)
    st.session_state[OIDC_KEY] = (identity, user)


def sign_out_button(where=st.sidebar) -> None:
    if mode() == "demo":
        return
    if where.button(i18n.t("auth.sign_out"), key="sign_out", icon=":material/logout:"):
        sign_out()


def sign_out() -> None:
    """Forget everything of the session (filters, reveals, the user); OIDC also ends the provider's session."""
    user = resolve()[0]
    if user is not None:
        record("sign_out", user, method=mode())
    _forget(mode())
    st.rerun()


def _expire(user: User, reason: str, current: Mode) -> None:
    """End a session that has been idle or open too long: recorded, forgotten, and said on the sign-in page."""
    record("session_expired", user, method=current, reason=reason)
    _forget(current)
    st.session_state[EXPIRED_KEY] = reason


def _forget(current: Mode) -> None:
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    if current == "oidc":
        st.logout()


def account(user: User) -> None:
    """The sidebar's account line and sign-out button."""
    units = f" · {', '.join(user.units)}" if user.units else ""
    role = i18n.t(f"role.{user.role}") if f"role.{user.role}" in i18n.TEXT else user.role
    st.sidebar.caption(i18n.t("auth.signed_in", user=user.username, role=role) + units)
    sign_out_button()
