"""Who is looking, chosen by configuration (docs/security.md); anything unclear signs nobody in.

- `[auth]` in .streamlit/secrets.toml: OIDC sign-in (st.login); the identity is mapped to a role and units through
  the users file.
- else a users file (BANK_USERS, default data/users.toml): a username and password form.
- else the local demo user (HQ, personal data masked), and only for requests to localhost.

Sign-ins and their refusals go to the audit trail (ui.audit_trail).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from importlib.util import find_spec
from pathlib import Path
from time import sleep
from typing import Literal

import streamlit as st

from analytics.access.roles import find_user, local_demo_user
from analytics.access.users import User, UsersFileError, load_users, verify_password
from analytics.core.config import users_file_named, users_path
from ui import i18n
from ui.audit_trail import record
from ui.origin import served_locally

Mode = Literal["oidc", "password", "demo"]
USER_KEY = "_auth_user"  # the User signed in with a password
OIDC_KEY = "_auth_oidc_recorded"  # the OIDC identity whose sign-in (or refusal) this session has recorded
FAIL_DELAY = 1.0  # seconds a failed sign-in waits, on top of bcrypt's own work
_log = logging.getLogger(__name__)


# ---- configuration -------------------------------------------------------------------------------


def oidc_settings() -> Mapping | None:
    """The `[auth]` section of the secrets, None when there is none (or no secrets at all)."""
    try:
        section = st.secrets.get("auth") if "auth" in st.secrets else None
    except FileNotFoundError:  # no secrets.toml anywhere (StreamlitSecretNotFoundError)
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
        accounts = _accounts(users_path())
    except UsersFileError:
        return None, "auth.users_broken"
    user = find_user(users_path(), *oidc_identities(st.user.to_dict())) if accounts else None
    return (user, None) if user is not None else (None, "auth.unmapped")


def current_user() -> User | None:
    return resolve()[0]


def oidc_identities(claims: Mapping) -> list[str]:
    """The claims an OIDC user is matched by: the email (unless the provider says it is unverified) and the
    login name (preferred_username: Keycloak, Azure AD; upn: ADFS). Never the display name, which is not unique
    and which some providers let users edit."""
    found = []
    if claims.get("email") and str(claims.get("email_verified", True)).lower() != "false":
        found.append(str(claims["email"]))
    for claim in ("preferred_username", "upn"):
        if claims.get(claim):
            found.append(str(claims[claim]))
    return [f.strip() for f in found if f.strip()]


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
    if current == "oidc":
        _record_oidc(user, problem)
    if user is not None:
        return user
    keep_url()
    if problem is not None:
        st.error(i18n.t(problem), icon=":material/block:")
        if current != "demo":
            sign_out_button()
        st.stop()
    if current == "password":
        _password_form()
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


def _password_form() -> None:
    st.title(i18n.t("app.title"))
    with st.form("sign_in", clear_on_submit=True, width=420):
        username = st.text_input(i18n.t("auth.username"), max_chars=64, key="sign_in_username")
        password = st.text_input(i18n.t("auth.password"), type="password", max_chars=128, key="sign_in_password")
        submitted = st.form_submit_button(i18n.t("auth.sign_in"), type="primary", icon=":material/login:")
    if not submitted:
        return
    name = username.strip()
    try:
        user = verify_password(users_path(), name, password)
        known = _accounts(users_path()).get(name.casefold()) is not None
    except UsersFileError as error:
        _log.error("sign-in refused: %s", error)
        st.error(i18n.t("auth.users_broken"), icon=":material/block:")
        return
    if user is not None:
        record("sign_in", user, method="password")
        st.session_state[USER_KEY] = user
        st.rerun()
    # an unknown name may be a password typed in the wrong field: only known names reach the trail
    record(
        "sign_in_failed",
        name if known else None,
        method="password",
        reason="wrong password" if known else "unknown user",
    )
    sleep(FAIL_DELAY)
    st.error(i18n.t("auth.failed"), icon=":material/error:")


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
        record("sign_in_failed", None, method="oidc", identity=identity, reason=problem)
    st.session_state[OIDC_KEY] = (identity, user)


def sign_out_button(where=st.sidebar) -> None:
    if mode() == "demo":
        return
    if where.button(i18n.t("auth.sign_out"), key="sign_out", icon=":material/logout:"):
        sign_out()


def sign_out() -> None:
    """Forget everything of the session (filters, reveals, the user); OIDC also ends the provider's session."""
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    if mode() == "oidc":
        st.logout()
    st.rerun()


def account(user: User) -> None:
    """The sidebar's account line and sign-out button."""
    units = f" · {', '.join(user.units)}" if user.units else ""
    role = i18n.t(f"role.{user.role}") if f"role.{user.role}" in i18n.TEXT else user.role
    st.sidebar.caption(i18n.t("auth.signed_in", user=user.username, role=role) + units)
    sign_out_button()
