"""Issue #5's benchmark phases: generate a demo bank, load it through the real ingest path, time the analytics
every page calls at its default filters, and time whole page script runs.

Each phase runs in a process of its own (see `in_child`), so that the peak memory (RSS, the kernel's high-water
mark of that process) reported for loading, for queries and for pages belongs to that phase alone.
"""
from __future__ import annotations

import math
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from multiprocessing import get_context
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PAGE_SIZE = 50  # rows per page of the dashboard's lists (ui.widgets.PAGE_SIZE)
PAGES = ("overview", "tiers", "migration", "churn", "scorecard", "explorer", "data")  # as in app.py
SCRIPT_PAGES = (*PAGES, "audit")  # page scripts timed whole (audit reads the trail file, no analytics)
# issue #5's targets at 10M customers x 12 months
TARGETS = {"aggregate_ms": 50.0, "list_ms": 300.0, "page_s": 1.0, "new_month_s": 90.0, "peak_rss_gb": 6.0,
           "ratio": 20.0}


def in_child(function: Callable[..., Any], *args: Any) -> Any:
    """function(*args) in a fresh process (spawned: nothing inherited), so its peak RSS is its own."""
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(function, *args).result()


def peak_rss() -> int:
    """This process's peak resident memory in bytes (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def say(text: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def nearest_rank(values: list[float], share: float) -> float:
    """The nearest-rank percentile (p95 of 5 runs is the slowest)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def data_rows(path: Path) -> int:
    """Data rows of a CSV extract: its lines less the header (counted on the bytes, independently of the reader)."""
    lines, last = 0, b"\n"
    with open(path, "rb") as handle:
        while block := handle.read(1 << 24):
            lines += block.count(b"\n")
            last = block[-1:]
    return lines + (last != b"\n") - 1


# --- phase 1: generate -------------------------------------------------------------------------------------

def generate(out_dir: str, customers: int, months: int, end: date, seed: int) -> dict:
    from tools.demo_bank.simulate import generate_extracts

    started = time.perf_counter()
    paths = generate_extracts(Path(out_dir), customers=customers, months=months, end=end, seed=seed)
    seconds = time.perf_counter() - started
    files = [{"path": str(p), "bytes": p.stat().st_size, "rows": data_rows(p)} for p in paths]
    return {"seconds": seconds, "files": files, "peak_rss": peak_rss()}


# --- phase 2: load -----------------------------------------------------------------------------------------

def _loaded(result: Any) -> dict:
    if result.outcome != "loaded":
        raise RuntimeError(f"{result.file}: {result.outcome}: {'; '.join(map(str, result.problems[:5]))}")
    return {"file": Path(result.file).name, "period": result.periods[0].isoformat(), "rows": result.rows}


def load_history(db: str, paths: list[str], keep: bool) -> dict:
    """Every month but the last in one writing() session (each file its own transaction), as `load` does."""
    from analytics.store.generations import writing
    from analytics.store.load import load_files

    months = []
    started = time.perf_counter()
    with writing(Path(db)) as con:
        opened = time.perf_counter() - started
        for path in map(Path, paths):
            before = time.perf_counter()
            [result] = load_files(con, [path])
            months.append(_loaded(result) | {"seconds": time.perf_counter() - before})
            say(f"loaded {path.name}: {result.rows:,} rows in {months[-1]['seconds']:.1f} s")
            if not keep:
                path.unlink()
        closing = time.perf_counter()
    return {"months": months, "open_s": opened, "commit_s": time.perf_counter() - closing,
            "seconds": time.perf_counter() - started, "db_bytes": os.path.getsize(db), "peak_rss": peak_rss()}


def load_new_month(db: str, path: str, keep: bool) -> dict:
    """One new month in its own writing() session: copy of the database, load, checkpoint and swap."""
    from analytics.store.generations import writing
    from analytics.store.load import load_files

    started = time.perf_counter()
    with writing(Path(db)) as con:
        copied = time.perf_counter()
        [result] = load_files(con, [Path(path)])
        loaded = time.perf_counter()
    done = time.perf_counter()
    say(f"loaded the new month {Path(path).name}: {result.rows:,} rows in {done - started:.1f} s")
    if not keep:
        Path(path).unlink()
    return _loaded(result) | {"copy_s": copied - started, "load_s": loaded - copied, "commit_s": done - loaded,
                              "seconds": done - started, "db_bytes": os.path.getsize(db), "peak_rss": peak_rss()}


# --- phase 3: the analytics of every page ------------------------------------------------------------------

