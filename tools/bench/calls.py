"""What the dashboard asks of the engine: every call a page script makes at its default filters (views/*.py and
the sidebar, ui/sidebar.py), the calls of its other tabs, and seven customer lists as a page shows them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from tools.bench.pages import PAGES


@dataclass(frozen=True)
class Call:
    page: str  # a page of the dashboard, "sidebar" (every page), "lists" or "crosscheck"
    view: str  # "default" (what the page runs on opening) or the tab / filter it belongs to
    name: str
    kind: str  # aggregate (<= 50 ms) | list (one branch: <= 300 ms) | bank list (the whole bank: <= 1 s)
    run: Callable[[Any], Any]


def defaults(con: Any) -> dict:
    """The sidebar's defaults (newest comparable quarter, its start and end) and the filtered list's filters."""
    from analytics.core.periods import quarter_snapshots
    from analytics.core.sql import fetch_rows
    from analytics.store.catalog import loaded_periods, quarters
    from analytics.store.policy_record import current_policy

    periods = loaded_periods(con)
    comparable = quarters(con)
    quarter = comparable[0] if comparable else None
    start, end = quarter_snapshots(periods, quarter) if quarter else (None, periods[-1])
    policy = current_policy(con)
    tier = policy.tiers[min(2, len(policy.tiers) - 1)]
    low = float(tier.min_aum)
    branch = fetch_rows(
        con,
        "select branch_id from tier_summary where period = $end group by branch_id "
        "order by sum(customers) desc, branch_id limit 1",
        {"end": end},
    )[0][0]
    return {
        "periods": [p.isoformat() for p in periods],
        "quarter": quarter,
        "start": start.isoformat() if start else None,
        "end": end.isoformat(),
        "list_branch": branch,
        "list_tier": tier.code,
        "list_aum_min": low,
        "list_aum_max": low * 1.5 if low > 0 else 50_000.0,
    }


def calls(d: dict) -> list[Call]:
    """What each page calls at its default filters `d` (see defaults), plus its other tabs and lists; in page
    order, each page's default calls first."""
    from analytics.core.scope import Scope
    from analytics.lists.actions import at_risk_customers, churned_high_value, upgrade_candidates
    from analytics.lists.explorer import CustomerFilter, find_customers
    from analytics.lists.migration_cell import migration_customers
    from analytics.lists.workbench import call_list
    from analytics.metrics import distribution
    from analytics.metrics.churn import churn_by_unit
    from analytics.metrics.migration import migration_matrix, project_distribution
    from analytics.metrics.overview import quarter_overview
    from analytics.metrics.retention import retention_triangle, survival_by_tier
    from analytics.metrics.scorecard import quarter_scorecard, scorecard
    from analytics.store.catalog import data_version, load_history, loaded_periods, period_quality, quarters
    from analytics.store.policy_record import policy_in_force
    from ui.widgets import PAGE_SIZE

    s = Scope()
    periods = [date.fromisoformat(p) for p in d["periods"]]
    end = date.fromisoformat(d["end"])
    start = date.fromisoformat(d["start"]) if d["start"] else None
    quarter = d["quarter"]
    branch_scope = Scope(branches=frozenset({d["list_branch"]}))
    chosen = CustomerFilter(tiers=(d["list_tier"],), aum_min=d["list_aum_min"], aum_max=d["list_aum_max"])
    falling = CustomerFilter(tiers=(d["list_tier"],), change_months=3, change_max=-0.2)

    def listed(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Callable[[Any], Any]:
        """A list as a page shows it: the count (limit 0) for the pager, then the first page."""
        return lambda con: (
            function(con, *args, **kwargs, limit=0),
            function(con, *args, **kwargs, limit=PAGE_SIZE, offset=0),
        )

    def calls_page(scope: Scope) -> Callable[[Any], Any]:
        """The workbench's call list as its page shows it: the count, then the first page without a recount."""

        def run(con: Any) -> Any:
            total = call_list(con, end, scope, limit=0)
            counted = (total.attrs["total_rows"], total.attrs["followed_up"])
            return total, call_list(con, end, scope, limit=PAGE_SIZE, offset=0, counted=counted)

        return run

    def projection(con: Any) -> Any:
        try:
            return project_distribution(con, periods[0], end, 4, s, "quarter")
        except ValueError:
            return project_distribution(con, periods[0], end, 3, s, "period")

    found = [
        Call("sidebar", "default", "data_version", "aggregate", data_version),
        Call("sidebar", "default", "loaded_periods", "aggregate", loaded_periods),
        Call("sidebar", "default", "quarters", "aggregate", quarters),
        Call("sidebar", "default", "policy_in_force", "aggregate", policy_in_force),
        Call(
            "overview",
            "default",
            "tier_distribution (all periods)",
            "aggregate",
            lambda con: distribution.tier_distribution(con, s),
        ),
        Call(
            "tiers",
            "default",
            "tier_distribution (branch, end)",
            "aggregate",
            lambda con: distribution.tier_distribution(con, s, "branch", [end]),
        ),
        Call(
            "tiers",
            "bands tab",
            "band_concentration",
            "aggregate",
            lambda con: distribution.band_concentration(con, end, s, False),
        ),
        Call("tiers", "bands tab", "lorenz_curve", "aggregate", lambda con: distribution.lorenz_curve(con, end, s)),
        Call("tiers", "bands tab", "gini", "aggregate", lambda con: distribution.gini(con, end, s)),
        Call(
            "tiers",
            "cards tab",
            "card_distribution",
            "aggregate",
            lambda con: distribution.card_distribution(con, end, s),
        ),
        Call(
            "tiers",
            "candidates tab",
            "upgrade_candidates (10%, count + page 1)",
            "bank list",
            listed(upgrade_candidates, end, s, 0.1),
        ),
        Call(
            "explorer",
            "default",
            "find_customers (no filter, count + page 1)",
            "bank list",
            listed(find_customers, end, s, CustomerFilter(), "aum", True),
        ),
        Call(
            "workbench",
            "default",
            "call_list (one branch, count + page 1)",
            "list",
            calls_page(branch_scope),
        ),
        Call("workbench", "whole bank", "call_list (whole bank, count + page 1)", "bank list", calls_page(s)),
        Call("data", "default", "load_history", "aggregate", load_history),
        Call("data", "default", "period_quality", "aggregate", period_quality),
        Call(
            "lists",
            "explorer",
            "find_customers (1 branch + tier + AUM range, count + page 1)",
            "list",
            listed(find_customers, end, branch_scope, chosen, "aum", True),
        ),
        Call(
            "lists",
            "explorer",
            "find_customers (tier, AUM down >= 20% over 3 months, count + page 1)",
            "bank list",
            listed(find_customers, end, s, falling, "aum", True),
        ),
    ]
    if quarter is not None:
        found += [
            Call("overview", "default", "quarter_overview", "aggregate", lambda con: quarter_overview(con, quarter, s)),
            Call(
                "simulator",
                "default",
                "churn_by_unit (whole bank, policy in force)",
                "aggregate",
                lambda con: churn_by_unit(con, start, end, None, s, False),
            ),
            Call(
                "tiers", "cards tab", "vip_growth", "aggregate", lambda con: distribution.vip_growth(con, start, end, s)
            ),
            Call(
                "migration",
                "default",
                "migration_matrix (quarter)",
                "aggregate",
                lambda con: migration_matrix(con, start, end, s),
            ),
            Call("migration", "projection tab", "project_distribution", "aggregate", projection),
            Call(
                "churn",
                "default",
                "churn_by_unit (branch)",
                "aggregate",
                lambda con: churn_by_unit(con, start, end, "branch", s, False),
            ),
            Call(
                "churn",
                "default",
                "churn_by_unit (tier)",
                "aggregate",
                lambda con: churn_by_unit(con, start, end, None, s, True),
            ),
            Call(
                "churn",
                "default",
                "churn_by_unit (branch x tier)",
                "aggregate",
                lambda con: churn_by_unit(con, start, end, "branch", s, True),
            ),
            Call("churn", "triangle tab", "retention_triangle", "aggregate", lambda con: retention_triangle(con, s)),
            Call("churn", "survival tab", "survival_by_tier", "aggregate", lambda con: survival_by_tier(con, s)),
            Call(
                "scorecard",
                "default",
                "quarter_scorecard (branch, with previous quarter)",
                "aggregate",
                lambda con: quarter_scorecard(con, quarter, "branch", s),
            ),
            Call(
                "scorecard",
                "manager level",
                "quarter_scorecard (manager)",
                "aggregate",
                lambda con: quarter_scorecard(con, quarter, "manager", s),
            ),
            Call(
                "crosscheck",
                "pandas baseline",
                "scorecard (branch, one quarter)",
                "aggregate",
                lambda con: scorecard(con, start, end, "branch", s),
            ),
            Call(
                "lists",
                "churn",
                "at_risk_customers (3 months, 20%, count + page 1)",
                "bank list",
                listed(at_risk_customers, end, s, 3, 0.2),
            ),
            Call(
                "lists",
                "churn",
                "churned_high_value (count + page 1)",
                "bank list",
                listed(churned_high_value, start, end, s),
            ),
            Call(
                "lists",
                "migration",
                "migration_customers (moved down, count + page 1)",
                "bank list",
                listed(migration_customers, start, end, s, move="down"),
            ),
            Call(
                "lists",
                "migration",
                "migration_customers (moved down, one branch, count + page 1)",
                "list",
                listed(migration_customers, start, end, branch_scope, move="down"),
            ),
            Call(
                "lists",
                "churn",
                "at_risk_customers (one branch, count + page 1)",
                "list",
                listed(at_risk_customers, end, branch_scope, 3, 0.2),
            ),
        ]
    order = {page: i for i, page in enumerate(("sidebar", *PAGES, "lists", "crosscheck"))}
    return sorted(found, key=lambda c: (order[c.page], c.view != "default"))
