"""Charts built once per distinct input and shared by every session: a page run that draws a chart it has drawn
before (a rerun, a page switch, another user with the same scope and filters) takes the figure built then instead
of building it with plotly again, which cost more CPU than the rest of the page run.

A builder's arguments are its whole input (the frame, the texts in the page's language, the options), so equal
arguments give the same figure; a new load changes the frames and so the key. Figures are read only once built:
st.plotly_chart copies a figure into its message and never changes it, and no page changes a figure it gets."""

from __future__ import annotations

from collections.abc import Callable
from typing import ParamSpec

import plotly.graph_objects as go
import streamlit as st

from ui.frame_hash import FRAME_HASH

P = ParamSpec("P")
MAX_FIGURES = 512  # a few hundred KB at most each: the charts of every page, language and common filter


def shared(builder: Callable[P, go.Figure]) -> Callable[P, go.Figure]:
    """`builder`, its figures kept across runs and sessions (at most MAX_FIGURES, least recently used out)."""
    return st.cache_resource(max_entries=MAX_FIGURES, show_spinner=False, hash_funcs=FRAME_HASH)(builder)
