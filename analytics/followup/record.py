"""Recording a contact: only for a customer in the user's scope, and audited."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

from analytics.access.audit import record
from analytics.access.users import User
from analytics.core.scope import Scope
from analytics.core.sql import first_row
from analytics.followup.log import Contact, add_contact


class OutOfScope(PermissionError):
    """The customer is not in the user's scope at the latest month end (or not in the database)."""


def in_scope(con: duckdb.DuckDBPyConnection, customer_id: str, scope: Scope) -> bool:
    """Whether the customer's row of the latest loaded month end is inside `scope`."""
    condition, params = scope.sql("c")
    row = first_row(
        con,
        f"""
        select 1 from customer_snapshot c
        where c.period = (select max(period) from customer_snapshot) and c.customer_id = $customer_id
          and {condition}
        """,
        params | {"customer_id": customer_id},
    )
    return row is not None


def record_contact(
    con: duckdb.DuckDBPyConnection,
    contact: Contact,
    user: User | str,
    scope: Scope,
    path: Path | str | None = None,
    audit_file: Path | str | None = None,
) -> int:
    """Check the contact (ContactError) and the scope (OutOfScope, audited as refused), write it and record a
    `contact` audit event (the customer hashed, channel and outcome; never the note). Returns the contact_id."""
    username = user.username if isinstance(user, User) else user
    contact = contact.checked(date.today())
    if not in_scope(con, contact.customer_id, scope):
        record("contact", user, audit_file=audit_file, customer_id=contact.customer_id, outcome="refused")
        raise OutOfScope(f"customer {contact.customer_id!r} is not in the scope of {username}")
    contact_id = add_contact(contact, username, path)
    record(
        "contact",
        user,
        audit_file=audit_file,
        customer_id=contact.customer_id,
        contact_id=contact_id,
        channel=contact.channel,
        contact_outcome=contact.outcome,
        outcome="recorded",
    )
    return contact_id
