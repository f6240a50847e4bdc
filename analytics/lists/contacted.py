"""The follow-up log's latest contact per customer as a CTE: lists below the log receive it as a DataFrame."""

from __future__ import annotations

import pandas as pd


def contacts_cte(contacts: pd.DataFrame | None) -> tuple[str, dict]:
    """`contacts as (customer_id, last_contact)` from a frame of those columns (None: nobody contacted), and its
    bound parameters ($contact_ids, $contact_dates)."""
    if contacts is None:
        contacts = pd.DataFrame(columns=["customer_id", "last_contact"])
    sql = (
        "contacts as (select unnest($contact_ids::varchar[]) as customer_id,"
        " unnest($contact_dates::date[]) as last_contact)"
    )
    return sql, {
        "contact_ids": [str(c) for c in contacts["customer_id"]],
        "contact_dates": list(contacts["last_contact"]),
    }
