"""The derived queries: written once, free of the constructs the project avoids, rendered for Spark with typed
literals (no Spark needed)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from analytics.store.derived.dialect import AVOIDED, problems, spark_sql
from analytics.store.derived.plan import all_queries
from analytics.store.derived.query import Query
from analytics.store.tiering import path_query
from analytics.warehouse.layout import BUILT
from tests.helpers.fixture_bank import version_one_policy
from tests.helpers.rulebook import PERIODS, rulebook_policy

# five month ends, then the quarter ends of 2026Q2 and Q3: consecutive pairs, quarter pairs and cohorts
MONTHS = [*PERIODS, date(2026, 6, 30), date(2026, 9, 30)]


def every_query() -> list[Query]:
    queries = []
    for policy in (rulebook_policy(buffer=True), rulebook_policy(buffer=False), version_one_policy()):
        queries += all_queries(policy, MONTHS)
        queries += [path_query(policy, MONTHS[0], None), path_query(policy, MONTHS[1], MONTHS[0])]
    return queries


def test_all_queries_cover_every_built_table() -> None:
    assert {q.table for q in every_query()} == set(BUILT) - {"period_pair"} | {"customer_snapshot"}


@pytest.mark.parametrize("query", every_query(), ids=lambda q: q.table)
def test_problems_none_in_any_derived_query(query: Query) -> None:
    assert problems(query.sql) == []
    assert spark_sql(query)  # and sqlglot renders it for Spark without an unsupported construct


@pytest.mark.parametrize(
    ("sql", "construct"),
    [
        ("select a, count(*) from t group by all", "group by all"),
        ("select sum(aum) / count(*) from t", "division"),
        ("select sum(aum)::double / count(*) from t", "division"),
        ("select round(aum, 2) from t", "round"),
        ("select list(x order by y) from t", "ordered aggregate"),
        ("select unnest(products) from t", "unnest"),
        ("select my_udf(x) from t", "unknown function"),
        ("select * from t limit 5", "limit"),
    ],
)
def test_problems_finds_each_avoided_construct(sql: str, construct: str) -> None:
    found = problems(sql)
    assert [f.split(":")[0] for f in found] == [construct]
    assert construct in AVOIDED


def test_problems_accepts_division_of_doubles() -> None:
    assert problems("select x::double / nullif(y, 0)::double from t order by x limit 3") == []


def test_spark_sql_inlines_typed_literals() -> None:
    query = Query(
        "t",
        "select * from t where period = $p and aum >= $bound * $share and card_level = $card "
        "and list_contains($cards, card_level) and rate < $rate and n < $n and gone = $none",
        {"p": date(2026, 9, 30), "bound": Decimal("50000.00"), "share": Decimal("0.9"), "card": "金卡",
         "cards": ["金卡", "白金卡"], "rate": 0.25, "n": 3, "none": None},
    )  # fmt: skip
    assert spark_sql(query) == (
        "SELECT * FROM t WHERE period = CAST('2026-09-30' AS DATE) "
        "AND aum >= CAST('50000.00' AS DECIMAL(7, 2)) * CAST('0.9' AS DECIMAL(2, 1)) AND card_level = '金卡' "
        "AND ARRAY_CONTAINS(ARRAY('金卡', '白金卡'), card_level) AND rate < CAST('0.25' AS DOUBLE) AND n < 3 "
        "AND gone = NULL"
    )


def test_spark_sql_parameter_table_becomes_values() -> None:
    query = Query(
        "t",
        "with ends as (select unnest($ends::date[]) as period, unnest($q::int[]) as q) select * from ends",
        {"ends": [date(2026, 6, 30), date(2026, 9, 30)], "q": [1, 2]},
    )
    assert spark_sql(query) == (
        "WITH ends AS (SELECT * FROM VALUES (CAST('2026-06-30' AS DATE), CAST(1 AS INT)), "
        "(CAST('2026-09-30' AS DATE), CAST(2 AS INT)) AS parameter_rows(period, q)) SELECT * FROM ends"
    )
    empty = Query("t", query.sql, {"ends": [], "q": []})
    assert spark_sql(empty) == (
        "WITH ends AS (SELECT CAST(NULL AS DATE) AS period, CAST(NULL AS INT) AS q WHERE FALSE) SELECT * FROM ends"
    )
