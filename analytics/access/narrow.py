"""A unit as a scope: the user's scope narrowed to one branch, manager, sub-branch or region."""

from __future__ import annotations

import duckdb

from analytics.core.scope import Scope
from analytics.core.sql import fetch_rows
from analytics.core.units import Level, parse_level, unit_key


def narrow_scope(con: duckdb.DuckDBPyConnection, scope: Scope, level: Level | None, unit: str | None) -> Scope:
    """`scope` restricted to one unit: a branch or a manager directly, a region or sub-branch as its branches
    (every branch ever recorded under it within `scope`). The unassigned pseudo-units cannot be a scope."""
    if level is None or unit is None:
        return scope
    level = parse_level(level)

    def keep(allowed: frozenset[str] | None, wanted: set[str]) -> frozenset[str]:
        return frozenset(wanted if allowed is None else wanted & allowed)

    if level == "manager":
        return Scope(branches=scope.branches, managers=keep(scope.managers, {unit}))
    if level == "branch":
        return Scope(branches=keep(scope.branches, {unit}), managers=scope.managers)
    condition, params = scope.sql()
    params["unit"] = unit
    rows = fetch_rows(
        con, f"select distinct branch_id from unit_directory where {unit_key(level)} = $unit and {condition}", params
    )
    return Scope(branches=keep(scope.branches, {r[0] for r in rows}), managers=scope.managers)
