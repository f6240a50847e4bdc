"""The performance targets, set for a bank of 10M customers x 12 months, and the verdict on each figure a run
measured (PASS / MISS; a MISS does not fail the bench)."""

from __future__ import annotations

from tools.bench.baseline import BASELINE
from tools.bench.process import GIB

TARGETS = {
    "aggregate_ms": 50.0,
    "list_ms": 300.0,  # a list of one branch's customers, or one filtered to a branch
    "bank_list_ms": 1000.0,  # a list over the whole bank's customers
    "page_s": 1.0,
    "new_month_s": 50.0,
    "retier_s": 90.0,  # the whole history under a new policy: the budget a monthly load had before it was 50 s
    "peak_rss_gb": 6.0,
    "ratio": 20.0,
    "what_if_s": 10.0,  # the simulator's answer for one quarter (at 1M customers)
    "load_floor_ratio": 1.5,  # a load / decoding + DuckDB's own read + one sorted write of the same file
    "list_floor_ratio": 3.0,  # a customer list / one scan of a month's rows
}


def floor_ratios(out: dict) -> dict[str, float]:
    """Each figure over this host's floor for it (tools.bench.floors), for those measured: the new month's load,
    every customer list, and each page's warm run."""
    found = {}
    if "load" in out and "floors" in out:
        found["load one new month"] = out["load"]["new_month"]["seconds"] / out["floors"]["load"]["seconds"]
    scan = out.get("queries", {}).get("scan_floor", {}).get("median_ms")
    for call in out.get("queries", {}).get("calls", []):
        if scan and call["kind"] in LIST_TARGETS and "median_ms" in call:
            found[f"{call['page']} · {call['name']}"] = call["median_ms"] / scan
    empty = out.get("pages", {}).get("floor", {}).get("seconds")
    for page in out.get("pages", {}).get("pages", []):
        if empty and "warm_s" in page:
            found[f"page script {page['page']} (warm)"] = page["warm_s"] / empty
    return found


LIST_TARGETS = {"list": "list_ms", "bank list": "bank_list_ms"}  # a Call's kind -> its target


def call_target(call: dict) -> float:
    """The target in ms of a timed analytics call: lists have more time than aggregates, the whole bank's more
    than one branch's."""
    return TARGETS[LIST_TARGETS.get(call["kind"], "aggregate_ms")]


def ratios(out: dict) -> dict[str, float]:
    """pandas median / DuckDB median of each baseline computation that both measured."""
    if "baseline" not in out:
        return {}
    duck = {(c["page"], c["name"]): c.get("median_ms") for c in out["queries"]["calls"]}
    return {
        name: t["median_ms"] / duck[BASELINE[name]]
        for name, t in out["baseline"]["timings"].items()
        if duck.get(BASELINE[name])
    }


def verdicts(out: dict) -> list[dict]:
    """Each target that this run measured: figure, target, PASS or MISS."""
    found = []

    def check(what: str, figure: float, target: float, unit: str, higher_is_better: bool = False) -> None:
        ok = figure >= target if higher_is_better else figure <= target
        found.append({"what": what, "figure": figure, "target": target, "unit": unit, "pass": ok})

    if "load" in out:
        new = out["load"]["new_month"]
        check(
            "load one new month (copy, validate, write, derived tables, swap)",
            new["seconds"],
            TARGETS["new_month_s"],
            "s",
        )
        peaks = [("load history", out["load"]["history"]), ("load one new month", new)]
        for name, phase in peaks:
            if phase:
                check(f"peak RSS {name}", phase["peak_rss"] / GIB, TARGETS["peak_rss_gb"], "GiB")
    if "what_if" in out:
        check("what-if of one quarter under a buffered policy", out["what_if"]["seconds"], TARGETS["what_if_s"], "s")
    if "retier" in out:
        for name, label in (("buffer_on_s", "buffer on"), ("buffer_off_s", "buffer off")):
            check(f"re-tier the whole history ({label})", out["retier"][name], TARGETS["retier_s"], "s")
    for call in out.get("queries", {}).get("calls", []):
        if "median_ms" in call and call["page"] != "crosscheck":
            check(f"{call['page']} · {call['name']}", call["median_ms"], call_target(call), "ms")
    if "queries" in out:
        check("peak RSS queries", out["queries"]["peak_rss"] / GIB, TARGETS["peak_rss_gb"], "GiB")
    for page in out.get("pages", {}).get("pages", []):
        if "cold_s" in page:
            check(f"page script {page['page']} (cold)", page["cold_s"], TARGETS["page_s"], "s")
    if "pages" in out:
        check("peak RSS pages", out["pages"]["peak_rss"] / GIB, TARGETS["peak_rss_gb"], "GiB")
    for name, ratio in floor_ratios(out).items():
        if name == "load one new month":
            check(f"{name} / its floor", ratio, TARGETS["load_floor_ratio"], "x")
        elif not name.startswith("page script"):  # pages: printed, no target
            check(f"{name} / scan floor", ratio, TARGETS["list_floor_ratio"], "x")
    for name, ratio in ratios(out).items():
        if name != "customer_list":
            check(f"pandas / DuckDB {name}", ratio, TARGETS["ratio"], "x", higher_is_better=True)
    return found
