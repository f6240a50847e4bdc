"""Cached calls of the analytics functions: keyed on the function, its filters and the data version.

A new load or policy changes the data version (analytics.store.catalog.data_version), so cached results of older
data are never served. Pages call `query(function, *filters)`; the connection is the process's one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from analytics.access.narrow import narrow_scope
from analytics.lists.actions import at_risk_customers, churned_high_value, upgrade_candidates
from analytics.lists.coverage import unit_contact_coverage
from analytics.lists.explorer import find_customers
from analytics.lists.history import customer_history
from analytics.lists.migration_cell import migration_customers
from analytics.lists.workbench import call_list
from analytics.metrics.accountability import accountability, lost_high_value
from analytics.metrics.churn import churn_by_unit
from analytics.metrics.distribution import (
    band_concentration,
    card_distribution,
    gini,
    lorenz_curve,
    tier_distribution,
    vip_growth,
)
from analytics.metrics.labels import unit_labels
from analytics.metrics.migration import migration_matrix, project_distribution
from analytics.metrics.overview import quarter_overview
from analytics.metrics.retention import retention_triangle, survival_by_tier
from analytics.metrics.role_fit import role_mismatches
from analytics.metrics.scorecard import quarter_scorecard, scorecard
from analytics.metrics.segments import card_tier_crosstab, relationship_types
from analytics.store.catalog import load_history, loaded_periods, period_quality, period_totals, quarters
from analytics.store.policy_record import policy_in_force
from ui.connection import current_data_version, get_connection
from ui.frame_hash import FRAME_HASH

_FUNCTIONS: dict[str, Callable[..., Any]] = {
    f"{f.__module__}.{f.__name__}": f
    for f in (
        period_totals,
        load_history,
        period_quality,
        loaded_periods,
        quarters,
        policy_in_force,
        tier_distribution,
        band_concentration,
        lorenz_curve,
        gini,
        card_distribution,
        vip_growth,
        card_tier_crosstab,
        relationship_types,
        migration_matrix,
        project_distribution,
        churn_by_unit,
        retention_triangle,
        survival_by_tier,
        quarter_scorecard,
        scorecard,
        role_mismatches,
        accountability,
        lost_high_value,
        quarter_overview,
        unit_labels,
        narrow_scope,
        find_customers,
        customer_history,
        migration_customers,
        at_risk_customers,
        upgrade_candidates,
        churned_high_value,
        call_list,
        unit_contact_coverage,
    )
}
VERSION_KEY = "_data_version"


def refresh_version() -> str:
    """Read the data version (once per generation of the database); the sidebar does it once per script run."""
    st.session_state[VERSION_KEY] = current_data_version()
    return st.session_state[VERSION_KEY]


def version() -> str:
    return st.session_state.get(VERSION_KEY) or refresh_version()


@st.cache_data(show_spinner=False, max_entries=1000, hash_funcs=FRAME_HASH)
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
