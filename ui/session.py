"""Who is looking and at what: the user's scope (one place for sign-in and roles later) and the global view
(as-of quarter, the user's own unit) that app.py's sidebar sets and every page reads."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import streamlit as st

from analytics.scope import Scope

VIEW_KEY = "_view"


def current_scope() -> Scope:
    """The branches the signed-in user may see. For now every user is a local HQ user: everything.

    Sign-in and roles go here (e.g. st.user -> Scope(branches=...)); every analytics call receives it.
    """
    return Scope()


@dataclass(frozen=True)
class View:
    """The global filters of the sidebar, as every page reads them."""

    periods: tuple[date, ...] = ()
    quarter: str | None = None  # e.g. 2026Q3; None when no quarter can be compared
    start: date | None = None   # the quarter's start snapshot (last period of the previous quarter)
    end: date | None = None     # the as-of period: the quarter's end snapshot, else the latest period
    level: str | None = None    # level of the user's own unit, None = the whole scope
    unit: str | None = None
    unit_label: str | None = None
    user_scope: Scope = Scope()
    scope: Scope = Scope()      # user_scope narrowed to the unit

    @property
    def empty(self) -> bool:
        return not self.periods


def set_view(view: View) -> None:
    st.session_state[VIEW_KEY] = view


def view() -> View:
    return st.session_state.get(VIEW_KEY) or View(user_scope=current_scope(), scope=current_scope())
