"""What this host can do at best, measured in the same run as the product so that figures from different hosts
compare as ratios: a load against decoding its file plus DuckDB's own multi-threaded read and one sorted write, a
two-month list against one scan of a month's rows, a page run against an empty Streamlit page."""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from tools.bench.process import peak_rss, say
from tools.bench.timing import repeated

DECODE_BLOCK = 1 << 24  # characters per read while transcoding


def load_floor(path: str) -> dict:
    """The least a load of `path` must do: GB18030 -> UTF-8 (as the product transcodes), DuckDB's read_csv of the
    text into a table (all threads, types detected), one write of it sorted as the store keeps it, checkpointed."""
    import duckdb

    with tempfile.TemporaryDirectory(prefix="bench-floor-") as folder:
        text = Path(folder) / "decoded.csv"
        started = time.perf_counter()
        with open(path, encoding="gb18030", newline="") as source, open(text, "w", encoding="utf-8") as target:
            while block := source.read(DECODE_BLOCK):
                target.write(block)
        decoded = time.perf_counter()
        con = duckdb.connect(str(Path(folder) / "floor.duckdb"))
        con.execute("create temp table raw as select * from read_csv($path, header = true)", {"path": str(text)})
        read = time.perf_counter()
        keys = [c for c in ("period", "branch_id", "customer_id") if c in _columns(con)]
        con.execute(f"create table written as select * from raw order by {', '.join(keys) or 'all'}")
        con.execute("checkpoint")
        con.close()
        done = time.perf_counter()
    say(f"load floor: decode {decoded - started:.1f} s, read {read - decoded:.1f} s, sorted write {done - read:.1f} s")
    return {
        "decode_s": decoded - started,
        "read_s": read - decoded,
        "write_s": done - read,
        "seconds": done - started,
        "peak_rss": peak_rss(),
    }


def _columns(con: Any) -> set[str]:
    return {row[0] for row in con.execute("select column_name from (describe raw)").fetchall()}


def scan_floor(con: Any, period: date, runs: int) -> dict:
    """One scan of a month's rows over the columns a list reads (keys, units, tier path, AUM), aggregated so that
    nothing is projected away; median and p95 of `runs` after a warm-up."""
    sql = (
        "select count(*), max(customer_id), max(branch_id), max(manager_id), sum(aum), max(tier), max(strikes), "
        "bit_or(maintained_rules) from customer_snapshot where period = $period"
    )
    _, first_ms, timing = repeated(lambda: con.execute(sql, {"period": period}).fetchall(), runs)
    return {"first_ms": first_ms} | timing


EMPTY_PAGE = "import streamlit as st\nst.title('floor')\n"


def page_floor(runs: int) -> dict:
    """An empty Streamlit page (a title) run through AppTest, as the bench runs each page: median seconds."""
    from streamlit.testing.v1 import AppTest

    times = []
    at = AppTest.from_string(EMPTY_PAGE)
    at.run()
    for _ in range(runs):
        started = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - started)
    return {"seconds": statistics.median(times)}
