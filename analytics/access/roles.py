"""Who sees what: a user, signed in by password or by an OIDC identity, resolved to a Scope. Default deny.

hq sees everything; region and sub_branch users see the branches that belong to their units in the latest
loaded period; branch users see their branches; managers see their own customers. Anything else (no user,
an unknown role, units that match nothing, a broken users file) sees nothing.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from analytics.access.users import ROLES, User, UsersFileError, load_users
from analytics.core.scope import Scope

_LATEST = "period = (select max(period) from unit_directory)"
_UNITS = "in (select unnest($units::varchar[]))"
# role -> the branches (or managers) of the user's units, from the directory the loads build
_UNITS_SQL = {
    "region": f"select distinct branch_id from unit_directory where {_LATEST} and region {_UNITS}",
    "sub_branch": f"select distinct branch_id from unit_directory where {_LATEST} and sub_branch {_UNITS}",
    "branch": f"select distinct branch_id from unit_directory where branch_id {_UNITS}",
    "manager": f"select distinct manager_id from unit_directory where manager_id {_UNITS}",
}


def local_demo_user() -> User:
    """The user of the no-sign-in mode (a local demo): sees every unit, personal data stays masked."""
    return User(username="local", role="hq")


def can_reveal_pii(user: User | None) -> bool:
    return user is not None and user.role in ROLES and "pii" in user.permissions


def find_user(path: Path | str, *identities: str | None) -> User | None:
    """The one user whose username or email equals one of `identities` (e.g. an OIDC email and username).

    None when nobody matches, when two users match, or when the users file is broken (default deny; call
    users.load_users to show why it is broken).
    """
    wanted = {i.strip().casefold() for i in identities if i and i.strip()}
    if not wanted:
        return None
    try:
        accounts = load_users(path)
    except UsersFileError:
        return None
    found = {
        a.user
        for a in accounts.values()
        if a.user.username.casefold() in wanted or (a.user.email or "").casefold() in wanted
    }
    return found.pop() if len(found) == 1 else None


def scope_for(con: duckdb.DuckDBPyConnection, user: User | None) -> Scope:
    """The branches or managers `user` may see in the database behind `con`."""
    if user is None:
        return Scope.nothing()
    if user.role == "hq":
        return Scope()
    query = _UNITS_SQL.get(user.role)
    units = sorted({u.strip() for u in user.units if u.strip()})
    if query is None or not units:
        return Scope.nothing()
    cursor = con.cursor()
    try:
        found = frozenset(row[0] for row in cursor.execute(query, {"units": units}).fetchall())
    except duckdb.Error:  # no unit_directory (nothing loaded yet): nothing to see
        return Scope.nothing()
    finally:
        cursor.close()
    if not found:
        return Scope.nothing()
    return Scope(managers=found) if user.role == "manager" else Scope(branches=found)