@dataclass(frozen=True)
class Call:
    page: str       # a page of the dashboard, "sidebar" (every page), "lists" or "crosscheck"
    view: str       # "default" (what the page runs on opening) or the tab / filter it belongs to
    name: str
    kind: str       # aggregate (<= 50 ms) | list (<= 300 ms)
    run: Callable[[Any], Any]


def defaults(con: Any) -> dict:
    """The sidebar's defaults (newest comparable quarter, its start and end) and the filtered list's filters."""
    from analytics.lists import explorer
    from analytics.store import schema as store
    from analytics.core.periods import quarter_snapshots
    from analytics.core.sql import fetch_rows

    periods = store.periods(con)
    quarters = explorer.quarters(con)
    quarter = quarters[0] if quarters else None
    start, end = quarter_snapshots(periods, quarter) if quarter else (None, periods[-1])
    policy = store.current_policy(con)
    tier = policy.tiers[min(2, len(policy.tiers) - 1)]
    low = float(tier.min_aum)
    branch = fetch_rows(con, "select branch_id from tier_summary where period = $end group by branch_id "
                             "order by sum(customers) desc, branch_id limit 1", {"end": end})[0][0]
    return {"periods": [p.isoformat() for p in periods], "quarter": quarter,
            "start": start.isoformat() if start else None, "end": end.isoformat(),
            "list_branch": branch, "list_tier": tier.code, "list_aum_min": low,
            "list_aum_max": low * 1.5 if low > 0 else 50_000.0}


