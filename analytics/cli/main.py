"""Command line: demo, load, report, users, audit (README.md). Exit codes: 0 done, 1 rejected, 2 usage."""

from __future__ import annotations

import argparse
import getpass
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from analytics.access.audit import record_loads
from analytics.cli import audit as audit_cli
from analytics.cli import targets as targets_cli
from analytics.cli import users as users_cli
from analytics.cli import warehouse as warehouse_cli
from analytics.cli.lists import LISTS, list_report
from analytics.cli.pack import run_pack
from analytics.core.config import DEFAULT_DB, audit_path, followup_path
from analytics.core.policy import PolicyError, load_policy
from analytics.core.units import LEVELS
from analytics.ingest.demo_bank import demo_extracts
from analytics.metrics.accountability import year_snapshots
from analytics.metrics.reports import KINDS, build_report, report_json
from analytics.metrics.whatif import what_if_report
from analytics.store.catalog import loaded_periods
from analytics.store.generations import open_current_reader, writing
from analytics.store.load import ReadAhead, load_files
from analytics.store.load_result import LoadResult

BY = (*LEVELS, "tier")  # report ... --by


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m analytics", description="Tiered customer analytics")
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser("demo", help="generate a synthetic bank's extracts and load them")
    demo.add_argument("--customers", type=int, default=200_000)
    demo.add_argument("--months", type=int, default=24)
    demo.add_argument("--end", type=_date, default=date(2026, 9, 30), help="last month end (YYYY-MM-DD)")
    demo.add_argument("--seed", type=int, default=7)
    demo.add_argument("--out", type=Path, help="keep the generated extracts in DIR (default: a temporary folder)")

    load = commands.add_parser("load", help="validate and load extract files")
    load.add_argument("files", nargs="*", type=Path)
    load.add_argument("--policy", type=Path, help="policy file to apply (re-tiers the whole history)")
    load.add_argument("--period", type=_date, help="snapshot date for files without a period column")
    load.add_argument(
        "--replace-period",
        action="store_true",
        help="replace the files' whole periods (a full re-export: branches not in the file are removed); "
        "by default a file replaces only the branches it holds",
    )

    report = commands.add_parser("report", help="print a report")
    report.add_argument("kind", choices=(*KINDS, "list", "pack"))
    report.add_argument("list_name", nargs="?", choices=LISTS, help="report list: which list")
    report.add_argument("--period", type=_date)
    report.add_argument("--from", dest="start", type=_date)
    report.add_argument("--to", dest="end", type=_date)
    report.add_argument("--quarter", help="e.g. 2026Q3")
    report.add_argument("--year", type=int, help="a business year, e.g. 2026 (last period of 2025 to 2026's last)")
    report.add_argument("--by", choices=BY, help="report list: branch or manager")
    report.add_argument("--format", choices=("table", "csv", "json"), default="table")
    report.add_argument("--policy", type=Path, help="what-if: compute under this policy file, storing nothing")
    report.add_argument("--out", type=Path, help="report pack: folder for the workbooks and manifest.csv")

    for sub in (demo, load, report):
        sub.add_argument("--db", type=Path, default=DEFAULT_DB, help="database file (default data/bank.duckdb)")
    users_cli.add_parser(commands)
    warehouse_cli.add_parser(commands)
    targets_cli.add_parser(commands)
    audit_cli.add_parser(commands)
    return parser


def _print_results(results: list[LoadResult]) -> int:
    rejected = False
    for result in results:
        for problem in result.problems:
            print(problem)
        for warning in result.warnings:
            print(f"{result.file}: warning: {warning}")
        print(result.summary())
        rejected = rejected or result.outcome == "rejected"
    return 1 if rejected else 0


def _cli_user() -> str:
    return f"cli:{getpass.getuser()}"


def _progress(step: str, fraction: float) -> None:
    print(f"[{fraction:4.0%}] {step}", file=sys.stderr, flush=True)


