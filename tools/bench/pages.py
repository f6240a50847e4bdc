"""Whole page script runs: app.py through Streamlit's AppTest on the bench database, switched to each page.

Demo sign-in (HQ); cold = st.cache_data cleared before the run (the first visitor after a load), warm = results
cached. The page views go to an audit trail of the bench's own, never to the bank's.
"""

from __future__ import annotations

import os
import statistics
import time

from analytics.core.config import PROJECT_ROOT
from tools.bench.floors import page_floor
from tools.bench.process import peak_rss, say
from ui.navigation import HQ_PAGES
from ui.navigation import PAGES as USER_PAGES

# url path of every page of app.py -> the label key (ui.labels.TEXT) of its title in the navigation
NAV_TITLES = {url: title for _, title, _, url in USER_PAGES + HQ_PAGES}
SCRIPT_PAGES = tuple(NAV_TITLES)  # the page scripts timed whole
PAGES = tuple(page for page in SCRIPT_PAGES if page != "audit")  # those with analytics (audit reads the trail file)


def audit_trail(db: str) -> str:
    return f"{db}.bench-audit.jsonl"


def page_run_seconds(
    page: str, cold: bool, query: dict[str, str] | None = None, timeout: float = 1800, require_content: bool = True
) -> float:
    """One script run of views/<page>.py through AppTest (BANK_DB already set), after the app's first run;
    cold clears st.cache_data first. A page with an exception is an error, and so is one with no table and
    no metric when content is required (a default view; e.g. a sign-in form instead)."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=timeout)
    at.query_params.update(query or {})
    at.run()
    at.switch_page(f"views/{page}.py")
    if cold:
        st.cache_data.clear()
    started = time.perf_counter()
    at.run()
    elapsed = time.perf_counter() - started
    if at.exception:
        raise RuntimeError(f"page {page} {query or ''}: {at.exception[0].value}")
    if require_content and not (len(at.dataframe) or len(at.metric)):
        raise RuntimeError(f"page {page} showed no table and no metric: {[e.value for e in at.error]}")
    return elapsed


def quiet_streamlit() -> None:
    """Streamlit's log at errors only (else each AppTest run resets it to info: bare-mode warnings)."""
    from streamlit import config, logger

    config.set_option("logger.level", "error")
    logger.set_log_level("error")


def page_phase(db: str, runs: int) -> dict:
    """Median script run of each page through AppTest on `db`: cold (st.cache_data cleared) and warm (cached)."""
    os.environ["BANK_DB"] = db
    os.environ["BANK_AUDIT"] = audit_trail(db)  # page views go to the bench's own trail, never the bank's
    quiet_streamlit()
    pages = []
    for page in (p for p in SCRIPT_PAGES if (PROJECT_ROOT / "views" / f"{p}.py").exists()):
        try:
            page_run_seconds(page, cold=False)  # imports, the connection, the sidebar's cached lookups
            cold = [page_run_seconds(page, cold=True) for _ in range(runs)]
            warm = [page_run_seconds(page, cold=False) for _ in range(runs)]
        except Exception as exc:
            pages.append({"page": page, "error": f"{type(exc).__name__}: {exc}"})
            continue
        pages.append({"page": page, "cold_s": statistics.median(cold), "warm_s": statistics.median(warm)})
        say(f"page {page}: cold {pages[-1]['cold_s']:.2f} s, warm {pages[-1]['warm_s']:.2f} s")
    floor = page_floor(runs)
    say(f"page floor (an empty Streamlit page): {floor['seconds']:.3f} s")
    return {"pages": pages, "floor": floor, "peak_rss": peak_rss()}
