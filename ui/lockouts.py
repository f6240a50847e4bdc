"""The Audit page's alert of sign-in lockouts: accounts and source addresses locked now or failing lately."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from analytics.access.lockout import LockoutStore, Subject
from analytics.core.config import signin_state_path, users_path
from ui.i18n import t


def subjects() -> list[Subject]:
    return LockoutStore(signin_state_path(users_path())).status()


def alert() -> None:
    """Nothing when no account or source has failed in the last day; else a count and a table, red while any is
    locked."""
    found = subjects()
    if not found:
        return
    locked = sum(s.locked_until is not None for s in found)
    say = st.error if locked else st.warning
    say(t("au.lockouts", locked=locked, failing=len(found) - locked), icon=":material/lock_clock:")
    st.dataframe(frame(found), hide_index=True)


def frame(found: list[Subject]) -> pd.DataFrame:
    def utc(moment: float | None) -> datetime | None:
        return datetime.fromtimestamp(moment, UTC).replace(tzinfo=None, microsecond=0) if moment else None

    return pd.DataFrame(
        {
            t("au.lockouts.kind"): [t(f"au.lockouts.{s.kind}") for s in found],
            t("au.lockouts.subject"): [s.name or t("au.lockouts.unknown") for s in found],
            t("au.lockouts.failures"): [s.failures for s in found],
            t("au.lockouts.lockouts"): [s.lockouts for s in found],
            t("au.lockouts.until"): [utc(s.locked_until) for s in found],
            t("au.lockouts.last"): [utc(s.last_failure) for s in found],
        }
    )
