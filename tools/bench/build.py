"""The bench's bank: a demo bank generated as CSV extracts, then loaded through the real ingest path.

Every month but the last in one writing() session (each file its own transaction), as `python -m analytics load`
does; the last month as "one new month" in a session of its own (copy of the database, load, checkpoint, swap).
"""

from __future__ import annotations

import os
import shutil
import time
from datetime import date
from pathlib import Path
from typing import Any

from tools.bench.floors import load_floor
from tools.bench.process import GIB, in_child, peak_rss, say

CSV_BYTES_PER_ROW = 230  # the demo's GBK extracts, measured


def data_rows(path: Path) -> int:
    """Data rows of a CSV extract: its lines less the header (counted on the bytes, independently of the reader)."""
    lines, last = 0, b"\n"
    with open(path, "rb") as handle:
        while block := handle.read(1 << 24):
            lines += block.count(b"\n")
            last = block[-1:]
    return lines + (last != b"\n") - 1


def generate(out_dir: str, customers: int, months: int, end: date, seed: int) -> dict:
    from tools.demo_bank.simulate import generate_extracts

    started = time.perf_counter()
    paths = generate_extracts(Path(out_dir), customers=customers, months=months, end=end, seed=seed)
    seconds = time.perf_counter() - started
    files = [{"path": str(p), "bytes": p.stat().st_size, "rows": data_rows(p)} for p in paths]
    return {"seconds": seconds, "files": files, "peak_rss": peak_rss()}


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
    return {
        "months": months,
        "open_s": opened,
        "commit_s": time.perf_counter() - closing,
        "seconds": time.perf_counter() - started,
        "db_bytes": os.path.getsize(db),
        "peak_rss": peak_rss(),
    }


def load_new_month(db: str, path: str, keep: bool) -> dict:
    """One new month in its own writing() session, as `load` runs it: the file decoded while the database is
    copied, load, checkpoint and swap."""
    from analytics.store.generations import writing
    from analytics.store.load import ReadAhead, load_files

    started = time.perf_counter()
    with ReadAhead([Path(path)]) as upcoming, writing(Path(db)) as con:
        copied = time.perf_counter()
        [result] = load_files(con, upcoming, count=1)
        loaded = time.perf_counter()
    done = time.perf_counter()
    say(f"loaded the new month {Path(path).name}: {result.rows:,} rows in {done - started:.1f} s")
    if not keep:
        Path(path).unlink()
    return _loaded(result) | {
        "copy_s": copied - started,
        "load_s": loaded - copied,
        "commit_s": done - loaded,
        "seconds": done - started,
        "db_bytes": os.path.getsize(db),
        "peak_rss": peak_rss(),
    }


def build(out: dict, workdir: Path, db: Path, customers: int, months: int, end: date, seed: int, keep: bool) -> None:
    """Generates into WORKDIR/extracts and loads into `db`, each phase in its own process; the results, the
    load averages before them and any row count that disagrees go into `out`."""
    need = CSV_BYTES_PER_ROW * customers * months
    free = shutil.disk_usage(workdir).free
    if need * 1.6 > free:  # extracts, plus a database about half their size (twice during the last load)
        say(f"warning: about {need / GIB:.1f} GiB of extracts and a database to write, {free / GIB:.1f} GiB free")
    out["load_average"]["generate"] = os.getloadavg()[0]
    say(f"generating {customers:,} customers x {months} months into {workdir / 'extracts'}")
    out["generate"] = in_child(generate, str(workdir / "extracts"), customers, months, end, seed)
    paths = [f["path"] for f in out["generate"]["files"]]
    say(f"generated in {out['generate']['seconds']:.0f} s; loading")
    out["load_average"]["load"] = os.getloadavg()[0]
    out["floors"] = {"load": in_child(load_floor, paths[-1])}  # before the load, which may remove the file
    out["load"] = {
        "history": in_child(load_history, str(db), paths[:-1], keep) if paths[:-1] else None,
        "new_month": in_child(load_new_month, str(db), paths[-1], keep),
    }
    say("what-if and re-tiering the history under a buffered policy")
    out["what_if"] = in_child(what_if, str(db))
    out["retier"] = in_child(retier_history, str(db))
    history = out["load"]["history"]["months"] if out["load"]["history"] else []
    loaded = sum(m["rows"] for m in history) + out["load"]["new_month"]["rows"]
    out["rows"] = {"generated": sum(f["rows"] for f in out["generate"]["files"]), "loaded": loaded}
    if loaded != out["rows"]["generated"]:
        out["problems"].append(f"loaded {loaded:,} rows of {out['rows']['generated']:,} generated")


def buffered_policy() -> Any:
    """data/policy.toml with the downgrade buffer of its comment switched on (10%, second month end)."""
    from analytics.core.policy import load_policy, parse_policy

    default = load_policy()
    return parse_policy(default.text + "\n[tiering]\ndowngrade_margin = 0.10\ndowngrade_after = 2\n", "buffered.toml")


def retier_history(db: str) -> dict:
    """The whole history re-tiered under the buffered policy and back under the default one, each in its own
    writing() session (copy, re-tier, derived tables, swap), as `load --policy` does."""
    from analytics.core.policy import load_policy
    from analytics.store.generations import writing
    from analytics.store.write import apply_policy

    timings: dict[str, Any] = {"load_average": os.getloadavg()[0]}
    for name, policy in (("buffer_on_s", buffered_policy()), ("buffer_off_s", load_policy())):
        started = time.perf_counter()
        with writing(Path(db)) as con:
            apply_policy(con, policy)
        timings[name] = time.perf_counter() - started
        say(f"re-tiered the history ({name}) in {timings[name]:.1f} s (load average {os.getloadavg()[0]:.1f})")
    return timings | {"peak_rss": peak_rss()}


def what_if(db: str) -> dict:
    """The policy simulator's question on the latest quarter under the buffered policy: the store in memory, the
    comparison and the customers who would change tier, as the page computes them."""
    from analytics.core.periods import latest_complete_quarter, quarter_snapshots
    from analytics.core.scope import Scope
    from analytics.metrics.whatif import compare_policies, tier_changes, what_if_store
    from analytics.store.catalog import loaded_periods
    from analytics.store.generations import open_current_reader

    con = open_current_reader(Path(db))
    periods = loaded_periods(con)
    start, end = quarter_snapshots(periods, latest_complete_quarter(periods))
    started = time.perf_counter()
    scratch = what_if_store(con, Path(db), buffered_policy(), "scorecard", start=start, end=end)
    built = time.perf_counter()
    compare_policies(con, scratch, start, end, Scope())
    changes = tier_changes(scratch, end, Scope())
    done = time.perf_counter()
    say(f"what-if of the latest quarter: {done - started:.1f} s ({len(changes):,} customers change)")
    return {"store_s": built - started, "seconds": done - started, "changed": len(changes), "peak_rss": peak_rss()}
