"""`report list red|unassigned|load|calls`: the customer lists a manager works from, on the command line.

Run as the bank's operator (the whole bank, no scope); names, ID numbers and phones are masked. Without --by a
list prints one row per customer (load: per manager); with --by branch or manager, one row per unit.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from analytics.core.scope import Scope
from analytics.followup.log import last_contacts
from analytics.lists.actions import manager_load, red_list, unassigned_customers
from analytics.lists.workbench import call_list
from analytics.store.catalog import loaded_periods

LISTS = ("red", "unassigned", "load", "calls")
LIST_BY = ("branch", "manager")
_UNIT = {"branch": ["branch_id", "branch_name"], "manager": ["branch_id", "manager_id", "manager_name"]}


def list_report(
    con: duckdb.DuckDBPyConnection,
    name: str,
    period: date | None = None,
    by: str | None = None,
    followup_db: Path | None = None,
    today: date | None = None,
) -> pd.DataFrame:
    """The list `name` at `period` (default: the latest month end loaded), per customer or per unit `by`."""
    if name not in LISTS:
        raise ValueError(f"unknown list {name!r} (use {', '.join(LISTS)})")
    if by not in (None, *LIST_BY):
        raise ValueError(f"report list --by takes {' or '.join(LIST_BY)}")
    periods = loaded_periods(con)
    if not periods:
        raise ValueError("no period loaded")
    period = period or periods[-1]
    if name == "load":
        frame = manager_load(con, period, Scope())
        if by != "branch":
            return frame
        return (
            frame.assign(managers=frame["manager_id"].notna())
            .groupby(["branch_id", "branch_name"], dropna=False, as_index=False)
            .agg(managers=("managers", "sum"), customers=("customers", "sum"), maintained=("maintained", "sum"))
        )
    if name == "calls":
        frame = call_list(con, period, Scope(), last_contacts(followup_db), today, limit=None)
        frame = frame.drop(columns=["id_number"])
    else:
        lister = red_list if name == "red" else unassigned_customers
        frame = lister(con, period, Scope(), limit=None)
    if by is None:
        return frame
    amount = "at_stake" if name == "calls" else "aum"
    if by == "manager" and name == "unassigned":
        by = "branch"  # unassigned customers have no manager
    grouped = frame.groupby(_UNIT[by], dropna=False, as_index=False).agg(
        customers=("customer_id", "count"), aum=(amount, "sum")
    )
    return grouped.sort_values(_UNIT[by][:2], na_position="last").reset_index(drop=True)
