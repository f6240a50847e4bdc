"""Cached calls of the analytics functions: keyed on the function, its filters and the data version.

A new load or policy changes the data version (analytics.explorer.data_version), so cached results of older
data are never served. Pages call `query(function, *filters)`; the connection is the process's one.
"""
from __future__ import annotations

from typing import Any, Callable

import pandas as pd
import streamlit as st

from analytics import actions, catalog, churn, distribution, explorer, migration, retention, scorecard, store, units
from ui.connection import get_connection

_FUNCTIONS: dict[str, Callable[..., Any]] = {
    f"{f.__module__}.{f.__name__}": f
    for f in (
        catalog.loaded_periods, catalog.load_history, catalog.period_quality,
        distribution.tier_distribution, distribution.band_concentration, distribution.lorenz_curve,
        distribution.gini, distribution.card_distribution, distribution.vip_growth,
        migration.migration_matrix, migration.project_distribution,
        churn.churn_by_unit, retention.retention_triangle, retention.survival_by_tier,
        scorecard.quarter_scorecard,
        explorer.quarters, explorer.quarter_overview, explorer.narrow_scope, explorer.find_customers,
        explorer.customer_history, explorer.migration_customers,
        store.policy_in_force, store.periods, units.unit_labels,
        actions.at_risk_customers, actions.upgrade_candidates, actions.churned_high_value,
    )
}
VERSION_KEY = "_data_version"


def refresh_version() -> str:
    """Read the data version (a cheap lookup on load_log); app.py does it once per script run."""
    st.session_state[VERSION_KEY] = explorer.data_version(get_connection())
    return st.session_state[VERSION_KEY]


def version() -> str:
    return st.session_state.get(VERSION_KEY) or refresh_version()


@st.cache_data(show_spinner=False, max_entries=1000)
def _cached(name: str, data_version: str, args: tuple, kwargs: tuple) -> Any:
    result = _FUNCTIONS[name](get_connection(), *args, **dict(kwargs))
    if isinstance(result, pd.DataFrame):
        result.attrs = dict(result.attrs)
    return result


def query(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """function(connection, *args, **kwargs), cached on the arguments and the data version."""
    name = f"{function.__module__}.{function.__name__}"
    if name not in _FUNCTIONS:
        raise KeyError(f"{name} is not a registered analytics function")
    return _cached(name, version(), args, tuple(sorted(kwargs.items())))
