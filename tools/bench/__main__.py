"""`python -m analytics bench`: issue #5's benchmark as one command that prints one table (or JSON).

Generates N customers x M months with the demo generator, loads all months but the last in one writing() session
and the last as "one new month" in a session of its own, then times every page's analytics at default filters,
the customer lists, whole page script runs and the same answers computed with pandas. Each phase runs in its own
process (analytics.bench.in_child); progress goes to stderr.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from tools.bench import run as bench
from tools.bench.run import TARGETS, in_child, say
from tools.bench.baseline import baseline_phase

CSV_BYTES_PER_ROW = 230  # the demo's GBK extracts, measured
BASELINE = {  # pandas computation -> the analytics call that gives the same answer
    "tier_distribution": ("overview", "tier_distribution (all periods)"),
    "migration_matrix": ("migration", "migration_matrix (quarter)"),
    "churn": ("churn", "churn_by_unit (branch x tier)"),
    "scorecard": ("crosscheck", "scorecard (branch, one quarter)"),
    "customer_list": ("lists", "find_customers (1 branch + tier + AUM range, count + page 1)"),
}
GIB = 2 ** 30


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser("bench", help="benchmark ingest and the pages' analytics on a demo bank (issue #5)")
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--runs", type=int, default=5, help="timed runs per analytics call, after one warm-up")
    parser.add_argument("--page-runs", type=int, default=3, help="runs per page script, cold and warm")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--end", type=date.fromisoformat, default=date(2026, 9, 30), help="last month end")
    parser.add_argument("--workdir", type=Path, help="extracts and database (default: a temporary folder)")
    parser.add_argument("--db", type=Path, help="the bench database (default WORKDIR/bench.duckdb); never reused "
                                                "unless --reuse")
    parser.add_argument("--reuse", action="store_true", help="measure the existing --db: no generation, no load")
    parser.add_argument("--keep", action="store_true", help="keep the extracts and the database")
    parser.add_argument("--load-only", action="store_true", help="generate and load only")
    parser.add_argument("--no-pages", action="store_true", help="skip the page script runs")
    parser.add_argument("--no-baseline", action="store_true", help="skip pandas (it holds every row in memory)")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the calls over their target")
    parser.add_argument("--json", action="store_true", help="print the results as JSON instead of the table")
    return parser


def machine() -> dict:
    import duckdb
    import pandas
    import psutil

    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else ""
    return {"cpus": os.cpu_count(), "cpu_model": model, "ram_bytes": psutil.virtual_memory().total,
            "python": platform.python_version(), "duckdb": duckdb.__version__, "pandas": pandas.__version__,
            "system": platform.platform()}


def measure(args: argparse.Namespace) -> dict:
    """Every phase in order (never two at once); the results as one dict."""
    made_workdir = args.workdir is None
    workdir = Path(tempfile.mkdtemp(prefix="bank-bench-")) if made_workdir else args.workdir
    workdir.mkdir(parents=True, exist_ok=True)
    db = args.db or workdir / "bench.duckdb"
    out: dict[str, Any] = {"machine": machine(), "db": str(db), "problems": [],
                           "size": {"customers": None if args.reuse else args.customers,
                                    "months": None if args.reuse else args.months, "seed": args.seed,
                                    "end": args.end.isoformat(), "runs": args.runs, "page_runs": args.page_runs}}
    if Path(db).exists() != args.reuse:  # checked before anything that would clean up after itself
        if made_workdir:
            workdir.rmdir()
        raise SystemExit(f"bench: {db} exists: give --reuse to measure it, or another --db" if not args.reuse
                         else f"bench: --reuse: no database at {db}")
    out["load_average"] = {}
    try:
        if not args.reuse:
            _build(args, workdir, Path(db), out)
        if not args.load_only:
            out["load_average"]["queries"] = os.getloadavg()[0]
            out["queries"] = in_child(bench.query_phase, str(db), args.runs, args.explain)
            in_db = out["queries"]["facts"]["snapshot_rows"]
            if "rows" in out and in_db != out["rows"]["generated"]:
                out["problems"].append(f"{in_db:,} rows in the database, {out['rows']['generated']:,} generated")
            out["problems"] += [f"{c['name']}: {c['error']}" for c in out["queries"]["calls"] if "error" in c]
            if not args.no_pages:
                say("page script runs (AppTest)")
                out["load_average"]["pages"] = os.getloadavg()[0]
                out["pages"] = in_child(bench.page_phase, str(db), args.page_runs)
                out["problems"] += [f"page {p['page']}: {p['error']}" for p in out["pages"]["pages"] if "error" in p]
            if not args.no_baseline:
                say("pandas baseline")
                out["load_average"]["baseline"] = os.getloadavg()[0]
                out["baseline"] = in_child(baseline_phase, str(db), out["queries"]["defaults"], args.runs)
                out["problems"] += [f"pandas and DuckDB differ: {v}" for v in out["baseline"]["checks"].values()
                                    if v != "ok"]
    finally:
        if not args.keep:
            Path(bench.audit_trail(str(db))).unlink(missing_ok=True)
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


def _build(args: argparse.Namespace, workdir: Path, db: Path, out: dict) -> None:
    need = CSV_BYTES_PER_ROW * args.customers * args.months
    free = shutil.disk_usage(workdir).free
    if need * 1.6 > free:  # extracts, plus a database about half their size (twice during the last load)
        say(f"warning: about {need / GIB:.1f} GiB of extracts and a database to write, {free / GIB:.1f} GiB free")
    out["load_average"]["generate"] = os.getloadavg()[0]
    say(f"generating {args.customers:,} customers x {args.months} months into {workdir / 'extracts'}")
    out["generate"] = in_child(bench.generate, str(workdir / "extracts"), args.customers, args.months, args.end,
                               args.seed)
    paths = [f["path"] for f in out["generate"]["files"]]
    say(f"generated in {out['generate']['seconds']:.0f} s; loading")
    out["load_average"]["load"] = os.getloadavg()[0]
    out["load"] = {"history": in_child(bench.load_history, str(db), paths[:-1], args.keep) if paths[:-1] else None,
                   "new_month": in_child(bench.load_new_month, str(db), paths[-1], args.keep)}
    history = out["load"]["history"]["months"] if out["load"]["history"] else []
    loaded = sum(m["rows"] for m in history) + out["load"]["new_month"]["rows"]
    out["rows"] = {"generated": sum(f["rows"] for f in out["generate"]["files"]), "loaded": loaded}
    if loaded != out["rows"]["generated"]:
        out["problems"].append(f"loaded {loaded:,} rows of {out['rows']['generated']:,} generated")


def verdicts(out: dict) -> list[dict]:
    """Each of issue #5's targets that this run measured: figure, target, PASS or MISS."""
    found = []

    def check(what: str, figure: float, target: float, unit: str, higher_is_better: bool = False) -> None:
        ok = figure >= target if higher_is_better else figure <= target
        found.append({"what": what, "figure": figure, "target": target, "unit": unit, "pass": ok})

    if "load" in out:
        new = out["load"]["new_month"]
        check("load one new month (copy, validate, write, derived tables, swap)", new["seconds"],
              TARGETS["new_month_s"], "s")
        peaks = [("load history", out["load"]["history"]), ("load one new month", new)]
        for name, phase in peaks:
            if phase:
                check(f"peak RSS {name}", phase["peak_rss"] / GIB, TARGETS["peak_rss_gb"], "GiB")
    for call in out.get("queries", {}).get("calls", []):
        if "median_ms" in call and call["page"] != "crosscheck":
            limit = TARGETS["list_ms" if call["kind"] == "list" else "aggregate_ms"]
            check(f"{call['page']} · {call['name']}", call["median_ms"], limit, "ms")
    if "queries" in out:
        check("peak RSS queries", out["queries"]["peak_rss"] / GIB, TARGETS["peak_rss_gb"], "GiB")
    for page in out.get("pages", {}).get("pages", []):
        if "cold_s" in page:
            check(f"page script {page['page']} (cold)", page["cold_s"], TARGETS["page_s"], "s")
    if "pages" in out:
        check("peak RSS pages", out["pages"]["peak_rss"] / GIB, TARGETS["peak_rss_gb"], "GiB")
    for name, ratio in ratios(out).items():
        if name != "customer_list":
            check(f"pandas / DuckDB {name}", ratio, TARGETS["ratio"], "x", higher_is_better=True)
    return found


