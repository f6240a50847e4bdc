"""Load test of the real dashboard server: N concurrent sessions speaking Streamlit's websocket protocol, no browser.

    .venv/bin/python -m tools.load_test [--db /tmp/loadtest/bank.duckdb] [--sessions 50] [--rounds 3]
        [--think 10] [--ramp SECONDS] [--serve PROCESSES] [--loader] [--timeout 1800] [--report docs/load_test.md]

Builds the demo bank at --db when there is none (`python -m analytics demo`: 200,000 customers x 24 months).
Each session is a person of its own (people): the run writes a users file in a temporary folder with the
product's means (analytics.access.users, bcrypt at the product's cost, --bcrypt-rounds), one account per
session over the roles of a bank (HQ with a second factor, regions, sub-branches, branch heads of different
branches, managers of different books, picked from the database's latest period), and starts the server with
BANK_USERS pointing at it (and an audit trail and sign-in lockouts of its own in the same folder):
`streamlit run serve.py` on a free port of 127.0.0.1 (server), or with --serve N the served stack (tools/serve,
as `make serve` runs it: nginx in front of N Streamlit processes; the sessions speak to nginx, each websocket
staying on the process nginx chose). --demo runs without a users file (every session the local demo user, HQ).

Every session signs in through the form as a browser does (session: the form's widget ids read from the delta
messages, WidgetStates with the typed strings and the submit button's trigger, the TOTP code for HQ), the
sign-ins spread over the first --ramp seconds (bcrypt is costly), then visits the pages its role sees --rounds
times, its own rotation of them, each with its own query string (quarter, unit, tab, list page, filters), with a
random pause of up to --think seconds between visits (drive). Reported (figures, report): per page and overall
p50 / p95 / max of the run time (send -> script_finished), errors by reason, the sign-ins per role (whole and
password step), the server's RSS (psutil, the processes and their children)
before, at the peak (sampled every 0.2 s), 5 s after, and per session, and the load average. --loader loads one
more month into (a copy of) the database while the sessions run, with `python -m analytics load` (loader), and
counts the errors while the load ran and after the readers swapped to the new generation.

Bounded: --rounds visits per page per session, --visit-timeout per visit, --timeout for everything (the server
is stopped in any case); only 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
from pathlib import Path

from analytics.access.users import ROUNDS
from analytics.core.config import PROJECT_ROOT
from tools.bench.pages import PAGES
from tools.load_test.drive import Plan, drive
from tools.load_test.figures import (
    cpu,
    errors_by_reason,
    memory,
    signin_errors,
    signin_summary,
    signin_table,
    summary,
    table,
)
from tools.load_test.loader import Loader
from tools.load_test.people import plan, write_users
from tools.load_test.report import report
from tools.load_test.server import ensure_demo, free_port, free_ports, start_server, stop_server, wait_healthy
from tools.serve.settings import Settings
from tools.serve.stack import Stack

DEFAULT_DB = Path(tempfile.gettempdir()) / "loadtest" / "bank.duckdb"  # a demo bank of its own, built when missing


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tools.load_test", description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3, help="visits of every page per session")
    parser.add_argument("--pages", nargs="*", default=list(PAGES), choices=list(PAGES))
    parser.add_argument(
        "--think", type=float, default=10, help="random pause of 0..THINK s between visits (mean THINK/2)"
    )
    parser.add_argument("--ramp", type=float, help="seconds over which the sessions start and sign in (0.3 s each)")
    parser.add_argument("--demo", action="store_true", help="no users file: every session the demo user (HQ)")
    parser.add_argument("--bcrypt-rounds", type=int, default=ROUNDS, help="the users file's bcrypt cost")
    parser.add_argument(
        "--loader", action="store_true", help="load one more month into a copy of --db while the sessions run"
    )
    parser.add_argument("--loader-delay", type=float, help="seconds after the start (default: the ramp + 30 s)")
    parser.add_argument("--loader-customers", type=int, default=200_000, help="customers of the loaded month")
    parser.add_argument("--visit-timeout", type=float, default=300)
    parser.add_argument("--timeout", type=float, default=1800, help="bound on the whole run, in seconds")
    parser.add_argument("--port", type=int, default=0, help="0: a free port")
    parser.add_argument(
        "--report", default=str(PROJECT_ROOT / "docs" / "load_test.md"), help="markdown file; '' for none"
    )
    parser.add_argument("--server-log", type=Path, help="keep the server's output here")
    parser.add_argument(
        "--serve",
        type=int,
        default=0,
        metavar="PROCESSES",
        help="drive the served stack instead (tools/serve: nginx in front of PROCESSES Streamlit processes)",
    )
    parser.add_argument("--note", default="", help="a paragraph for the report's Notes")
    return parser


def drive_served(args: argparse.Namespace, port: int, db: Path, work: Plan, loader: Loader | None) -> dict:
    """The sessions through nginx on `port` in front of --serve processes (each session's websocket stays on the
    process nginx picked for it); memory is the sum over the Streamlit processes and nginx."""
    with tempfile.TemporaryDirectory(prefix="load-test-serve-") as run:
        settings = Settings(port=port, first_port=free_ports(args.serve), processes=args.serve, run=Path(run), db=db)
        with Stack(settings, say=lambda text: print(text, flush=True)) as stack:
            pids = [p.popen.pid for p in stack.processes] + [stack.nginx.pid]
            return asyncio.run(drive(port, pids, args.sessions, work, args.timeout, loader=loader))


def drive_one(args: argparse.Namespace, port: int, db: Path, work: Plan, loader: Loader | None) -> dict:
    server = start_server(db, port, args.server_log)
    try:
        wait_healthy(server, port)
        return asyncio.run(drive(port, server.pid, args.sessions, work, args.timeout, loader=loader))
    finally:
        stop_server(server)


def main(argv: list[str] | None = None) -> int:
    command = parser()
    args = command.parse_args(argv)
    if not (0 < args.sessions <= 500 and 0 < args.rounds <= 20):
        command.error("--sessions 1..500, --rounds 1..20")
    if args.ramp is None:
        args.ramp = 0.0 if args.demo else 0.3 * args.sessions
    ensure_demo(args.db, timeout=args.timeout)
    port = args.port or free_port()
    with tempfile.TemporaryDirectory(prefix="load-test-") as folder:
        run = Path(folder)
        db = args.db
        loader = None
        if args.loader:  # the load writes a new generation: of a copy, so that --db stays as it was
            db = run / "bank.duckdb"
            shutil.copyfile(args.db, db)
            delay = args.loader_delay if args.loader_delay is not None else args.ramp + 30
            loader = Loader(db, run / "extract", customers=args.loader_customers, delay=delay)
            loader.prepare()
        people = None
        if not args.demo:
            people = plan(db, args.sessions, args.pages)
            print(f"writing {len(people)} users (bcrypt cost {args.bcrypt_rounds}) ...", flush=True)
            os.environ["BANK_USERS"] = str(write_users(run / "users.toml", people, args.bcrypt_rounds))
            os.environ["BANK_SIGNIN_STATE"] = str(run / "signin")
        # the run's own audit trail (page views, sign-ins, the load), never the bank's
        os.environ["BANK_AUDIT"] = str(run / "audit.jsonl")
        work = Plan(args.pages, args.rounds, args.think, args.visit_timeout, people, args.ramp)
        result = (drive_served if args.serve else drive_one)(args, port, db, work, loader)
        db_size = db.stat().st_size
    rows = summary(result["visits"], args.pages)
    signins = signin_summary(result["signins"])
    print(table(rows))
    if result["signins"]:
        print("\n" + signin_table(signins))
    before, end, after = result["load"]
    print(
        f"\n{len(result['visits'])} visits in {result['wall']:.0f} s; sessions cut by the timeout: "
        f"{result['timed_out']}; {memory(result, args.sessions)}; {cpu(result)}; "
        f"load average before {before}, at the end {end}, after {after}"
    )
    for reason, count in sorted({**errors_by_reason(result["visits"]), **signin_errors(result["signins"])}.items()):
        print(f"  {count} x {reason}")
    if loader is not None:
        print(loader_line(loader, result["visits"]))
    if args.report:
        Path(args.report).write_text(report(args, result, rows, signins, db_size), encoding="utf-8")
        print(f"wrote {args.report}")
    ok = all(v.error is None for v in result["visits"]) and not result["timed_out"]
    ok = ok and all(s.error is None for s in result["signins"])
    return 0 if ok and (loader is None or (loader.returncode == 0 and loader.loaded)) else 1


def loader_line(loader: Loader, visits: list) -> str:
    if loader.started is None:
        return "loader: did not start (the sessions ended first)"
    phases = loader.phases(visits)
    return (
        f"loader: python -m analytics load of {loader.period} ran {loader.ended - loader.started:.0f} s "
        f"(exit {loader.returncode}, the new month served: {'yes' if loader.loaded else 'no'}); visits / errors "
        + ", ".join(f"{k} {v[0]} / {v[1]}" for k, v in phases.items())
    )


if __name__ == "__main__":
    sys.exit(main())
