"""`python -m analytics targets FILE...`: load per-unit quarterly targets (design.md §5), audited; the Data page
uploads targets through load_target_files too."""

from __future__ import annotations

import argparse
import getpass
import sys
from dataclasses import dataclass, field
from pathlib import Path

from analytics.access.audit import record
from analytics.access.users import User
from analytics.core.config import DEFAULT_DB, audit_path
from analytics.store.generations import writing
from analytics.store.unit_targets import TargetProblem, load_targets


@dataclass(frozen=True)
class TargetsOutcome:
    """What became of one targets file: loaded (its quarters replaced) or rejected (nothing loaded)."""

    file: str
    outcome: str
    rows: int = 0
    quarters: list[str] = field(default_factory=list)
    problems: list[TargetProblem | str] = field(default_factory=list)


def load_target_files(
    db: Path, files: list[tuple[Path, str]], user: User | str, audit_file: Path | str | None = None
) -> list[TargetsOutcome]:
    """Load each (path, name shown) targets file as one new generation of the database; every file's outcome
    is a `load` event of kind targets in the audit trail under `user`. Only HQ sets targets: a dashboard user
    of another role gets PermissionError and nothing is read (a command-line user is named "cli:<login>")."""
    if isinstance(user, User) and user.role != "hq":
        raise PermissionError(f"{user.username}: only HQ may load targets")
    outcomes = []
    with writing(db) as con:
        for path, name in files:
            problems: list[TargetProblem | str]
            try:
                found, quarters, rows = load_targets(con, path, name)
                problems = list(found)
            except ValueError as exc:
                problems, quarters, rows = [str(exc)], [], 0
            outcome = TargetsOutcome(name, "rejected" if problems else "loaded", rows, quarters, list(problems))
            record(
                "load",
                user,
                audit_file=audit_file or audit_path(db),
                file=name,
                kind="targets",
                outcome=outcome.outcome,
                rows=rows,
                quarters=quarters,
                problems=len(problems),
            )
            outcomes.append(outcome)
    return outcomes


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
    outcomes = load_target_files(args.db, [(path, path.name) for path in args.files], f"cli:{getpass.getuser()}")
    for path, outcome in zip(args.files, outcomes, strict=True):
        for problem in outcome.problems:
            print(problem)
        loaded = f": {outcome.rows} targets for {', '.join(outcome.quarters)}" if outcome.rows else ""
        print(f"{path}: {outcome.outcome}{loaded}")
    return 1 if any(o.outcome == "rejected" for o in outcomes) else 0
