"""Who is looking and at what: the signed-in user's scope (the one place it comes from) and the global view
(as-of quarter, the user's own unit) that app.py's sidebar sets and every page reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import streamlit as st

from analytics.access.roles import scope_for
from analytics.access.users import User
from analytics.core.scope import Scope
from ui import auth
from ui.connection import get_connection
from ui.data import version

VIEW_KEY = "_view"
SCOPE_KEY = "_scope"


def current_user() -> User | None:
    """The signed-in user (ui.auth: password, OIDC or the local demo user); None = nobody, sees nothing."""
    return auth.current_user()


def current_scope() -> Scope:
    """The branches (or a manager's customers) the signed-in user may see: analytics.access.scope_for.

    hq everything; region / sub_branch / branch their units' branches; manager their own customers; nobody,
    an unknown role or units that match nothing: nothing. Kept per user and data version for the session.
    """
    user = current_user()
    if user is None:
        return Scope.nothing()
    key = (user, version())
    cached = st.session_state.get(SCOPE_KEY)
    if cached is not None and cached[0] == key:
        return cached[1]
    scope = scope_for(get_connection(), user)
    st.session_state[SCOPE_KEY] = (key, scope)
    return scope


def sees_nothing(scope: Scope) -> bool:
    return scope.branches == frozenset() or scope.managers == frozenset()


@dataclass(frozen=True)
class View:
    """The global filters of the sidebar, as every page reads them."""

    periods: tuple[date, ...] = ()
    quarter: str | None = None  # e.g. 2026Q3; None when no quarter can be compared
    start: date | None = None  # the quarter's start snapshot (last period of the previous quarter)
    end: date | None = None  # the as-of period: the quarter's end snapshot, else the latest period
    level: str | None = None  # level of the user's own unit, None = the whole scope
    unit: str | None = None
    unit_label: str | None = None
    user_scope: Scope = Scope.nothing()
    scope: Scope = Scope.nothing()  # user_scope narrowed to the unit

    @property
    def empty(self) -> bool:
        return not self.periods


def set_view(view: View) -> None:
    st.session_state[VIEW_KEY] = view


def view() -> View:
    return st.session_state.get(VIEW_KEY) or View(user_scope=current_scope(), scope=current_scope())


def own_unit(level: str) -> str | None:
    """The unit at `level` a chart of units always shows: the one chosen in the sidebar at that level, else the
    signed-in user's own (a manager's id, a branch's id) when the user is of that level."""
    current, user = view(), current_user()
    if current.unit is not None and current.level == level:
        return current.unit
    if user is not None and user.role == level and user.units:
        return next(iter(user.units)).strip()
    return None