def ratios(out: dict) -> dict[str, float]:
    if "baseline" not in out:
        return {}
    duck = {(c["page"], c["name"]): c.get("median_ms") for c in out["queries"]["calls"]}
    return {name: t["median_ms"] / duck[BASELINE[name]] for name, t in out["baseline"]["timings"].items()
            if duck.get(BASELINE[name])}


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def _gib(value: float | None) -> str:
    return "-" if value is None else f"{value / GIB:.2f} GiB"


def _status(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def format_table(out: dict) -> str:
    """The plain-text report: machine, load, analytics per page, page scripts, pandas baseline, memory, verdict."""
    m, size = out["machine"], out["size"]
    built = (f"{size['customers']:,} customers x {size['months']} months, seed {size['seed']}, last month {size['end']}"
             if size["customers"] else f"the existing database {out['db']} "
                                      f"({len(out.get('queries', {}).get('defaults', {}).get('periods', []))} months)")
    lines = [f"Benchmark (issue #5): {built}; targets are for 10M x 12",
             f"Machine: {m['cpus']} CPUs ({m['cpu_model']}), {m['ram_bytes'] / GIB:.1f} GiB RAM, Python {m['python']}, "
             f"DuckDB {m['duckdb']}, pandas {m['pandas']}, {m['system']}"]
    if out.get("load_average"):
        lines.append("1-minute load average before each phase (other work on the machine shows here): "
                     + ", ".join(f"{phase} {value:.1f}" for phase, value in out["load_average"].items()))
    if "queries" in out:
        f = out["queries"]["facts"]
        lines.append(f"DuckDB reader: threads {f['threads']}, memory_limit {f['memory_limit']}; "
                     f"{f['snapshot_rows']:,} snapshot rows")
    if "generate" in out:
        g = out["generate"]
        csv = sum(x["bytes"] for x in g["files"])
        lines += ["", f"LOAD  (extracts: {len(g['files'])} GBK CSV, {csv / GIB:.2f} GiB, generated in "
                      f"{g['seconds']:.0f} s)",
                  f"{'step':58s} {'rows':>12s} {'s':>8s} {'rows/s':>10s} {'peak RSS':>10s}"]
        history = out["load"]["history"]
        for month in history["months"] if history else []:
            lines.append(f"{'  month ' + month['period']:58s} {month['rows']:>12,} {month['seconds']:>8.1f} "
                         f"{month['rows'] / month['seconds']:>10,.0f}")
        if history:
            rows = sum(x["rows"] for x in history["months"])
            label = f"history: {len(history['months'])} months in one session (commit {history['commit_s']:.1f} s)"
            lines.append(f"{label:58s} {rows:>12,} {history['seconds']:>8.1f} {rows / history['seconds']:>10,.0f} "
                         f"{_gib(history['peak_rss']):>10s}")
        new = out["load"]["new_month"]
        limit = TARGETS["new_month_s"]
        lines.append(f"{'one new month ' + new['period'] + ' (own session)':58s} {new['rows']:>12,} "
                     f"{new['seconds']:>8.1f} {new['rows'] / new['seconds']:>10,.0f} {_gib(new['peak_rss']):>10s}"
                     f"   target <= {limit:.0f} s: {_status(new['seconds'] <= limit)}")
        lines.append(f"  of which: copy + open {new['copy_s']:.1f} s, validate + write + derived tables "
                     f"{new['load_s']:.1f} s, checkpoint + swap {new['commit_s']:.1f} s")
        before = history["db_bytes"] if history else None
        lines.append(f"database size: {_gib(before)} after the history, {_gib(new['db_bytes'])} with the new month "
                     f"({new['db_bytes'] / max(1, out['rows']['loaded']):.0f} bytes per row)")
        lines.append(f"rows: {out['rows']['generated']:,} generated, {out['rows']['loaded']:,} loaded, "
                     f"{out.get('queries', {}).get('facts', {}).get('snapshot_rows', '-'):,} in the database"
                     if "queries" in out else f"rows: {out['rows']['generated']:,} generated, "
                                              f"{out['rows']['loaded']:,} loaded")
    if "queries" in out:
        q = out["queries"]
        d = q["defaults"]
        lines += ["", f"ANALYTICS  (ms, sealed read-only reader, no Streamlit cache; median and p95 of {size['runs']} "
                      f"runs after a warm-up, 1st = the warm-up)",
                  f"defaults: quarter {d['quarter']} ({d['start']} -> {d['end']}), scope everything; "
                  f"quarter pair precomputed: {'yes' if q['facts']['default_pair_precomputed'] else 'NO'}; "
                  f"filtered list: branch {d['list_branch']}, tier {d['list_tier']}, "
                  f"AUM {d['list_aum_min']:,.0f}-{d['list_aum_max']:,.0f}",
                  f"{'page':10s} {'view':15s} {'call':66s} {'median':>8s} {'p95':>8s} {'1st':>8s} {'target':>7s}"]
        for c in q["calls"]:
            if "error" in c:
                lines.append(f"{c['page']:10s} {c['view']:15s} {c['name']:66s} ERROR {c['error']}")
                continue
            target = TARGETS["list_ms" if c["kind"] == "list" else "aggregate_ms"]
            verdict = "" if c["page"] == "crosscheck" else _status(c["median_ms"] <= target)
            lines.append(f"{c['page']:10s} {c['view']:15s} {c['name']:66s} {_ms(c['median_ms']):>8s} "
                         f"{_ms(c['p95_ms']):>8s} {_ms(c['first_ms']):>8s} {target:>7.0f} {verdict}")
        lines += ["", "PAGE ANALYTICS  (sum of the medians of what a page runs on opening, sidebar excluded)"]
        for page in bench.PAGES:
            mine = [c["median_ms"] for c in q["calls"] if c["page"] == page and c["view"] == "default"
                    and "median_ms" in c]
            lines.append(f"{page:10s} {_ms(sum(mine)):>8s} ms  ({len(mine)} call{'s' if len(mine) != 1 else ''})")
        sidebar = sum(c.get("median_ms", 0) for c in q["calls"] if c["page"] == "sidebar")
        lines.append(f"{'sidebar':10s} {_ms(sidebar):>8s} ms  (every page; cached by Streamlit but data_version)")
    if "pages" in out:
        lines += ["", f"PAGE SCRIPT RUNS  (AppTest on app.py, median of {size['page_runs']}; cold = st.cache_data "
                      f"cleared, warm = cached results)",
                  f"{'page':10s} {'cold s':>8s} {'warm s':>8s} {'target':>7s}"]
        for p in out["pages"]["pages"]:
            lines.append(f"{p['page']:10s} ERROR {p['error']}" if "error" in p else
                         f"{p['page']:10s} {p['cold_s']:>8.2f} {p['warm_s']:>8.2f} {TARGETS['page_s']:>7.1f} "
                         f"{_status(p['cold_s'] <= TARGETS['page_s'])}")
    if "baseline" in out:
        b = out["baseline"]
        duck = {(c["page"], c["name"]): c.get("median_ms") for c in out["queries"]["calls"]}
        found = ratios(out)
        lines += ["", f"BASELINE  (pandas on the same {b['rows']:,} rows held in memory: "
                      f"{b['memory_bytes'] / GIB:.2f} GiB, read in {b['read_s']:.1f} s, not timed)",
                  f"{'computation':20s} {'duckdb ms':>10s} {'pandas ms':>10s} {'ratio':>8s} {'target':>7s} "
                  f"{'status':6s} same answer"]
        for name, timing in b["timings"].items():
            ratio = found.get(name)
            target = "-" if name == "customer_list" else f">={TARGETS['ratio']:.0f}x"
            verdict = "" if name == "customer_list" or ratio is None else _status(ratio >= TARGETS["ratio"])
            lines.append(f"{name:20s} {_ms(duck.get(BASELINE[name])):>10s} {_ms(timing['median_ms']):>10s} "
                         f"{'-' if ratio is None else f'{ratio:,.1f}x':>8s} {target:>7s} {verdict:6s} "
                         f"{b['checks'].get(name, '-')}")
    peaks = [("generate", out.get("generate")), ("load history", (out.get("load") or {}).get("history")),
             ("load one new month", (out.get("load") or {}).get("new_month")), ("queries", out.get("queries")),
             ("page scripts", out.get("pages")), ("pandas baseline", out.get("baseline"))]
    lines += ["", "PEAK MEMORY  (RSS high-water mark of each phase's own process; target "
                  f"<= {TARGETS['peak_rss_gb']:.0f} GiB for loading, queries and pages)"]
    lines += [f"{name:20s} {_gib(phase['peak_rss']):>10s}" for name, phase in peaks if phase]
    missed = [v for v in out["verdicts"] if not v["pass"]]
    lines += ["", f"VERDICT: {len(out['verdicts']) - len(missed)} of {len(out['verdicts'])} targets met"
                  + (" at this size" if (size["customers"] or 0) < 10_000_000 else "")]
    lines += [f"  MISS {v['what']}: {v['figure']:,.2f} {v['unit']} (target {v['target']:,.0f} {v['unit']})"
              for v in missed]
    for plan in out.get("queries", {}).get("explain", []):
        lines += ["", f"EXPLAIN ANALYZE {plan['name']} (statements, ms: {plan['statements_ms']})", plan["plan"]]
    if out["problems"]:
        lines += ["", "PROBLEMS"] + [f"  {p}" for p in out["problems"]]
    lines.append(f"\n(bench took {out.get('total_s', 0):.0f} s)")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    out = measure(args)
    out["total_s"] = time.perf_counter() - started
    if args.json:
        print(json.dumps(out, indent=1, default=str))
    else:
        print(format_table(out))
    for problem in out["problems"]:
        print(f"bench: {problem}", file=sys.stderr)
    return 1 if out["problems"] else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analytics")
    add_parser(parser.add_subparsers(dest="command", required=True))
    return run(parser.parse_args(["bench", *(sys.argv[1:] if argv is None else argv)]))


if __name__ == "__main__":
    sys.exit(main())