def calls(d: dict) -> list[Call]:
    """What each page calls at its default filters (views/*.py and the sidebar), plus its other tabs and lists."""
    from analytics.lists import actions, explorer
    from analytics.store import catalog, schema as store
    from analytics.metrics import churn, distribution, migration, retention, scorecard
    from analytics.lists.explorer import CustomerFilter
    from analytics.core.scope import Scope

    s = Scope()
    periods = [date.fromisoformat(p) for p in d["periods"]]
    end = date.fromisoformat(d["end"])
    start = date.fromisoformat(d["start"]) if d["start"] else None
    quarter = d["quarter"]
    branch_scope = Scope(branches=frozenset({d["list_branch"]}))
    chosen = CustomerFilter(tiers=(d["list_tier"],), aum_min=d["list_aum_min"], aum_max=d["list_aum_max"])
    falling = CustomerFilter(tiers=(d["list_tier"],), change_months=3, change_max=-0.2)

    def listed(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Callable[[Any], Any]:
        """A list as a page shows it: the count (limit 0) for the pager, then the first page."""
        return lambda con: (function(con, *args, **kwargs, limit=0),
                            function(con, *args, **kwargs, limit=PAGE_SIZE, offset=0))

    def projection(con: Any) -> Any:
        try:
            return migration.project_distribution(con, periods[0], end, 4, s, "quarter")
        except ValueError:
            return migration.project_distribution(con, periods[0], end, 3, s, "period")

    found = [
        Call("sidebar", "default", "data_version", "aggregate", explorer.data_version),
        Call("sidebar", "default", "periods", "aggregate", store.periods),
        Call("sidebar", "default", "quarters", "aggregate", explorer.quarters),
        Call("sidebar", "default", "policy_in_force", "aggregate", store.policy_in_force),
        Call("overview", "default", "tier_distribution (all periods)", "aggregate",
             lambda con: distribution.tier_distribution(con, s)),
        Call("tiers", "default", "tier_distribution (branch, end)", "aggregate",
             lambda con: distribution.tier_distribution(con, s, "branch", [end])),
        Call("tiers", "bands tab", "band_concentration", "aggregate",
             lambda con: distribution.band_concentration(con, end, s, False)),
        Call("tiers", "bands tab", "lorenz_curve", "aggregate", lambda con: distribution.lorenz_curve(con, end, s)),
        Call("tiers", "bands tab", "gini", "aggregate", lambda con: distribution.gini(con, end, s)),
        Call("tiers", "cards tab", "card_distribution", "aggregate",
             lambda con: distribution.card_distribution(con, end, s)),
        Call("tiers", "candidates tab", "upgrade_candidates (10%, count + page 1)", "list",
             listed(actions.upgrade_candidates, end, s, 0.1)),
        Call("explorer", "default", "find_customers (no filter, count + page 1)", "list",
             listed(explorer.find_customers, end, s, CustomerFilter(), "aum", True)),
        Call("data", "default", "load_history", "aggregate", catalog.load_history),
        Call("data", "default", "period_quality", "aggregate", catalog.period_quality),
        Call("lists", "explorer", "find_customers (1 branch + tier + AUM range, count + page 1)", "list",
             listed(explorer.find_customers, end, branch_scope, chosen, "aum", True)),
        Call("lists", "explorer", "find_customers (tier, AUM down >= 20% over 3 months, count + page 1)", "list",
             listed(explorer.find_customers, end, s, falling, "aum", True)),
    ]
    if quarter is not None:
        found += [
            Call("overview", "default", "quarter_overview", "aggregate",
                 lambda con: explorer.quarter_overview(con, quarter, s)),
            Call("tiers", "cards tab", "vip_growth", "aggregate",
                 lambda con: distribution.vip_growth(con, start, end, s)),
            Call("migration", "default", "migration_matrix (quarter)", "aggregate",
                 lambda con: migration.migration_matrix(con, start, end, s)),
            Call("migration", "projection tab", "project_distribution", "aggregate", projection),
            Call("churn", "default", "churn_by_unit (branch)", "aggregate",
                 lambda con: churn.churn_by_unit(con, start, end, "branch", s, False)),
            Call("churn", "default", "churn_by_unit (tier)", "aggregate",
                 lambda con: churn.churn_by_unit(con, start, end, None, s, True)),
            Call("churn", "default", "churn_by_unit (branch x tier)", "aggregate",
                 lambda con: churn.churn_by_unit(con, start, end, "branch", s, True)),
            Call("churn", "triangle tab", "retention_triangle", "aggregate",
                 lambda con: retention.retention_triangle(con, s)),
            Call("churn", "survival tab", "survival_by_tier", "aggregate",
                 lambda con: retention.survival_by_tier(con, s)),
            Call("scorecard", "default", "quarter_scorecard (branch, with previous quarter)", "aggregate",
                 lambda con: scorecard.quarter_scorecard(con, quarter, "branch", s)),
            Call("scorecard", "manager level", "quarter_scorecard (manager)", "aggregate",
                 lambda con: scorecard.quarter_scorecard(con, quarter, "manager", s)),
            Call("crosscheck", "pandas baseline", "scorecard (branch, one quarter)", "aggregate",
                 lambda con: scorecard.scorecard(con, start, end, "branch", s)),
            Call("lists", "churn", "at_risk_customers (3 months, 20%, count + page 1)", "list",
                 listed(actions.at_risk_customers, end, s, 3, 0.2)),
            Call("lists", "churn", "churned_high_value (count + page 1)", "list",
                 listed(actions.churned_high_value, start, end, s)),
            Call("lists", "migration", "migration_customers (moved down, count + page 1)", "list",
                 listed(explorer.migration_customers, start, end, s, move="down")),
        ]
    order = {page: i for i, page in enumerate(("sidebar", *PAGES, "lists", "crosscheck"))}
    return sorted(found, key=lambda c: (order[c.page], c.view != "default"))


def time_call(con: Any, call: Call, runs: int) -> dict:
    """One warm-up run (its time is `first_ms`), then `runs` timed runs: median and p95."""
    row = {"page": call.page, "view": call.view, "name": call.name, "kind": call.kind}
    try:
        started = time.perf_counter()
        call.run(con)
        row["first_ms"] = (time.perf_counter() - started) * 1000
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            call.run(con)
            times.append((time.perf_counter() - started) * 1000)
    except Exception as exc:  # reported in the table; the bench then exits 1
        return row | {"error": f"{type(exc).__name__}: {exc}"}
    return row | {"median_ms": statistics.median(times), "p95_ms": nearest_rank(times, 0.95)}


def query_phase(db: str, runs: int, explain: bool) -> dict:
    """Every call of `calls` on the dashboard's sealed read-only connection (open_current_reader)."""
    from analytics.store.generations import open_current_reader
    from analytics.core.sql import fetch_rows

    con = open_current_reader(Path(db))
    d = defaults(con)
    results = []
    for call in calls(d):
        results.append(time_call(con, call, runs))
        say(f"{call.page} · {call.name}: {results[-1].get('median_ms', float('nan')):.1f} ms")
    built = fetch_rows(con, "select period_from, period_to from period_pair")
    pairs = {(a.isoformat(), b.isoformat()) for a, b in built}
    facts = {
        "snapshot_rows": fetch_rows(con, "select count(*) from customer_snapshot")[0][0],
        "threads": fetch_rows(con, "select current_setting('threads')")[0][0],
        "memory_limit": fetch_rows(con, "select current_setting('memory_limit')")[0][0],
        "default_pair_precomputed": d["start"] is None or (d["start"], d["end"]) in pairs,
    }
    plans = explain_slow(con, d, results) if explain else []
    con.close()
    return {"defaults": d, "calls": results, "facts": facts, "explain": plans, "peak_rss": peak_rss()}


def explain_slow(con: Any, d: dict, results: list[dict]) -> list[dict]:
    """For each call over its target: its statements timed one by one and the slowest one's EXPLAIN ANALYZE."""
    by_name = {c.name: c for c in calls(d)}
    plans = []
    for row in results:
        target = TARGETS["list_ms" if row["kind"] == "list" else "aggregate_ms"]
        if row.get("median_ms", 0) <= target:
            continue
        recorder = Recorder(con)
        by_name[row["name"]].run(recorder)
        timed = recorder.timed()
        sql, params, _ = max(timed, key=lambda t: t[2])
        plans.append({"name": row["name"], "statements_ms": [round(t[2], 1) for t in timed],
                      "slowest_sql": sql, "plan": recorder.explain(sql, params)})
    return plans


class Recorder:
    """A connection stand-in that runs each statement on `con` and remembers it (results are read through it)."""

    def __init__(self, con: Any, statements: list | None = None):
        self._con, self.statements = con, [] if statements is None else statements

    def cursor(self) -> "Recorder":
        return Recorder(self._con.cursor(), self.statements)

    def execute(self, sql: str, params: Any = None) -> "Recorder":
        self.statements.append((sql, params))
        self._con.execute(sql, params) if params is not None else self._con.execute(sql)
        return self

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)

    def timed(self) -> list[tuple[str, Any, float]]:
        out = []
        for sql, params in self.statements:
            cursor = self._con.cursor()
            started = time.perf_counter()
            (cursor.execute(sql, params) if params is not None else cursor.execute(sql)).fetchall()
            out.append((sql, params, (time.perf_counter() - started) * 1000))
            cursor.close()
        return out

    def explain(self, sql: str, params: Any) -> str:
        cursor = self._con.cursor()
        rows = (cursor.execute(f"explain analyze {sql}", params) if params is not None
                else cursor.execute(f"explain analyze {sql}")).fetchall()
        cursor.close()
        return "\n".join(str(r[-1]) for r in rows)


