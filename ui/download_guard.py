"""Every download checked again when its file is built: Streamlit builds a deferred download when the browser asks
for it, which may be long after the button was drawn. By then the user may have been removed from the users file,
given another role, units or permissions, their scope may have changed with the data, or their session may have
ended: any of these, and the download serves nothing (recorded as `export_refused`).

Streamlit then serves the built file at /media/<id> to whoever has the URL (its media route has no session check; the
id is a hash of the file's content, so it cannot be guessed). The browser fetches it at once; a little later
(EXPIRE_AFTER_S, then EXPIRE_GAP_S) the file is dropped from the process's memory, so the URL does not outlive the
click by more than about 40 s (docs/security.md)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import streamlit as st
from streamlit import runtime
from streamlit.runtime.media_file_manager import MediaFileManager

from analytics.access import audit
from analytics.access.roles import scope_for
from analytics.access.users import User, UsersFileError, load_users
from analytics.core.config import users_path
from analytics.core.scope import Scope
from ui import auth, timeouts
from ui.audit_trail import PAGE_KEY, audit_file
from ui.connection import get_connection
from ui.session import current_scope

EXPIRE_AFTER_S = 30.0  # the browser fetches a built download within milliseconds of the click
EXPIRE_GAP_S = 10.0  # Streamlit's sweep marks a file no session shows, the next sweep deletes it


def guarded(build: Callable[[], bytes], name: str) -> Callable[[], bytes]:
    """`build`, run only if the user, role, units, permissions and scope of now are still those of the drawing.

    Everything it needs is taken now: the callable runs outside the script, without the session."""
    user, current = auth.current_user(), auth.mode()
    scope = current_scope()
    until = None if current == "demo" else timeouts.deadline()
    users, trail, page = users_path(), audit_file(), st.session_state.get(PAGE_KEY)

    def checked() -> bytes:
        reason = refusal(user, current, scope, until, users)
        if reason is not None:
            who = user.username if user is not None else None
            audit.record("export_refused", who, audit_file=trail, table=name, page=page, reason=reason)
            raise PermissionError(f"download refused: {reason}")
        built = build()
        if runtime.exists():
            expire_later(runtime.get_instance().media_file_mgr)
        return built

    return checked


def expire_later(manager: MediaFileManager, after: float = EXPIRE_AFTER_S, gap: float = EXPIRE_GAP_S) -> None:
    """Drop, `after` + `gap` seconds from now, every download file that no session shows (the one just built among
    them), so its /media URL serves nothing any more. A file built during the gap is only marked, not deleted: no
    download is taken away between its build and the browser's fetch."""
    for delay in (after, after + gap):
        timer = threading.Timer(delay, manager.remove_orphaned_files)
        timer.daemon = True
        timer.start()


def refusal(user: User | None, current: str, scope: Scope, until: float | None, users: Path) -> str | None:
    """Why a download drawn for `user` (in sign-in mode `current`, with `scope`, valid `until`) may not be built
    now; None when it may."""
    if user is None:
        return "nobody signed in"
    if until is not None and timeouts.now() > until:
        return "session ended"
    now_user = user
    if current != "demo":
        try:
            account = load_users(users).get(user.username.casefold())
        except UsersFileError:
            return "users file broken"
        if account is None:
            return "user removed"
        if account.user != user:
            return "role, units or permissions changed"
        now_user = account.user
    if scope_for(get_connection(), now_user) != scope:
        return "scope changed"
    return None