def run_demo(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="demo-extracts-") as scratch:
        out = args.out or Path(scratch)
        print(f"generating {args.months} monthly extracts in {out}, each loaded once written", file=sys.stderr)
        months = demo_extracts(out, customers=args.customers, months=args.months, end=args.end, seed=args.seed)
        try:
            with writing(args.db) as con:
                results = load_files(con, months, progress=_progress, count=args.months, replace_period=True)
        except ValueError as exc:  # the generator refused its arguments: nothing was loaded
            print(f"demo: {exc}", file=sys.stderr)
            return 2
        record_loads(results, _cli_user(), audit_path(args.db))
        code = _print_results(results)
    print(f"demo bank ready in {args.db} ({time.perf_counter() - started:.1f} s in all)", file=sys.stderr)
    return code


def run_load(args: argparse.Namespace) -> int:
    if not args.files and not args.policy:
        print("load: give extract files, --policy, or both", file=sys.stderr)
        return 2
    missing = [f for f in args.files if not f.is_file()]
    if missing:
        print(f"load: no such file: {', '.join(map(str, missing))}", file=sys.stderr)
        return 2
    try:
        policy = load_policy(args.policy) if args.policy else None
    except PolicyError as exc:
        print(f"load: {exc}", file=sys.stderr)
        return 2
    try:
        with ReadAhead(args.files) as upcoming, writing(args.db) as con:  # the first file decoded during the copy
            results = load_files(
                con,
                upcoming,
                policy=policy,
                default_period=args.period,
                count=len(args.files),
                replace_period=args.replace_period,
            )
    except ValueError as exc:  # a policy whose basis the loaded history lacks: nothing changed
        print(f"load: {exc}", file=sys.stderr)
        return 1
    record_loads(results, _cli_user(), audit_path(args.db))
    if policy is not None:
        print(f"policy in force: {policy.source} (sha256 {policy.sha256[:12]})")
    return _print_results(results)


MONEY_COLUMNS = (
    "aum",
    "aum_from",
    "aum_to",
    "lost_aum_start",
    "aum_before",
    "aum_change",
    "at_stake",
    "gap_down",
    "gap_up",
)


def _print_frame(frame: pd.DataFrame, fmt: str) -> None:
    if fmt != "json":  # money to the cent, never in scientific notation
        frame = frame.assign(
            **{c: frame[c].map(lambda v: "" if pd.isna(v) else f"{v:.2f}") for c in MONEY_COLUMNS if c in frame}
        )
    if fmt == "json":
        print(report_json(frame, MONEY_COLUMNS))  # money to the cent, exact
    elif fmt == "csv":
        print(frame.to_csv(index=False), end="")
    else:
        print(frame.to_string(index=False) if len(frame) else "(no rows)")


def run_report(args: argparse.Namespace) -> int:
    con = open_current_reader(args.db)
    if con is None:
        print(f"report: no database at {args.db}: load extracts or run the demo first", file=sys.stderr)
        return 2
    periods = {"period": args.period, "start": args.start, "end": args.end, "quarter": args.quarter}
    try:
        if args.year is not None:  # a business year is the pair of month ends it runs between
            if args.start or args.end or args.quarter:
                raise ValueError("give one of a quarter, a year, or a start and end")
            periods["start"], periods["end"] = year_snapshots(loaded_periods(con), args.year)
        if args.kind == "list":
            if args.list_name is None:
                raise ValueError(f"report list needs one of {', '.join(LISTS)}")
            frame = list_report(con, args.list_name, args.period, args.by, followup_path(), start=args.start)
        elif args.kind == "pack":
            frame = run_pack(con, args)
        elif args.policy:
            frame = what_if_report(con, args.db, load_policy(args.policy), args.kind, by=args.by, **periods)
        else:
            frame = build_report(con, args.kind, by=args.by, **periods)
    except ValueError as exc:  # PolicyError too
        print(f"report: {exc}", file=sys.stderr)
        return 2
    finally:
        con.close()
    try:
        _print_frame(frame, args.format)
    except BrokenPipeError:  # `report ... | head` closed the pipe: not an error
        sys.stderr.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    command = {
        "demo": run_demo,
        "load": run_load,
        "report": run_report,
        "users": users_cli.run,
        "targets": targets_cli.run,
        "audit": audit_cli.run,
        "warehouse": warehouse_cli.run,
    }[args.command]
    try:
        return command(args)
    except (OSError, duckdb.Error) as exc:  # e.g. --db naming a folder, a file that is no database, a long path
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        print(f"{args.command}: cannot use {getattr(args, 'db', 'the given path')}: {reason}", file=sys.stderr)
        return 2
