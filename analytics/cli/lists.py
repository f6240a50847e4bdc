"""`report list <name>`: the customer lists a manager works from, on the command line.

Run as the bank's operator (the whole bank, no scope); names, ID numbers and phones are masked. Customer lists
(red, unassigned, outflow, birthday, handover, calls) print one row per customer, or with --by branch or manager
one row per unit (customers and AUM); unit lists (load, completeness, products, coverage) are per manager or per
branch (default branch; load: per manager). handover runs from the month end before --period to --period, or
from --from to --to; with --by it is the churn of each unit's reassigned book against the rest.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from analytics.core.periods import add_months
from analytics.core.scope import Scope
from analytics.followup.log import last_contacts
from analytics.lists.actions import manager_load, red_list
from analytics.lists.allocation import unassigned_with_suggestion
from analytics.lists.books import completeness, handover_churn, product_penetration
from analytics.lists.coverage import contact_coverage
from analytics.lists.daily import birthday_list, handover_list, outflow_watch
from analytics.lists.workbench import call_list
from analytics.store.catalog import loaded_periods

LISTS = (
    "red",
    "unassigned",
    "load",
    "handover",
    "outflow",
    "birthday",
    "completeness",
    "products",
    "coverage",
    "calls",
)
LIST_BY = ("branch", "manager")
_UNIT = {"branch": ["branch_id", "branch_name"], "manager": ["branch_id", "manager_id", "manager_name"]}
_AMOUNT = {"calls": "at_stake", "handover": "aum_before"}


def list_report(
    con: duckdb.DuckDBPyConnection,
    name: str,
    period: date | None = None,
    by: str | None = None,
    followup_db: Path | None = None,
    today: date | None = None,
    start: date | None = None,
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
    today = today or date.today()
    everyone = Scope()
    if name == "load":
        return _load(con, period, by)
    if name in ("completeness", "products", "coverage"):
        level = by or "branch"
        if name == "coverage":
            contacts = last_contacts(followup_db, until=today)
            return contact_coverage(con, period, level, everyone, contacts, today)
        return (completeness if name == "completeness" else product_penetration)(con, period, level, everyone)
    if name == "handover":
        start = start or add_months(period, -1)
        if by is not None:
            return handover_churn(con, start, period, by, everyone)
        frame = handover_list(con, start, period, everyone, last_contacts(followup_db), limit=None)
    elif name == "calls":
        frame = call_list(con, period, everyone, last_contacts(followup_db), today, limit=None)
    elif name == "outflow":
        frame = outflow_watch(con, period, everyone, last_contacts(followup_db), limit=None)
    elif name == "birthday":
        frame = birthday_list(con, period, everyone, today, last_contacts(followup_db), limit=None)
    elif name == "unassigned":
        frame = unassigned_with_suggestion(con, period, everyone, limit=None)
    else:
        frame = red_list(con, period, everyone, limit=None)
    frame = frame.drop(columns=["id_number"])
    if by is None:
        return frame
    if by == "manager" and name == "unassigned":
        by = "branch"  # unassigned customers have no manager
    grouped = frame.groupby(_UNIT[by], dropna=False, as_index=False).agg(
        customers=("customer_id", "count"), aum=(_AMOUNT.get(name, "aum"), "sum")
    )
    return grouped.sort_values(_UNIT[by][:2], na_position="last").reset_index(drop=True)


def _load(con: duckdb.DuckDBPyConnection, period: date, by: str | None) -> pd.DataFrame:
    frame = manager_load(con, period, Scope())
    if by != "branch":
        return frame
    return (
        frame.assign(managers=frame["manager_id"].notna())
        .groupby(["branch_id", "branch_name"], dropna=False, as_index=False)
        .agg(managers=("managers", "sum"), customers=("customers", "sum"), maintained=("maintained", "sum"))
    )
