"""Time each dashboard page's script run with AppTest on the database at BANK_DB (default data/bank.duckdb).

    BANK_DB=/tmp/demo_full.duckdb .venv/bin/python -m tools.measure_pages [--runs 5] [--page tiers]

Prints, per page (and per tab of pages with tabs), the median of `runs` cold runs (st.cache_data cleared, the
connection kept) and of `runs` warm runs (results cached), in seconds. A run's time includes AppTest's own work
of reading the page's elements, so it slightly overstates the script run in a real session. The page views go to
an audit trail of their own beside the database (removed afterwards), never to the bank's.
"""

from __future__ import annotations

import argparse
import os
import statistics
from pathlib import Path

from analytics.core.config import database_path
from tools.bench.pages import audit_trail, page_run_seconds, quiet_streamlit
from ui.labels import TEXT

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
    parser = argparse.ArgumentParser(prog="python -m tools.measure_pages", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--page", action="append", help="only the scenarios of this page (repeatable)")
    args = parser.parse_args()
    trail = Path(audit_trail(str(database_path())))
    os.environ["BANK_AUDIT"] = str(trail)
    quiet_streamlit()

    def seconds(page: str, cold: bool, query: dict[str, str]) -> float:
        return page_run_seconds(page, cold=cold, query=query, timeout=120, require_content=False)

    print(f"{'page':44s} {'cold s':>7s} {'warm s':>7s}")
    try:
        for name, page, query in SCENARIOS:
            if args.page and page not in args.page:
                continue
            seconds(page, False, query)  # imports and the connection, once
            cold = statistics.median(seconds(page, True, query) for _ in range(args.runs))
            warm = statistics.median(seconds(page, False, query) for _ in range(args.runs))
            print(f"{name:44s} {cold:7.3f} {warm:7.3f}", flush=True)
    finally:
        trail.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
