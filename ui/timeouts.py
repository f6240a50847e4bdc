"""When a signed-in session ends: after BANK_IDLE_MINUTES without a click (default 15) and BANK_SESSION_HOURS
after its sign-in (default 8), whatever the clicks. An OIDC session's sign-in is the provider's (the ID token's
`auth_time`, else `iat`), so a new tab does not start the clock again."""

from __future__ import annotations

import time
from collections.abc import Mapping

import streamlit as st

from analytics.core.config import idle_minutes, session_hours

SINCE_KEY = "_auth_since"  # when the user signed in (epoch seconds)
SEEN_KEY = "_auth_seen"  # the user's last click


def now() -> float:
    return time.time()


def started(claims: Mapping | None = None) -> None:
    """Start the clocks of a sign-in (claims: an OIDC identity's, whose own sign-in time counts)."""
    moment = now()
    for claim in ("auth_time", "iat"):
        value = (claims or {}).get(claim)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value <= moment:
            moment = float(value)
            break
    st.session_state[SINCE_KEY] = moment
    st.session_state[SEEN_KEY] = now()


def expired() -> str | None:
    """ "idle" or "absolute" when the session has ended, else None (and this click counts as activity)."""
    since, seen, moment = st.session_state.get(SINCE_KEY), st.session_state.get(SEEN_KEY), now()
    if since is None or seen is None:
        return "absolute"  # signed in without clocks: nothing says when, so it has ended
    if moment - since > session_hours() * 3600:
        return "absolute"
    if moment - seen > idle_minutes() * 60:
        return "idle"
    st.session_state[SEEN_KEY] = moment
    return None


def deadline() -> float:
    """When the session ends if nobody clicks again: what a download drawn now may be built until."""
    since, seen = st.session_state.get(SINCE_KEY), st.session_state.get(SEEN_KEY)
    if since is None or seen is None:
        return now()
    return min(since + session_hours() * 3600, seen + idle_minutes() * 60)
