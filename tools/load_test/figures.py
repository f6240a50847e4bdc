"""The load test's figures: per page and overall, p50 / p95 / max of the run time, the bytes received, the
errors by reason."""

from __future__ import annotations

import statistics

from tools.load_test.session import Visit


def percentile(values: list[float], q: float) -> float:
    """The q-quantile (0..1) by linear interpolation; NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summary(visits: list[Visit], pages: list[str]) -> list[dict]:
    rows = []
    for page in [*pages, "all"]:
        mine = [v for v in visits if page in ("all", v.page)]
        ok = [v.seconds for v in mine if v.error is None]
        rows.append(
            {
                "page": page,
                "visits": len(mine),
                "errors": sum(v.error is not None for v in mine),
                "p50": percentile(ok, 0.5),
                "p95": percentile(ok, 0.95),
                "max": max(ok, default=float("nan")),
                "kb": statistics.median([v.received / 1024 for v in mine]) if mine else float("nan"),
            }
        )
    return rows


def table(rows: list[dict]) -> str:
    lines = [
        "| page | visits | errors | p50 s | p95 s | max s | median KB received |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {r['page']} | {r['visits']} | {r['errors']} | {r['p50']:.2f} | {r['p95']:.2f} | {r['max']:.2f} | "
        f"{r['kb']:.0f} |"
        for r in rows
    ]
    return "\n".join(lines)


def errors_by_reason(visits: list[Visit]) -> dict[str, int]:
    reasons: dict[str, int] = {}
    for v in visits:
        if v.error:
            key = f"{v.page}: {v.error[:120]}"
            reasons[key] = reasons.get(key, 0) + 1
    return reasons


def mib(n: int) -> str:
    return f"{n / 2**20:,.0f} MiB"
