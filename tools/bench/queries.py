"""The analytics phase: every call of tools.bench.calls timed on the dashboard's sealed read-only connection
(no Streamlit cache), and for the calls over their target the statements they ran with the slowest one's plan."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import Any

from tools.bench.calls import Call, calls, defaults
from tools.bench.floors import scan_floor
from tools.bench.process import peak_rss, say
from tools.bench.targets import call_target
from tools.bench.timing import repeated


def time_call(con: Any, call: Call, runs: int) -> dict:
    """One warm-up run (its time is `first_ms`), then `runs` timed runs: median and p95."""
    row = {"page": call.page, "view": call.view, "name": call.name, "kind": call.kind}
    try:
        _, first_ms, timing = repeated(lambda: call.run(con), runs)
    except Exception as exc:  # reported in the table; the bench then exits 1
        return row | {"error": f"{type(exc).__name__}: {exc}"}
    return row | {"first_ms": first_ms} | timing


def query_phase(db: str, runs: int, explain: bool) -> dict:
    """Every call of `calls` on the dashboard's sealed read-only connection (open_current_reader)."""
    from analytics.core.sql import fetch_rows
    from analytics.store.generations import open_current_reader

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
    floor = scan_floor(con, date.fromisoformat(d["end"]), runs)
    say(f"scan floor (one month's rows): {floor['median_ms']:.1f} ms")
    plans = explain_slow(con, d, results) if explain else []
    con.close()
    return {
        "defaults": d,
        "calls": results,
        "facts": facts,
        "scan_floor": floor,
        "explain": plans,
        "peak_rss": peak_rss(),
    }


def explain_slow(con: Any, d: dict, results: list[dict]) -> list[dict]:
    """For each call over its target: its statements timed one by one and the slowest one's EXPLAIN ANALYZE."""
    by_name = {c.name: c for c in calls(d)}
    plans = []
    for row in results:
        if row.get("median_ms", 0) <= call_target(row):
            continue
        recorder = Recorder(con)
        by_name[row["name"]].run(recorder)
        timed = recorder.timed()
        sql, params, _ = max(timed, key=lambda t: t[2])
        plans.append(
            {
                "name": row["name"],
                "statements_ms": [round(t[2], 1) for t in timed],
                "slowest_sql": sql,
                "plan": recorder.explain(sql, params),
            }
        )
    return plans


class Recorder:
    """A connection stand-in that runs each statement on `con` and remembers it (results are read through it)."""

    def __init__(self, con: Any, statements: list | None = None):
        self._con, self.statements = con, [] if statements is None else statements

    def cursor(self) -> Recorder:
        return Recorder(self._con.cursor(), self.statements)

    def execute(self, sql: str, params: Any = None) -> Recorder:
        self.statements.append((sql, params))
        self._con.execute(sql, params) if params is not None else self._con.execute(sql)
        return self

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)

    def _run(self, sql: str, params: Any) -> list:
        cursor = self._con.cursor()
        try:
            return (cursor.execute(sql, params) if params is not None else cursor.execute(sql)).fetchall()
        finally:
            cursor.close()

    def timed(self) -> list[tuple[str, Any, float]]:
        """Each remembered statement run again on its own cursor: (sql, params, ms)."""
        out = []
        for sql, params in self.statements:
            started = time.perf_counter()
            self._run(sql, params)
            out.append((sql, params, (time.perf_counter() - started) * 1000))
        return out

    def explain(self, sql: str, params: Any) -> str:
        return "\n".join(str(r[-1]) for r in self._run(f"explain analyze {sql}", params))
