"""Load test of the real dashboard server: N concurrent sessions speaking Streamlit's websocket protocol, no browser.

    .venv/bin/python -m tools.load_test [--db /tmp/loadtest/bank.duckdb] [--sessions 50] [--rounds 3]
        [--think 0.5] [--timeout 1800] [--report docs/load_test.md] [--serve PROCESSES]

Builds the demo bank at --db when there is none (`python -m analytics demo`: 200,000 customers x 24 months), starts
`streamlit run app.py` on a free port of 127.0.0.1 with BANK_DB=--db (server), and opens --sessions websocket
sessions at once, each doing what a browser does (session). Every session visits every page (url paths of app.py)
--rounds times, its own rotation of the pages so that all pages run at once, with a random pause of up to --think
seconds between visits (drive). Per page and overall: p50 / p95 / max of the run time (send -> script_finished),
the bytes received, the errors (figures); the server's RSS (psutil, the process and its children) before the
sessions, at the peak (sampled every 0.2 s) and 5 s after they closed. The report goes to --report (report).

--serve N drives the served stack instead (tools/serve, as `make serve` runs it): nginx on the free port in front
of N Streamlit processes; the sessions speak to nginx, each websocket staying on the process nginx chose.

Bounded: --rounds visits per page per session, --visit-timeout per visit, --timeout for everything (the server
is stopped in any case); only 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from pathlib import Path

from analytics.core.config import PROJECT_ROOT
from tools.bench.pages import PAGES
from tools.load_test.drive import drive
from tools.load_test.figures import errors_by_reason, mib, summary, table
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
    parser.add_argument("--think", type=float, default=0.5, help="random pause of up to THINK s between visits")
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


def drive_served(args: argparse.Namespace, port: int) -> dict:
    """The sessions through nginx on `port` in front of --serve processes (each session's websocket stays on the
    process nginx picked for it); memory is the sum over the Streamlit processes and nginx."""
    with tempfile.TemporaryDirectory(prefix="load-test-serve-") as run:
        settings = Settings(
            port=port, first_port=free_ports(args.serve), processes=args.serve, run=Path(run), db=args.db
        )
        with Stack(settings, say=lambda text: print(text, flush=True)) as stack:
            pids = [p.popen.pid for p in stack.processes] + [stack.nginx.pid]
            return asyncio.run(
                drive(port, pids, args.sessions, args.pages, args.rounds, args.think, args.visit_timeout, args.timeout)
            )


def main(argv: list[str] | None = None) -> int:
    command = parser()
    args = command.parse_args(argv)
    if not (0 < args.sessions <= 500 and 0 < args.rounds <= 20):
        command.error("--sessions 1..500, --rounds 1..20")

    ensure_demo(args.db, timeout=args.timeout)
    load_before = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    port = args.port or free_port()
    if args.serve:
        result = drive_served(args, port)
    else:
        server = start_server(args.db, port, args.server_log)
        try:
            wait_healthy(server, port)
            result = asyncio.run(
                drive(
                    port,
                    server.pid,
                    args.sessions,
                    args.pages,
                    args.rounds,
                    args.think,
                    args.visit_timeout,
                    args.timeout,
                )
            )
        finally:
            stop_server(server)
    load_after = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    rows = summary(result["visits"], args.pages)
    print(table(rows))
    print(
        f"\n{len(result['visits'])} visits in {result['wall']:.0f} s; sessions cut by the timeout: "
        f"{result['timed_out']}; RSS before {mib(result['rss_before'])}, peak {mib(result['rss_peak'])}, "
        f"after {mib(result['rss_after'])}; load average before {load_before}, after {load_after}"
    )
    for reason, count in sorted(errors_by_reason(result["visits"]).items()):
        print(f"  {count} x {reason}")
    if args.report:
        Path(args.report).write_text(
            report(args, result, rows, (load_before, load_after), args.db.stat().st_size), encoding="utf-8"
        )
        print(f"wrote {args.report}")
    return 0 if all(v.error is None for v in result["visits"]) and not result["timed_out"] else 1


if __name__ == "__main__":
    sys.exit(main())
