"""Time the dashboard as a user feels it, in Debian's chromium (1440x900) against a Streamlit server of its own.

    BANK_DB=/tmp/demo_check.duckdb .venv/bin/python -m tools.measure_pages [--runs 3] [--lang zh]

Starts `streamlit run app.py` on a free port (demo sign-in, HQ: no $BANK_USERS and no data/users.toml; an audit trail of its own beside the database,
removed afterwards), then measures, each the median of `runs` (tools/page_timing.py says when a page is ready):
the first visit after the server start; opening every page by its URL; switching to every page from the sidebar;
changing a filter on the tiers, migration and churn pages. Beside each figure, the server's CPU time for it
(user + system of the Streamlit process, psutil, read before and 0.3 s after the page is ready: the page run,
its messages and whatever the server did meanwhile); for a page switch that is the CPU of one warm page run.
Prints a markdown table, the machine's load (os.getloadavg) and any 404 the browser met. Not a test: the figures
depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import tempfile
from collections.abc import Callable
from pathlib import Path

import psutil

from analytics.core.config import database_path
from tools.load_test.server import free_port, start_server, stop_server, wait_healthy
from tools.page_timing import OBSERVER, after_click, open_by_url
from ui.labels import TEXT
from ui.labels_display import TEXT as DISPLAY
from ui.navigation import HQ_PAGES, PAGES

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
# page -> (the key of its title, the filter a user changes there: its two labels' keys, clicked in turn)
FILTERS = {
    "tiers": ("ti.title", ("ov.aum_card", "mi.value.customers")),
    "migration": ("mi.title", ("mi.value.row_share", "mi.value.customers")),
    "churn": ("ch.title", ("rank.bottom", "rank.top")),
}
TITLES = {url: title for _, title, _, url in PAGES + HQ_PAGES if url != "audit"}


def text(key: str, lang: str, **values: object) -> str:
    pair = TEXT.get(key) or DISPLAY[key]
    return pair[("zh", "en").index(lang)].format(**values)


Figure = tuple[float, float] | None  # (seconds the user waited, the server's CPU seconds meanwhile)
SETTLE_S = 0.3  # after a page is ready: the end of the run's work on the server (its last messages) is counted


def _median(times: list[Figure]) -> Figure:
    done = [t for t in times if t is not None]
    if not done or len(done) != len(times):
        return None
    return statistics.median(t[0] for t in done), statistics.median(t[1] for t in done)


def _cpu(server: psutil.Process) -> float:
    times = server.cpu_times()
    return times.user + times.system


def _timed(page, server: psutil.Process, what: str, step: Callable[[], float]) -> Figure:
    """One measurement with the server's CPU for it; None (and a screenshot in the temp folder) when the page
    never got ready or shows an error."""
    try:
        before = _cpu(server)
        seconds = step()
        page.wait_for_timeout(SETTLE_S * 1000)
        cpu = _cpu(server) - before
        if page.locator('[data-testid="stException"], [data-testid="stAlertContentError"]').count():
            print(f"{what}: the page shows an error", flush=True)
            return None
        return seconds, cpu
    except Exception as error:  # noqa: BLE001 - a timing run reports what failed and goes on
        print(f"{what}: {type(error).__name__}: {str(error).splitlines()[0]}", flush=True)
        name = re.sub(r"\W+", "-", what)
        page.screenshot(path=str(Path(tempfile.gettempdir()) / f"measure-{name}.png"))
        return None


def measure(base: str, server: psutil.Process, runs: int, lang: str) -> list[tuple[str, str, Figure]]:
    from playwright.sync_api import sync_playwright

    rows: list[tuple[str, str, Figure]] = []
    suffix = "?lang=en" if lang == "en" else ""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.add_init_script(OBSERVER)
        missing: list[str] = []
        page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)

        def opened(url: str, title: str = "") -> Figure:
            path = "" if url == "overview" else url  # HQ's default page is served at /
            return _timed(page, server, f"open {url}", lambda: open_by_url(page, f"{base}/{path}{suffix}", title))

        def clicked(what: str, locator, title: str = "", switch: bool = False) -> Figure:
            return _timed(page, server, what, lambda: after_click(page, locator, title, switch))

        rows.append(("first visit after start", "overview", opened("overview", text("ov.title", lang))))
        for url in TITLES:
            rows.append(("open by URL", url, _median([opened(url) for _ in range(runs)])))
        nav = page.locator('[data-testid="stSidebarNav"] a')
        for url, title in TITLES.items():
            if url == "overview":
                continue
            times = []
            for _ in range(runs):
                opened("overview", text("ov.title", lang))
                link = nav.filter(has_text=re.compile(re.escape(text(title, lang)) + "$")).first
                times.append(clicked(f"switch {url}", link, text(title, lang), switch=True))
            rows.append(("page switch", url, _median(times)))
        for url, (title, labels) in FILTERS.items():
            opened(url, text(title, lang))
            times = []
            for i in range(runs * 2):
                label = re.compile("^" + re.escape(text(labels[i % 2], lang, n=15)) + "$")
                times.append(clicked(f"filter {url}", page.locator("button").filter(has_text=label).first))
            rows.append(("filter change", url, _median(times)))
        browser.close()
    for url in sorted(set(missing)):
        print(f"404: {url}")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tools.measure_pages", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--lang", choices=("zh", "en"), default="zh")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="measure-pages-"))
    os.environ["BANK_AUDIT"] = str(folder / "audit.jsonl")
    os.environ.pop("BANK_USERS", None)  # no users file: the demo sign-in (HQ)
    os.environ["BANK_SIGNIN_STATE"] = str(folder / "signin")
    port = free_port()
    process = start_server(database_path(), port, log=folder / "server.log")
    try:
        wait_healthy(process, port, timeout=120)
        rows = measure(f"http://127.0.0.1:{port}", psutil.Process(process.pid), args.runs, args.lang)
    finally:
        stop_server(process)
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}, runs {args.runs}")
    print("| what | page | median s | server CPU ms |\n|---|---|---:|---:|")
    for what, page, figure in rows:
        shown = "— | —" if figure is None else f"{figure[0]:.2f} | {figure[1] * 1000:.0f}"
        print(f"| {what} | {page} | {shown} |")
    log = (folder / "server.log").read_text(errors="replace")
    print(f"server log: {log.count('Traceback')} tracebacks, {log.count('WARNING') + log.count('warning(')} warnings")


if __name__ == "__main__":
    main()
