"""The bench's plain-text report: machine, load, analytics per page, page scripts, pandas baseline, memory and
the verdict on every target, one section each."""

from __future__ import annotations

from tools.bench.baseline import BASELINE
from tools.bench.pages import PAGES
from tools.bench.process import GIB
from tools.bench.targets import TARGETS, call_target, floor_ratios, ratios


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def _gib(value: float | None) -> str:
    return "-" if value is None else f"{value / GIB:.2f} GiB"


def _status(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def _heading(out: dict) -> list[str]:
    m, size = out["machine"], out["size"]
    built = (
        f"{size['customers']:,} customers x {size['months']} months, seed {size['seed']}, last month {size['end']}"
        if size["customers"]
        else f"the existing database {out['db']} "
        f"({len(out.get('queries', {}).get('defaults', {}).get('periods', []))} months)"
    )
    lines = [
        f"Benchmark: {built}; the targets are for 10M customers x 12 months",
        f"Machine: {m['cpus']} CPUs ({m['cpu_model']}), {m['ram_bytes'] / GIB:.1f} GiB RAM, Python {m['python']}, "
        f"DuckDB {m['duckdb']}, pandas {m['pandas']}, {m['system']}",
    ]
    if out.get("load_average"):
        lines.append(
            "1-minute load average before each phase (other work on the machine shows here): "
            + ", ".join(f"{phase} {value:.1f}" for phase, value in out["load_average"].items())
        )
    if "queries" in out:
        f = out["queries"]["facts"]
        lines.append(
            f"DuckDB reader: threads {f['threads']}, memory_limit {f['memory_limit']}; "
            f"{f['snapshot_rows']:,} snapshot rows"
        )
    return lines


def _load(out: dict) -> list[str]:
    g = out["generate"]
    csv = sum(x["bytes"] for x in g["files"])
    lines = [
        "",
        f"LOAD  (extracts: {len(g['files'])} GBK CSV, {csv / GIB:.2f} GiB, generated in {g['seconds']:.0f} s)",
        f"{'step':58s} {'rows':>12s} {'s':>8s} {'rows/s':>10s} {'peak RSS':>10s}",
    ]
    history = out["load"]["history"]
    for month in history["months"] if history else []:
        lines.append(
            f"{'  month ' + month['period']:58s} {month['rows']:>12,} {month['seconds']:>8.1f} "
            f"{month['rows'] / month['seconds']:>10,.0f}"
        )
    if history:
        rows = sum(x["rows"] for x in history["months"])
        label = f"history: {len(history['months'])} months in one session (commit {history['commit_s']:.1f} s)"
        lines.append(
            f"{label:58s} {rows:>12,} {history['seconds']:>8.1f} {rows / history['seconds']:>10,.0f} "
            f"{_gib(history['peak_rss']):>10s}"
        )
    new = out["load"]["new_month"]
    limit = TARGETS["new_month_s"]
    lines.append(
        f"{'one new month ' + new['period'] + ' (own session)':58s} {new['rows']:>12,} "
        f"{new['seconds']:>8.1f} {new['rows'] / new['seconds']:>10,.0f} {_gib(new['peak_rss']):>10s}"
        f"   target <= {limit:.0f} s: {_status(new['seconds'] <= limit)}"
    )
    lines.append(
        f"  of which: copy + open {new['copy_s']:.1f} s, validate + write + derived tables "
        f"{new['load_s']:.1f} s, checkpoint + swap {new['commit_s']:.1f} s"
    )
    before = history["db_bytes"] if history else None
    lines.append(
        f"database size: {_gib(before)} after the history, {_gib(new['db_bytes'])} with the new month "
        f"({new['db_bytes'] / max(1, out['rows']['loaded']):.0f} bytes per row)"
    )
    if "retier" in out:
        r = out["retier"]
        lines.append(
            f"{'re-tier the whole history: buffer on / off (own sessions)':58s} {'':>12s} "
            f"{r['buffer_on_s']:>8.1f} / {r['buffer_off_s']:.1f} s   target <= {TARGETS['retier_s']:.0f} s each: "
            f"{_status(max(r['buffer_on_s'], r['buffer_off_s']) <= TARGETS['retier_s'])}"
        )
    if "what_if" in out:
        w = out["what_if"]
        lines.append(
            f"{'what-if of the latest quarter, buffered policy (simulator)':58s} {w['changed']:>12,} "
            f"{w['seconds']:>8.1f} (store {w['store_s']:.1f} s)   target <= {TARGETS['what_if_s']:.0f} s: "
            f"{_status(w['seconds'] <= TARGETS['what_if_s'])}"
        )
    counted = f"rows: {out['rows']['generated']:,} generated, {out['rows']['loaded']:,} loaded"
    if "queries" in out:
        counted += f", {out['queries']['facts']['snapshot_rows']:,} in the database"
    return [*lines, counted]


def _analytics(out: dict) -> list[str]:
    q, runs = out["queries"], out["size"]["runs"]
    d = q["defaults"]
    lines = [
        "",
        f"ANALYTICS  (ms, sealed read-only reader, no Streamlit cache; median and p95 of {runs} runs after a "
        f"warm-up, 1st = the warm-up)",
        f"defaults: quarter {d['quarter']} ({d['start']} -> {d['end']}), scope everything; "
        f"quarter pair precomputed: {'yes' if q['facts']['default_pair_precomputed'] else 'NO'}; "
        f"filtered list: branch {d['list_branch']}, tier {d['list_tier']}, "
        f"AUM {d['list_aum_min']:,.0f}-{d['list_aum_max']:,.0f}",
        f"{'page':10s} {'view':15s} {'call':66s} {'median':>8s} {'p95':>8s} {'1st':>8s} {'target':>7s}",
    ]
    for c in q["calls"]:
        if "error" in c:
            lines.append(f"{c['page']:10s} {c['view']:15s} {c['name']:66s} ERROR {c['error']}")
            continue
        target = call_target(c)
        verdict = "" if c["page"] == "crosscheck" else _status(c["median_ms"] <= target)
        lines.append(
            f"{c['page']:10s} {c['view']:15s} {c['name']:66s} {_ms(c['median_ms']):>8s} "
            f"{_ms(c['p95_ms']):>8s} {_ms(c['first_ms']):>8s} {target:>7.0f} {verdict}"
        )
    lines += ["", "PAGE ANALYTICS  (sum of the medians of what a page runs on opening, sidebar excluded)"]
    for page in PAGES:
        mine = [c["median_ms"] for c in q["calls"] if c["page"] == page and c["view"] == "default" and "median_ms" in c]
        lines.append(f"{page:10s} {_ms(sum(mine)):>8s} ms  ({len(mine)} call{'s' if len(mine) != 1 else ''})")
    sidebar = sum(c.get("median_ms", 0) for c in q["calls"] if c["page"] == "sidebar")
    lines.append(f"{'sidebar':10s} {_ms(sidebar):>8s} ms  (every page; cached by Streamlit but data_version)")
    return lines


def _pages(out: dict) -> list[str]:
    lines = [
        "",
        f"PAGE SCRIPT RUNS  (AppTest on app.py, median of {out['size']['page_runs']}; cold = st.cache_data "
        f"cleared, warm = cached results)",
        f"{'page':10s} {'cold s':>8s} {'warm s':>8s} {'target':>7s}",
    ]
    for p in out["pages"]["pages"]:
        lines.append(
            f"{p['page']:10s} ERROR {p['error']}"
            if "error" in p
            else f"{p['page']:10s} {p['cold_s']:>8.2f} {p['warm_s']:>8.2f} {TARGETS['page_s']:>7.1f} "
            f"{_status(p['cold_s'] <= TARGETS['page_s'])}"
        )
    return lines


def _baseline(out: dict) -> list[str]:
    b = out["baseline"]
    duck = {(c["page"], c["name"]): c.get("median_ms") for c in out["queries"]["calls"]}
    found = ratios(out)
    lines = [
        "",
        f"BASELINE  (pandas on the same {b['rows']:,} rows held in memory: {b['memory_bytes'] / GIB:.2f} GiB, "
        f"read in {b['read_s']:.1f} s, not timed)",
        f"{'computation':20s} {'duckdb ms':>10s} {'pandas ms':>10s} {'ratio':>8s} {'target':>7s} "
        f"{'status':6s} same answer",
    ]
    for name, timing in b["timings"].items():
        ratio = found.get(name)
        target = "-" if name == "customer_list" else f">={TARGETS['ratio']:.0f}x"
        verdict = "" if name == "customer_list" or ratio is None else _status(ratio >= TARGETS["ratio"])
        lines.append(
            f"{name:20s} {_ms(duck.get(BASELINE[name])):>10s} {_ms(timing['median_ms']):>10s} "
            f"{'-' if ratio is None else f'{ratio:,.1f}x':>8s} {target:>7s} {verdict:6s} "
            f"{b['checks'].get(name, '-')}"
        )
    return lines


def _floors(out: dict) -> list[str]:
    """This host's floors (tools.bench.floors) and each figure as a multiple of its floor: hosts compare here."""
    lines = ["", "FLOORS  (the least this host can do, measured in this run; figure / floor)"]
    load = out.get("floors", {}).get("load")
    if load:
        lines.append(
            f"load floor {load['seconds']:.1f} s (decode {load['decode_s']:.1f} s, DuckDB read {load['read_s']:.1f} s, "
            f"sorted write {load['write_s']:.1f} s)"
        )
    scan = out.get("queries", {}).get("scan_floor")
    if scan:
        lines.append(f"scan floor {_ms(scan['median_ms'])} ms (one month's rows, median)")
    page = out.get("pages", {}).get("floor")
    if page:
        lines.append(f"page floor {page['seconds'] * 1000:.0f} ms (an empty Streamlit page through AppTest)")
    for name, ratio in floor_ratios(out).items():
        target = (
            TARGETS["load_floor_ratio"]
            if name == "load one new month"
            else None
            if name.startswith("page script")
            else TARGETS["list_floor_ratio"]
        )
        verdict = "" if target is None else f"target <= {target:.1f}x: {_status(ratio <= target)}"
        lines.append(f"  {name:76s} {ratio:>8.1f}x  {verdict}")
    return lines


def _memory_and_verdict(out: dict) -> list[str]:
    peaks = [
        ("generate", out.get("generate")),
        ("load history", (out.get("load") or {}).get("history")),
        ("load one new month", (out.get("load") or {}).get("new_month")),
        ("queries", out.get("queries")),
        ("page scripts", out.get("pages")),
        ("pandas baseline", out.get("baseline")),
    ]
    lines = [
        "",
        "PEAK MEMORY  (RSS high-water mark of each phase's own process; target "
        f"<= {TARGETS['peak_rss_gb']:.0f} GiB for loading, queries and pages)",
    ]
    lines += [f"{name:20s} {_gib(phase['peak_rss']):>10s}" for name, phase in peaks if phase]
    missed = [v for v in out["verdicts"] if not v["pass"]]
    lines += [
        "",
        f"VERDICT: {len(out['verdicts']) - len(missed)} of {len(out['verdicts'])} targets met"
        + (" at this size" if (out["size"]["customers"] or 0) < 10_000_000 else ""),
    ]
    lines += [
        f"  MISS {v['what']}: {v['figure']:,.2f} {v['unit']} (target {v['target']:,g} {v['unit']})" for v in missed
    ]
    return lines


def format_table(out: dict) -> str:
    """The plain-text report of a run's results (what tools.bench.__main__.measure returns)."""
    lines = _heading(out)
    lines += _load(out) if "generate" in out else []
    lines += _analytics(out) if "queries" in out else []
    lines += _pages(out) if "pages" in out else []
    lines += _baseline(out) if "baseline" in out else []
    lines += _floors(out)
    lines += _memory_and_verdict(out)
    for plan in out.get("queries", {}).get("explain", []):
        lines += ["", f"EXPLAIN ANALYZE {plan['name']} (statements, ms: {plan['statements_ms']})", plan["plan"]]
    if out["problems"]:
        lines += ["", "PROBLEMS"] + [f"  {p}" for p in out["problems"]]
    lines.append(f"\n(bench took {out.get('total_s', 0):.0f} s)")
    return "\n".join(lines)
