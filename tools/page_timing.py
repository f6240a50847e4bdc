"""The browser side of tools.measure_pages: how long a user waits, read in the page itself.

A page is ready when Streamlit's script run has ended (stApp's data-test-script-state back to notRunning after a
run), its title is drawn (a heading holding `title`, in any case: the sidebar's "Workbench" opens "Manager's
workbench"; "" = any heading) and every plotly chart has drawn its SVG.
Times are performance.now() in the page: from navigation start for a page opened by its URL, from the click
otherwise (the pointerdown event as the page receives it: Playwright's own checks before it clicks, 50-150 ms
here, are not a wait the user has).
"""

from __future__ import annotations

# installed before every document: notes when a script run starts and ends. A short run can go from running back
# to notRunning within one batch of mutations: a record whose old value was "running" counts as a run too.
OBSERVER = """
window.__ran = false; window.__done = null; window.__end = null; window.__pressed = null;
document.addEventListener('pointerdown', () => { window.__pressed = performance.now(); }, true);
new MutationObserver((records) => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app) return;
  const state = app.getAttribute('data-test-script-state');
  const ran = records.some(r => r.oldValue === 'running');
  if (state === 'running') { window.__ran = true; window.__done = null; }
  else if ((window.__ran || ran) && state === 'notRunning' && window.__done === null) {
    window.__ran = true; window.__done = performance.now();
  }
}).observe(document, {subtree: true, attributes: true, attributeOldValue: true,
                      attributeFilter: ['data-test-script-state']});
"""
RESET = "() => { window.__ran = false; window.__done = null; window.__end = null; window.__pressed = null; }"
# [title, needs_run]: a page switch is ready once the new page's heading is drawn and no run is going on (its
# title differs from the page before); a filter change keeps its title, so it waits for a run seen to end
READY = """([title, needsRun]) => {
  if (needsRun && window.__done === null) return false;
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  const heading = [...document.querySelectorAll('h1')].some(
    h => h.textContent.trim().toLowerCase().includes(title.toLowerCase()));
  if (!heading) return false;
  const charts = document.querySelectorAll('[data-testid="stPlotlyChart"]');
  if ([...charts].some(c => !c.querySelector('.main-svg'))) return false;
  window.__end = window.__end || performance.now();
  return true;
}"""


def open_by_url(page, url: str, title: str, timeout_ms: int = 120_000) -> float:
    """Seconds from navigation start to the page ready."""
    page.goto(url)
    page.wait_for_function(READY, arg=[title, True], timeout=timeout_ms, polling="raf")
    return page.evaluate("() => window.__end") / 1000


def after_click(page, locator, title: str, switch: bool = False, timeout_ms: int = 120_000) -> float:
    """Seconds from a click (a sidebar link to the page titled `title`: `switch`; a filter) to the page ready."""
    page.evaluate(RESET)
    locator.click()
    page.wait_for_function(READY, arg=[title, not switch], timeout=timeout_ms, polling="raf")
    waited = page.evaluate("() => window.__pressed === null ? null : window.__end - window.__pressed")
    if waited is None:
        raise RuntimeError("the page saw no pointerdown: the click did not reach it")
    return waited / 1000
