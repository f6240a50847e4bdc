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
def bank(demo_copy) -> Path:
    """The copy of the demo bank the server reads."""
    return demo_copy("browser")


@pytest.fixture(scope="module")
def server(bank):
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is missing: run tools/ensure_browser.sh (make browser; make test does)")
    port = free_port()
    process = start_server(bank, port, log=None)
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
        missing: list[str] = []  # a deep link used to probe /<page>/_stcore/health and host-config first
        page.on("response", lambda response: missing.append(response.url) if response.status == 404 else None)
        page.missing = missing
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
        assert not browser_page.missing, (url, browser_page.missing)


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
        browser_page.get_by_role("button", name="下载本期考核工作簿（封面与各层级）").click()
    path = tmp_path / "scorecard.xlsx"
    download.value.save_as(path)
    book = openpyxl.load_workbook(io.BytesIO(path.read_bytes()))
    assert book.sheetnames[:6] == ["封面", "分行", "支行", "网点", "客户经理", "岗位层级不符"]
    assert book["网点"]["E1"].value == "排名"  # after the unit and its parents (分行, 支行)
    assert not browser_page.errors
    shutil.copyfile(path, SHOTS.parent / "scorecard.xlsx")


# every tab of the pages whose texts must be of one language (the scorecard, workbench and data pages on their
# first tab: tests/ui/test_pages_language.py checks their other tabs); Streamlit's file uploader ("Upload", "200MB
# per file") has no parameter for its own strings in Streamlit 1.67, so its drop zone is left out of the check, and so
# is the Data page's policy file shown as code (the bank's own file, verbatim, as in the AppTest check)
TABBED = {
    "overview": [None],
    "tiers": ["ti.by_unit_tab", "ti.bands_tab", "ti.cards_tab", "ti.types_tab", "ti.candidates_tab"],
    "migration": ["mi.matrix", "mi.sankey", "mi.projection"],
    "churn": ["ch.units_tab", "ch.triangle_tab", "ch.survival_tab", "ch.at_risk_tab", "ch.high_value_tab"],
    "explorer": [None],
    "simulator": [None],
    "scorecard": [None],
    "workbench": [None],
    "data": [None],
}
SHOWN_TEXT = """() => {
  const main = document.querySelector('[data-testid="stMain"]').cloneNode(true);
  main.querySelectorAll('[data-testid="stFileUploaderDropzone"]').forEach(e => e.remove());
  main.querySelectorAll('[data-testid="stCode"]').forEach(e => e.remove());  // the policy file, verbatim: data
  const side = document.querySelector('[data-testid="stSidebar"]');
  return main.textContent + '\\n' + (side ? side.textContent : '');
}"""


def ready(page) -> None:
    """The script run has ended and every chart has drawn."""
    page.wait_for_function(
        """() => { const app = document.querySelector('[data-testid="stApp"]');
          return app && app.getAttribute('data-test-script-state') === 'notRunning'
            && document.querySelector('h1')
            && ![...document.querySelectorAll('[data-testid="stPlotlyChart"]')].some(c => !c.querySelector('.main-svg')); }""",
        timeout=60_000,
    )
    page.wait_for_timeout(500)


def test_every_page_in_either_language_shows_no_text_of_the_other(server, browser_page):
    from tests.ui.test_pages_language import LEAKS
    from ui.i18n import TEXT

    found = {}
    for lang in ("zh", "en"):
        pattern = re.compile("|".join(LEAKS[lang]))
        for url, tabs in TABBED.items():
            for tab in tabs:
                query = [("lang", "en")] if lang == "en" else []
                query += [("tab", TEXT[tab][("zh", "en").index(lang)])] if tab else []
                path = "" if url == "overview" else url  # HQ's default page is served at /
                browser_page.goto(f"{server}/{path}?" + "&".join(f"{k}={quote(v)}" for k, v in query))
                ready(browser_page)
                text = browser_page.evaluate(SHOWN_TEXT)
                wrong = sorted({m.group(0) for m in pattern.finditer(text)})
                if wrong:
                    found[(lang, url, tab)] = wrong
                shot = f"{url}_{lang}" + (f"_{tabs.index(tab)}" if tab else "")
                (SHOTS / "languages").mkdir(parents=True, exist_ok=True)
                browser_page.screenshot(path=str(SHOTS / "languages" / f"{shot}.png"), full_page=True)
    assert not found, found
    assert not browser_page.errors


def test_a_shared_url_with_a_migration_cell_reopens_the_same_customers(server, browser_page):
    browser_page.goto(server + "/migration")
    ready(browser_page)
    browser_page.get_by_label("单元格").click()  # the cell picker (a row picked in the table sets it too)
    browser_page.get_by_role("option", name="潜力客户 → 大众客户").click()
    heading = browser_page.get_by_role("heading", name="客户名单：潜力客户 → 大众客户")
    heading.wait_for(timeout=30_000)
    ready(browser_page)
    assert "cell=" in browser_page.url
    total = browser_page.get_by_text(re.compile(r"^共 [\d,]+ 行")).first.inner_text()
    shared = browser_page.url
    browser_page.goto(server + "/")  # elsewhere, then the shared link in a fresh load
    ready(browser_page)
    browser_page.goto(shared)
    heading.wait_for(timeout=30_000)
    ready(browser_page)
    assert browser_page.get_by_text(re.compile(r"^共 [\d,]+ 行")).first.inner_text() == total
    browser_page.screenshot(path=str(SHOTS / "migration_shared_cell.png"), full_page=True)


def test_a_managers_book_is_shown_in_wan(server, browser_page, bank, tmp_path):
    import duckdb

    shutil.copyfile(bank, tmp_path / "bank.duckdb")  # the server holds the bank open
    con = duckdb.connect(str(tmp_path / "bank.duckdb"), read_only=True)
    # by hand, straight from the snapshots: the manager with the most customers at the last month end, and the AUM
    # of their customers then (not closed)
    manager, name, aum = con.execute(
        """select manager_id, any_value(manager_name), sum(aum) from customer_snapshot
           where period = (select max(period) from customer_snapshot) and status <> 'closed'
             and manager_id is not null
           group by manager_id order by count(*) desc, manager_id limit 1"""
    ).fetchone()
    con.close()
    assert 10_000 <= aum < 100_000_000  # a book of 万元, not 亿元
    expected = f"{float(aum) / 10_000:,.2f}万元"
    label = manager if name in (None, manager) else f"{manager} {name}"
    browser_page.goto(server + f"/?view={quote('客户经理')}&unit={quote(label)}")
    ready(browser_page)
    card = browser_page.locator('[data-testid="stMetric"]').filter(has_text="金融资产").first
    assert expected in card.inner_text(), (expected, card.inner_text())
    assert "亿" not in card.inner_text()
    browser_page.screenshot(path=str(SHOTS / "overview_manager_book.png"), full_page=True)
