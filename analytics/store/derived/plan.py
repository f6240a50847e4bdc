"""Every derived query of a set of loaded periods, in the order they can run: the period summaries and leavers, the
cohorts, then per kept pair the migration summary and the scorecard counts (which read the pair's migration rows and
the two tier summaries). The load runs them on DuckDB (refresh) and the warehouse renders them for Spark."""

from __future__ import annotations

from datetime import date

from analytics.core.policy import Policy
from analytics.store.derived import cohorts, concentration, month_leavers, top_customers
from analytics.store.derived.pairs import migration_query, pairs_wanted, scorecard_query
from analytics.store.derived.query import Query
from analytics.store.derived.tiers import period_queries as summaries


def period_queries(policy: Policy, period: date) -> list[Query]:
    """The queries of one period's derived rows (they read only customer_snapshot and tier_def)."""
    return [*summaries(policy, period), concentration.query(period), top_customers.query(period)]


def pair_queries(policy: Policy, a: date, b: date) -> list[Query]:
    """The migration summary of (a, b), then its scorecard counts."""
    return [migration_query(policy, a, b), scorecard_query(a, b)]


def all_queries(policy: Policy, periods: list[date]) -> list[Query]:
    """Every derived query of `periods` (sorted), as a build from nothing runs them."""
    queries = [q for p in periods for q in period_queries(policy, p)]
    queries += [month_leavers.query(p) for p in periods]
    queries += cohorts.queries(periods)
    queries += [q for a, b, _ in pairs_wanted(periods) for q in pair_queries(policy, a, b)]
    return queries