# --- phase 4: whole page script runs -----------------------------------------------------------------------

def audit_trail(db: str) -> str:
    return f"{db}.bench-audit.jsonl"


def page_run_seconds(page: str, cold: bool, query: dict[str, str] | None = None, timeout: float = 1800,
                     require_content: bool = True) -> float:
    """One script run of views/<page>.py through AppTest (BANK_DB already set), after the app's first run;
    cold clears st.cache_data first. A page with an exception is an error, and so is one with no table and
    no metric when content is required (a default view; e.g. a sign-in form instead)."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=timeout)
    at.query_params.update(query or {})
    at.run()
    at.switch_page(f"views/{page}.py")
    if cold:
        st.cache_data.clear()
    started = time.perf_counter()
    at.run()
    elapsed = time.perf_counter() - started
    if at.exception:
        raise RuntimeError(f"page {page} {query or ''}: {at.exception[0].value}")
    if require_content and not (len(at.dataframe) or len(at.metric)):
        raise RuntimeError(f"page {page} showed no table and no metric: {[e.value for e in at.error]}")
    return elapsed


def page_phase(db: str, runs: int) -> dict:
    """Median script run of each page through AppTest on `db`: cold (st.cache_data cleared) and warm (cached)."""
    os.environ["BANK_DB"] = db
    os.environ["BANK_AUDIT"] = audit_trail(db)  # page views go to the bench's own trail, never the bank's
    sys.path.insert(0, str(PROJECT_ROOT))
    from streamlit import config, logger

    config.set_option("logger.level", "error")  # else each run resets it to info (bare-mode warnings)
    logger.set_log_level("error")

    def timed(page: str, cold: bool) -> float:
        return page_run_seconds(page, cold)

    pages = []
    for page in (p for p in SCRIPT_PAGES if (PROJECT_ROOT / "views" / f"{p}.py").exists()):
        try:
            timed(page, cold=False)  # imports, the connection, the sidebar's cached lookups
            cold = [timed(page, cold=True) for _ in range(runs)]
            warm = [timed(page, cold=False) for _ in range(runs)]
        except Exception as exc:
            pages.append({"page": page, "error": f"{type(exc).__name__}: {exc}"})
            continue
        pages.append({"page": page, "cold_s": statistics.median(cold), "warm_s": statistics.median(warm)})
        say(f"page {page}: cold {pages[-1]['cold_s']:.2f} s, warm {pages[-1]['warm_s']:.2f} s")
    return {"pages": pages, "peak_rss": peak_rss()}
