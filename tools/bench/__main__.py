"""python -m tools.bench: the benchmark as one command that prints one table (or JSON).

Generates N customers x M months with the demo generator, loads all months but the last in one writing() session
and the last as "one new month" in a session of its own, then times every page's analytics at default filters,
the customer lists, whole page script runs and the same answers computed with pandas, against the targets set
for 10M customers x 12 months. Each phase runs in its own process (tools.bench.process.in_child); progress goes to
stderr. The exit code is 1 when a call fails, a page raises, the row counts disagree or pandas and DuckDB give
different answers; a MISS does not fail the command.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from analytics.core.config import audit_anchor_path, audit_key_path
from tools.bench.baseline import baseline_phase
from tools.bench.build import build
from tools.bench.pages import audit_trail, page_phase
from tools.bench.process import in_child, say
from tools.bench.queries import query_phase
from tools.bench.table import format_table
from tools.bench.targets import verdicts
from tools.machine import machine


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tools.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--runs", type=int, default=5, help="timed runs per analytics call, after one warm-up")
    parser.add_argument("--page-runs", type=int, default=3, help="runs per page script, cold and warm")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--end", type=date.fromisoformat, default=date(2026, 9, 30), help="last month end")
    parser.add_argument("--workdir", type=Path, help="extracts and database (default: a temporary folder)")
    parser.add_argument(
        "--db", type=Path, help="the bench database (default WORKDIR/bench.duckdb); never reused unless --reuse"
    )
    parser.add_argument("--reuse", action="store_true", help="measure the existing --db: no generation, no load")
    parser.add_argument("--keep", action="store_true", help="keep the extracts and the database")
    parser.add_argument("--load-only", action="store_true", help="generate and load only")
    parser.add_argument("--no-pages", action="store_true", help="skip the page script runs")
    parser.add_argument("--no-baseline", action="store_true", help="skip pandas (it holds every row in memory)")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the calls over their target")
    parser.add_argument("--json", action="store_true", help="print the results as JSON instead of the table")
    return parser


def _measure_bank(args: argparse.Namespace, db: Path, out: dict) -> None:
    """The analytics, the page scripts and the pandas baseline on the bench database, in that order."""
    out["load_average"]["queries"] = os.getloadavg()[0]
    out["queries"] = in_child(query_phase, str(db), args.runs, args.explain)
    in_db = out["queries"]["facts"]["snapshot_rows"]
    if "rows" in out and in_db != out["rows"]["generated"]:
        out["problems"].append(f"{in_db:,} rows in the database, {out['rows']['generated']:,} generated")
    out["problems"] += [f"{c['name']}: {c['error']}" for c in out["queries"]["calls"] if "error" in c]
    if not args.no_pages:
        say("page script runs (AppTest)")
        out["load_average"]["pages"] = os.getloadavg()[0]
        out["pages"] = in_child(page_phase, str(db), args.page_runs)
        out["problems"] += [f"page {p['page']}: {p['error']}" for p in out["pages"]["pages"] if "error" in p]
    if not args.no_baseline:
        say("pandas baseline")
        out["load_average"]["baseline"] = os.getloadavg()[0]
        out["baseline"] = in_child(baseline_phase, str(db), out["queries"]["defaults"], args.runs)
        out["problems"] += [f"pandas and DuckDB differ: {v}" for v in out["baseline"]["checks"].values() if v != "ok"]


def measure(args: argparse.Namespace) -> dict:
    """Every phase in order (never two at once); the results as one dict."""
    made_workdir = args.workdir is None
    workdir = Path(tempfile.mkdtemp(prefix="bank-bench-")) if made_workdir else args.workdir
    workdir.mkdir(parents=True, exist_ok=True)
    db = args.db or workdir / "bench.duckdb"
    out: dict[str, Any] = {
        "machine": machine(),
        "db": str(db),
        "problems": [],
        "load_average": {},
        "size": {
            "customers": None if args.reuse else args.customers,
            "months": None if args.reuse else args.months,
            "seed": args.seed,
            "end": args.end.isoformat(),
            "runs": args.runs,
            "page_runs": args.page_runs,
        },
    }
    if Path(db).exists() != args.reuse:  # checked before anything that would clean up after itself
        if made_workdir:
            workdir.rmdir()
        raise SystemExit(
            f"bench: {db} exists: give --reuse to measure it, or another --db"
            if not args.reuse
            else f"bench: --reuse: no database at {db}"
        )
    try:
        if not args.reuse:
            build(out, workdir, Path(db), args.customers, args.months, args.end, args.seed, args.keep)
        if not args.load_only:
            _measure_bank(args, Path(db), out)
    finally:
        if not args.keep:
            trail = Path(audit_trail(str(db)))
            trail.unlink(missing_ok=True)
            for secret in (audit_key_path(trail), audit_anchor_path(trail)):  # the trail's key and anchor folders
                secret.unlink(missing_ok=True)
                if secret.parent.exists() and not any(secret.parent.iterdir()):
                    secret.parent.rmdir()
        if not args.keep and not args.reuse:
            for leftover in (Path(db), Path(f"{db}.wal"), Path(f"{db}.lock")):
                leftover.unlink(missing_ok=True)
            _remove_folder(workdir / "extracts")
        if made_workdir and not args.keep:  # with --reuse the database is elsewhere and this folder empty
            _remove_folder(workdir)
    out["verdicts"] = verdicts(out)
    return out


def _remove_folder(folder: Path) -> None:
    """The bench's scratch folder (extracts, its own database); a failure to remove it is reported, not hidden."""
    if folder.exists():
        shutil.rmtree(folder)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    started = time.perf_counter()
    out = measure(args)
    out["total_s"] = time.perf_counter() - started
    print(json.dumps(out, indent=1, default=str) if args.json else format_table(out))
    for problem in out["problems"]:
        print(f"bench: {problem}", file=sys.stderr)
    return 1 if out["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
