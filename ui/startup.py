"""What the dashboard's server does once, at its start (serve.py), so that nobody's first page pays for it: the
page helpers and the engine imported, plotly's validators loaded by one small figure of each kind the pages draw,
the database's reader opened, and what is loaded by then frozen out of the garbage collector's full passes.

And the HTML of the pages: Streamlit's index.html with the server's root named as its base URL
(window.__streamlit.BACKEND_BASE_URL), so that a page opened by its address (/tiers) connects at once instead of
first probing /tiers/_stcore/health and /tiers/_stcore/host-config (two 404s per deep link).
"""

from __future__ import annotations

import asyncio
import gc
import importlib
import pkgutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import plotly.io
import streamlit
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from ui.connection import get_connection
from ui.navigation import HQ_PAGES, PAGES

# the packages whose modules the pages import (the Spark job and the command line are not the dashboard's)
WARM_PACKAGES = ("ui", "analytics.core", "analytics.store", "analytics.access", "analytics.lists", "analytics.metrics")
BASE_URL_SCRIPT = "window.__streamlit = {BACKEND_BASE_URL: window.location.origin + '/'}"


def _import_all() -> None:
    for name in WARM_PACKAGES:
        package = importlib.import_module(name)
        for module in pkgutil.walk_packages(package.__path__, f"{name}."):
            importlib.import_module(module.name)


def _draw_each_kind() -> None:
    frame = pd.DataFrame({"x": ["a", "b"], "y": [1.0, 2.0], "tier": ["t1", "t2"]})
    figures = [
        px.area(frame, x="x", y="y", color="tier", title="t"),
        px.bar(frame, x="y", y="x", color="tier", orientation="h"),
        go.Figure(go.Heatmap(z=[[1, 2], [3, 4]], text=[["1", "2"], ["3", "4"]], texttemplate="%{text}")),
        go.Figure(go.Sankey(node={"label": ["a", "b"]}, link={"source": [0], "target": [1], "value": [1]})),
        go.Figure(go.Scatter(x=[0, 1], y=[0, 1], fill="tozeroy", mode="lines")),
    ]
    for figure in figures:
        figure.update_layout(legend={"orientation": "h"}, xaxis_title="x")
        plotly.io.to_json(figure.to_dict(), validate=False)


def warm() -> None:
    """Import, draw and connect once; then freeze the objects made so far (modules, validators), which every
    later full garbage collection would otherwise walk again."""
    _import_all()
    _draw_each_kind()
    get_connection().close()
    gc.freeze()


@asynccontextmanager
async def lifespan(_app: object) -> AsyncIterator[None]:
    """st.App's start-up hook: the server answers (its health check too) once warm."""
    await asyncio.to_thread(warm)
    yield


def page_html() -> str:
    html = (Path(streamlit.__file__).parent / "static" / "index.html").read_text(encoding="utf-8")
    return html.replace("<head>", f"<head>\n    <script>{BASE_URL_SCRIPT}</script>", 1)


def page_routes() -> list[Route]:
    """The root and every page's address answered with page_html() (no caching, as Streamlit serves its own)."""
    html = page_html()

    async def page(_request: Request) -> HTMLResponse:
        return HTMLResponse(html, headers={"Cache-Control": "no-cache"})

    paths = ["/"] + [f"/{url}" for _, _, _, url in PAGES + HQ_PAGES] + ["/landing"]
    return [Route(path, page, methods=["GET", "HEAD"]) for path in paths]
