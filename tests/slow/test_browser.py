"""The dashboard in a real browser: a Streamlit server on the test demo bank, every page opened in Debian's
headless chromium through Playwright; no exception element, no page error; a screenshot of each page is kept in
test-artifacts/screenshots/. Also the manager's questions: who moved down, and HQ's scorecard workbook."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path
from urllib.parse import quote

import openpyxl
import pytest

from tests.helpers.paths import ROOT
from tools.load_test.server import free_port, start_server, stop_server, wait_healthy

# one worker runs them all, on one server; the screenshots are this module's alone
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
CHROMIUM = "/usr/bin/chromium"
SHOTS = ROOT / "test-artifacts" / "screenshots"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# url, the title the page shows, screenshot name
PAGES = [  # a deep link first: the first request to a fresh server must run through app.py too
    ("/tiers", "客户分层", "tiers"),
    ("/", "总览", "overview"),
    ("/migration", "层级迁移", "migration"),
    ("/churn", "流失与留存", "churn"),
    ("/scorecard", "季度考核（保、争、挖、抢、培）", "scorecard"),
    ("/explorer", "客户查询", "explorer"),
    ("/data", "数据", "data"),
    ("/simulator", "政策模拟", "simulator"),
    ("/workbench", "客户经理工作台", "workbench"),
    ("/?lang=en", "Overview", "overview_en"),
    (f"/tiers?lang=en&tab={quote('Concentration')}", "Tiers", "tiers_concentration_en"),
    (f"/churn?tab={quote('留存三角')}", "流失与留存", "churn_triangle"),
]


@pytest.fixture(scope="module")
def server(demo_copy):
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is missing: run tools/ensure_browser.sh (make browser; make test does)")
    port = free_port()
    process = start_server(demo_copy("browser"), port, log=None)
    try:
        wait_healthy(process, port, timeout=60)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_server(process)


@pytest.fixture(scope="module")
def browser_page(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 1800}, accept_downloads=True)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.errors = errors
        yield page
        browser.close()


def settle(page, title: str) -> None:
    """Wait until the page's title is shown and the script run has finished."""
    page.get_by_role("heading", name=title, exact=True).first.wait_for(timeout=30_000)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30_000)
    page.wait_for_timeout(800)  # charts draw after the run


def test_every_page_opens_without_exception(server, browser_page):
    SHOTS.mkdir(parents=True, exist_ok=True)
    for url, title, name in PAGES:
        browser_page.goto(server + url)
        settle(browser_page, title)
        browser_page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
        exceptions = browser_page.locator('[data-testid="stException"]')
        assert exceptions.count() == 0, (url, exceptions.first.inner_text())
        assert not browser_page.errors, (url, browser_page.errors)


def test_manager_lists_who_moved_down_and_hq_downloads_the_scorecard(server, browser_page, tmp_path):
    browser_page.goto(server + "/migration")
    settle(browser_page, "层级迁移")
    browser_page.locator("button").filter(has_text=re.compile(r"^降级$")).click()
    browser_page.get_by_text("客户名单：降级").wait_for(timeout=30_000)
    settle(browser_page, "层级迁移")
    assert "move=" in browser_page.url  # the filter is in the URL, so the view can be shared
    browser_page.screenshot(path=str(SHOTS / "migration_moved_down.png"), full_page=True)

    browser_page.goto(server + f"/tiers?by={quote('分行')}")  # the level filter survives the language switch
    settle(browser_page, "客户分层")
    browser_page.locator("button").filter(has_text=re.compile(r"^en$")).click()
    settle(browser_page, "Tiers")
    browser_page.wait_for_url(re.compile(r"by=Region.*lang=en|lang=en.*by=Region"), timeout=10_000)

    browser_page.goto(server + "/scorecard")
    settle(browser_page, "季度考核（保、争、挖、抢、培）")
    with browser_page.expect_download(timeout=60_000) as download:
        browser_page.get_by_role("button", name="下载本季度考核工作簿（各层级一张表）").click()
    path = tmp_path / "scorecard.xlsx"
    download.value.save_as(path)
    book = openpyxl.load_workbook(io.BytesIO(path.read_bytes()))
    assert book.sheetnames == ["分行", "支行", "网点", "客户经理"]
    assert book["网点"]["C1"].value == "排名"
    assert not browser_page.errors
    shutil.copyfile(path, SHOTS.parent / "scorecard.xlsx")
