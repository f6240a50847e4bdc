"""`python -m analytics targets FILE...`: load per-unit quarterly targets (design.md §5), audited."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from analytics.access.audit import record
from analytics.core.config import DEFAULT_DB, audit_path
from analytics.store.generations import writing
from analytics.store.unit_targets import load_targets


def add_parser(commands) -> None:  # an argparse subparsers action
    targets = commands.add_parser("targets", help="load per-unit quarterly targets (replaces those quarters')")
    targets.add_argument("files", nargs="+", type=Path)
    targets.add_argument("--db", type=Path, default=DEFAULT_DB, help="database file (default data/bank.duckdb)")


def run(args: argparse.Namespace) -> int:
    """Exit 0 when every file loaded, 1 when one was rejected (it loads nothing), 2 on a missing file."""
    missing = [f for f in args.files if not f.is_file()]
    if missing:
        print(f"targets: no such file: {', '.join(map(str, missing))}", file=sys.stderr)
        return 2
    rejected = False
    with writing(args.db) as con:
        for path in args.files:
            try:
                problems, quarters, rows = load_targets(con, path)
            except ValueError as exc:
                problems, quarters, rows = [str(exc)], [], 0
            outcome = "rejected" if problems else "loaded"
            record(
                "load",
                f"cli:{getpass.getuser()}",
                audit_file=audit_path(args.db),
                file=path.name,
                kind="targets",
                outcome=outcome,
                rows=rows,
                quarters=quarters,
                problems=len(problems),
            )
            for problem in problems:
                print(problem)
            print(f"{path}: {outcome}" + (f": {rows} targets for {', '.join(quarters)}" if rows else ""))
            rejected = rejected or bool(problems)
    return 1 if rejected else 0
