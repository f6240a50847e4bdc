"""The load test's figures: per page and overall, p50 / p95 / max of the run time, the bytes received, the
errors by reason; per role, the sign-ins (whole and password step) and their errors; the memory per session."""

from __future__ import annotations

import statistics

from tools.load_test.session import SignIn, Visit


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


def signin_summary(signins: list[SignIn]) -> list[dict]:
    """Per role and overall: sign-ins, failures, p50 / p95 / max of the whole sign-in and of its password step."""
    rows = []
    for role in [*sorted({s.role for s in signins}), "all"]:
        mine = [s for s in signins if role in ("all", s.role)]
        ok = [s for s in mine if s.error is None]
        rows.append(
            {
                "role": role,
                "signins": len(mine),
                "errors": len(mine) - len(ok),
                "steps": max((s.steps for s in ok), default=0),
                "p50": percentile([s.seconds for s in ok], 0.5),
                "p95": percentile([s.seconds for s in ok], 0.95),
                "max": max((s.seconds for s in ok), default=float("nan")),
                "password_p50": percentile([s.password_seconds for s in ok], 0.5),
            }
        )
    return rows


def signin_table(rows: list[dict]) -> str:
    lines = [
        "| role | sign-ins | errors | steps | p50 s | p95 s | max s | password step p50 s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {r['role']} | {r['signins']} | {r['errors']} | {r['steps']} | {r['p50']:.2f} | {r['p95']:.2f} | "
        f"{r['max']:.2f} | {r['password_p50']:.2f} |"
        for r in rows
    ]
    return "\n".join(lines)


def signin_errors(signins: list[SignIn]) -> dict[str, int]:
    reasons: dict[str, int] = {}
    for s in signins:
        if s.error:
            key = f"{s.role}: {s.error[:120]}"
            reasons[key] = reasons.get(key, 0) + 1
    return reasons


def cpu(result: dict) -> str:
    """The server's CPU over the sessions per page run (sign-ins included), and the driver's own."""
    runs = len(result["visits"]) + len(result["signins"])
    per = result["server_cpu"] / max(runs, 1)
    return (
        f"Server CPU {result['server_cpu']:,.1f} s over {len(result['visits'])} visits and {len(result['signins'])} "
        f"sign-ins ({per * 1000:,.0f} ms per script run, bcrypt of the sign-ins included); "
        f"the driver's own CPU {result['driver_cpu']:,.1f} s"
    )


def memory(result: dict, sessions: int) -> str:
    """RSS before / peak / after and per session ((peak - before) / sessions)."""
    per = (result["rss_peak"] - result["rss_before"]) / max(sessions, 1)
    return (
        f"RSS before {mib(result['rss_before'])}, peak {mib(result['rss_peak'])}, after {mib(result['rss_after'])}; "
        f"per session {per / 2**20:,.1f} MiB ((peak - before) / {sessions})"
    )
