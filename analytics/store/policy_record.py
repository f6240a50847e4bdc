"""The policy recorded in the database: the one in force, and recording a new one with its tier definitions."""

from __future__ import annotations

import functools

import duckdb

from analytics.core.policy import Policy, load_policy, parse_policy
from analytics.core.sql import first_row


def policy_in_force(con: duckdb.DuckDBPyConnection) -> Policy | None:
    row = first_row(con, "select text, source from policy_in_force order by applied_at desc limit 1")
    return _parsed_policy(row[0], row[1] or "<recorded policy>") if row else None


@functools.lru_cache(maxsize=16)
def _parsed_policy(text: str, source: str) -> Policy:
    """Policies are immutable: every page asks for the one in force, parsed once per text."""
    return parse_policy(text, source)


def current_policy(con: duckdb.DuckDBPyConnection) -> Policy:
    """The policy recorded in the database, or the default policy file for a new database."""
    return policy_in_force(con) or load_policy()


def record_policy(con: duckdb.DuckDBPyConnection, policy: Policy) -> None:
    con.execute("delete from policy_in_force")
    con.execute(
        "insert into policy_in_force values ($sha256, $source, $text, current_timestamp)",
        {"sha256": policy.sha256, "source": policy.source, "text": policy.text},
    )
    con.execute("delete from tier_def")
    for t in policy.tiers:
        con.execute(
            "insert into tier_def values ($rank, $code, $name_zh, $name_en, $min_aum)",
            {"rank": t.rank, "code": t.code, "name_zh": t.name_zh, "name_en": t.name_en, "min_aum": t.min_aum},
        )
