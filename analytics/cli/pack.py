"""`report pack --quarter Q --by branch|manager --out DIR`: one workbook per unit for HQ to send out each quarter.

Each workbook holds only its unit's rows: its scorecard row (indicators, the points each adds, score, rank among
all units, contact coverage), its lost high-value customers (accountability), and its lists at the quarter's
end (calls, red, unassigned, load, handover, outflow, birthday, completeness, products, coverage). Every list is
computed with the unit's own scope, not filtered afterwards. Personal data masked; ID numbers left out. At
manager level the branches' unassigned books have no workbook (their customers are in the branch packs).
DIR/manifest.csv lists unit, file, rows and SHA-256 of each workbook; the run is recorded in the audit trail
(an `export` of table report_pack).
"""

from __future__ import annotations

import argparse
import getpass
import hashlib
import re
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from analytics.access.audit import record
from analytics.cli.workbook import write_workbook
from analytics.core.config import audit_path, followup_path
from analytics.core.periods import Quarter, latest_complete_quarter, quarter_snapshots
from analytics.core.scope import Scope
from analytics.core.units import is_unassigned, parse_level
from analytics.followup.log import last_contacts
from analytics.lists.actions import manager_load, red_list
from analytics.lists.allocation import unassigned_with_suggestion
from analytics.lists.books import completeness, handover_churn, product_penetration
from analytics.lists.coverage import contact_coverage, unit_contact_coverage
from analytics.lists.daily import birthday_list, handover_list, outflow_watch
from analytics.lists.workbench import call_list
from analytics.metrics.accountability import lost_high_value
from analytics.metrics.scorecard import scorecard
from analytics.store.catalog import loaded_periods

PACK_BY = ("branch", "manager")


def unit_sheets(
    con: duckdb.DuckDBPyConnection,
    level: str,
    unit: str,
    quarter: str,
    board: pd.DataFrame,
    contacts: pd.DataFrame,
    today: date,
) -> list[tuple[str, pd.DataFrame]]:
    """The sheets of one unit's workbook; `board` is the scorecard of every unit (the unit's row is taken)."""
    start, end = quarter_snapshots(loaded_periods(con), quarter)
    scope = Scope(branches=frozenset({unit})) if level == "branch" else Scope(managers=frozenset({unit}))
    sheets = [
        ("scorecard", board[board["unit"] == unit]),
        ("accountability", lost_high_value(con, start, end, scope)),
        ("calls", call_list(con, end, scope, contacts, today, limit=None)),
        ("red", red_list(con, end, scope, limit=None)),
        ("unassigned", unassigned_with_suggestion(con, end, scope, limit=None)),
        ("load", manager_load(con, end, scope)),
        ("handover", handover_list(con, start, end, scope, contacts, limit=None)),
        ("handover_churn", handover_churn(con, start, end, level, scope)),
        ("outflow", outflow_watch(con, end, scope, contacts, limit=None)),
        ("birthday", birthday_list(con, end, scope, today, contacts, limit=None)),
        ("completeness", completeness(con, end, level, scope)),
        ("products", product_penetration(con, end, level, scope)),
        ("coverage", contact_coverage(con, end, level, scope, contacts, min(today, end))),
    ]
    return [(name, frame.drop(columns=["id_number"], errors="ignore")) for name, frame in sheets]


def write_pack(
    con: duckdb.DuckDBPyConnection,
    quarter: str | None,
    level: str,
    out: Path,
    followup_db: Path | None = None,
    today: date | None = None,
) -> pd.DataFrame:
    """Write every unit's workbook and DIR/manifest.csv; returns the manifest (unit, file, rows, sha256)."""
    if level not in PACK_BY:
        raise ValueError(f"report pack --by takes {' or '.join(PACK_BY)}")
    periods = loaded_periods(con)
    if not periods:
        raise ValueError("no period loaded")
    quarter = str(Quarter.parse(quarter)) if quarter else str(latest_complete_quarter(periods))
    start, end = quarter_snapshots(periods, quarter)
    today = today or date.today()
    contacts = last_contacts(followup_db, until=today)
    board = scorecard(con, start, end, parse_level(level), Scope(), quarter)  # ranks among every unit of the bank
    coverage = unit_contact_coverage(con, end, level, Scope(), last_contacts(followup_db, until=end), end)
    board = board.merge(coverage[["unit", "contact_coverage_rate"]], on="unit", how="left")
    units = [u for u in board["unit"].astype(str) if not is_unassigned(pd.Series([u])).iloc[0]]
    out.mkdir(parents=True, exist_ok=True)
    manifest = []
    for unit in units:
        path = out / f"{quarter}_{level}_{re.sub(r'[^0-9A-Za-z_-]', '_', unit)}.xlsx"
        rows = write_workbook(path, unit_sheets(con, level, unit, quarter, board, contacts, today))
        manifest.append((unit, path.name, rows, hashlib.sha256(path.read_bytes()).hexdigest()))
    frame = pd.DataFrame(manifest, columns=["unit", "file", "rows", "sha256"])
    frame.to_csv(out / "manifest.csv", index=False)
    return frame


def run_pack(con: duckdb.DuckDBPyConnection, args: argparse.Namespace) -> pd.DataFrame:
    """`report pack` from the parsed arguments (quarter, by, out, db); audited as an `export` of report_pack."""
    if args.out is None:
        raise ValueError("report pack needs --out DIR")
    manifest = write_pack(con, args.quarter, args.by or "branch", args.out, followup_path())
    record(
        "export",
        f"cli:{getpass.getuser()}",
        audit_file=audit_path(args.db),
        table="report_pack",
        quarter=args.quarter,
        level=args.by or "branch",
        out=str(args.out),
        workbooks=len(manifest),
        rows=int(manifest["rows"].sum()),
    )
    return manifest
