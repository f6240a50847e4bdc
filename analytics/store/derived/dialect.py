"""A derived query rendered for Spark SQL, and the SQL constructs the derived queries avoid.

The text of every derived query is written once, in DuckDB's dialect (derived.query). For Spark, sqlglot parses it,
the `$name` parameters become typed literals (a date `CAST('2026-09-30' AS DATE)`, an amount
`CAST('50000.00' AS DECIMAL(7,2))` as DuckDB binds a Python Decimal, a float `CAST('0.8' AS DOUBLE)`, a list
`ARRAY(...)`), a parameter table (`select unnest($a::date[]) as x, unnest($b::int[]) as y`, no FROM) becomes a
VALUES list, and sqlglot writes the tree in Spark's dialect.

How the two engines are made to agree (AVOIDED lists what the queries never use, `problems` checks it):
money is DECIMAL(18,2) in the snapshots and its sums are exact on both engines (the tables store DECIMAL(38,2));
decimal division differs (Spark rounds a quotient of decimals to at least 6 places, DuckDB divides as DOUBLE), so
every `/` divides a DOUBLE by a DOUBLE, each operand an exact count or sum cast to DOUBLE: IEEE division of the same
two doubles is the same on both. Nothing is rounded in SQL (rounding is the pages' display).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel

from analytics.store.derived.query import Query

AVOIDED = {
    "group by all": "write the grouping keys (Hive and Spark before 3.4 lack GROUP BY ALL)",
    "division": "`/` only between DOUBLE operands (`x::double / y::double`): decimal quotients round differently",
    "round": "no ROUND or TRUNC in a derived query: the engines' rounding modes differ; pages round for display",
    "ordered aggregate": "no ORDER BY inside an aggregate (`list(x order by y)`): sort the list (`list_sort`)",
    "unnest": "UNNEST only of list parameters, side by side in a SELECT without FROM (a parameter table)",
    "unknown function": "only functions sqlglot knows (an unknown one is copied to Spark untranslated)",
    "limit": "LIMIT only after an ORDER BY with a unique tie-break (else the engines keep different rows)",
}


def problems(sql: str) -> list[str]:
    """The AVOIDED constructs `sql` uses (keys of AVOIDED with the offending fragment), empty when none."""
    tree = sqlglot.parse_one(sql, read="duckdb")
    found = []
    for node in tree.walk():
        if isinstance(node, exp.Group) and node.args.get("all"):
            found.append("group by all")
        elif isinstance(node, exp.Div) and not all(_is_double(side) for side in (node.this, node.expression)):
            found.append(f"division: {node.sql('duckdb')}")
        elif isinstance(node, (exp.Round, exp.Trunc)):
            found.append(f"round: {node.sql('duckdb')}")
        elif isinstance(node, exp.AggFunc) and node.find(exp.Order):
            found.append(f"ordered aggregate: {node.sql('duckdb')}")
        elif isinstance(node, (exp.Unnest, exp.Explode)) and not _in_parameter_table(node):
            found.append(f"unnest: {node.sql('duckdb')}")
        elif isinstance(node, exp.Anonymous):
            found.append(f"unknown function: {node.name}")
        elif isinstance(node, exp.Limit) and not (
            isinstance(node.parent, exp.Select) and node.parent.args.get("order")
        ):
            found.append("limit")
    return found


def spark_sql(query: Query) -> str:
    """The query's text for Spark SQL, its parameters inlined as typed literals."""
    tree = sqlglot.parse_one(query.sql, read="duckdb")
    for select in [s for s in tree.find_all(exp.Select) if _is_parameter_table(s)]:
        select.replace(_values(select, query.params))
    tree = tree.transform(lambda node: _literal(query.params[node.name]) if isinstance(node, exp.Placeholder) else node)
    return tree.sql(dialect="spark", unsupported_level=ErrorLevel.RAISE)


def _is_double(node: exp.Expr) -> bool:
    node = node.unnest()
    if isinstance(node, exp.Nullif):
        node = node.this.unnest()
    return isinstance(node, exp.Cast) and node.to.is_type(exp.DataType.Type.DOUBLE)


def _is_parameter_table(select: exp.Select) -> bool:
    return (
        not select.args.get("from_")
        and bool(select.expressions)
        and all(
            isinstance(e, exp.Alias)
            and isinstance(e.this, (exp.Unnest, exp.Explode))
            and isinstance(e.this.this, exp.Cast)
            and isinstance(e.this.this.this, exp.Placeholder)
            for e in select.expressions
        )
    )


def _in_parameter_table(node: exp.Expr) -> bool:
    select = node.find_ancestor(exp.Select)
    return isinstance(select, exp.Select) and _is_parameter_table(select)


def _values(select: exp.Select, params: dict) -> exp.Expr:
    """`select unnest($a::t[]) as x, ...` as the rows of its lists: `select * from (values ...) as t(x, ...)`."""
    names = [e.alias for e in select.expressions]
    kinds = [e.this.this.to.expressions[0] for e in select.expressions]
    lists = [params[e.this.this.this.name] for e in select.expressions]
    if len({len(values) for values in lists}) != 1:
        raise ValueError(f"parameter table {names}: lists of different lengths")
    rows = list(zip(*lists))
    if not rows:
        columns = ", ".join(f"cast(null as {k.sql('duckdb')}) as {n}" for k, n in zip(kinds, names))
        return sqlglot.parse_one(f"select {columns} where false", read="duckdb")
    tuples = ", ".join(
        "(" + ", ".join(exp.cast(_literal(v), k).sql("duckdb") for v, k in zip(row, kinds)) + ")" for row in rows
    )
    return sqlglot.parse_one(f"select * from (values {tuples}) as parameter_rows({', '.join(names)})", read="duckdb")


def _literal(value: object) -> exp.Expr:
    if value is None:
        return exp.null()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, int):
        return exp.Literal.number(value)
    if isinstance(value, float):
        return exp.cast(exp.Literal.string(repr(value)), exp.DataType.build("double"))
    if isinstance(value, Decimal):
        text = format(value, "f")
        scale = len(text.partition(".")[2])
        digits = sum(c.isdigit() for c in text.lstrip("-"))
        return exp.cast(exp.Literal.string(text), exp.DataType.build(f"decimal({max(digits, scale, 1)}, {scale})"))
    if isinstance(value, date):
        return exp.cast(exp.Literal.string(value.isoformat()), exp.DataType.build("date"))
    if isinstance(value, str):
        return exp.Literal.string(value)
    if isinstance(value, (list, tuple)):
        if not value:
            return exp.cast(exp.Array(expressions=[]), exp.DataType.build("array<string>", dialect="spark"))
        return exp.Array(expressions=[_literal(v) for v in value])
    raise TypeError(f"no literal for a parameter of type {type(value).__name__}")
