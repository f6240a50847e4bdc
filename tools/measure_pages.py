"""Time each dashboard page's script run with AppTest on the database at BANK_DB (default data/bank.duckdb).

    BANK_DB=/tmp/demo_full.duckdb .venv/bin/python scripts/measure_pages.py [--runs 5] [--page tiers]

Prints, per page (and per tab of pages with tabs), the median of `runs` cold runs (st.cache_data cleared, the
connection kept) and of `runs` warm runs (results cached), in seconds. A run's time includes AppTest's own work
of reading the page's elements, so it slightly overstates the script run in a real session.
"""
from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from streamlit import logger  # noqa: E402

from tools.bench.run import page_run_seconds# noqa: E402
from ui.i18n import TEXT  # noqa: E402

# (name, page file, URL query): every page's default view, every tab, and the heavier filters
TABS = {
    "tiers": ["ti.by_unit_tab", "ti.bands_tab", "ti.cards_tab", "ti.candidates_tab"],
    "migration": ["mi.matrix", "mi.sankey", "mi.projection"],
    "churn": ["ch.units_tab", "ch.triangle_tab", "ch.survival_tab", "ch.at_risk_tab", "ch.high_value_tab"],
}
SCENARIOS: list[tuple[str, str, dict[str, str]]] = [("overview", "overview", {})]
for page, tabs in TABS.items():
    SCENARIOS += [(f"{page} · {TEXT[tab][1]}", page, {"tab": TEXT[tab][0]}) for tab in tabs]
SCENARIOS += [
    ("tiers · by manager", "tiers", {"by": TEXT["level.manager"][0]}),
    ("migration · moved down (list)", "migration", {"move": TEXT["move.down"][0]}),
    ("migration · 2025-09 → end (live pair)", "migration", {"from": "2025-09"}),
    ("churn · by manager", "churn", {"by": TEXT["level.manager"][0]}),
    ("scorecard", "scorecard", {}),
    ("scorecard · managers", "scorecard", {"level": TEXT["level.manager"][0]}),
    ("explorer", "explorer", {}),
    ("explorer · wealth, 3-month AUM change", "explorer", {"tiers": "理财客户", "months": "3"}),
    ("explorer · one customer's history", "explorer", {"customer": "0000892202"}),
    ("data", "data", {}),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--page", action="append", help="only the scenarios of this page (repeatable)")
    args = parser.parse_args()
    logger.set_log_level("error")
    print(f"{'page':44s} {'cold s':>7s} {'warm s':>7s}")
    for name, page, query in SCENARIOS:
        if args.page and page not in args.page:
            continue
        page_run_seconds(page, cold=False, query=query, timeout=120, require_content=False)  # imports and the connection, once
        cold = statistics.median(page_run_seconds(page, cold=True, query=query, timeout=120, require_content=False) for _ in range(args.runs))
        warm = statistics.median(page_run_seconds(page, cold=False, query=query, timeout=120, require_content=False) for _ in range(args.runs))
        print(f"{name:44s} {cold:7.3f} {warm:7.3f}", flush=True)


if __name__ == "__main__":
    main()
