"""How a call is timed: one warm-up run, then the timed runs; their median and p95 (nearest rank)."""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable
from typing import Any


def nearest_rank(values: list[float], share: float) -> float:
    """The nearest-rank percentile (p95 of 5 runs is the slowest)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def repeated(run: Callable[[], Any], runs: int) -> tuple[Any, float, dict[str, float]]:
    """run() once as a warm-up, then `runs` more times: the warm-up's answer, its ms, and the timed runs'
    median_ms and p95_ms."""
    started = time.perf_counter()
    answer = run()
    first_ms = (time.perf_counter() - started) * 1000
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return answer, first_ms, {"median_ms": statistics.median(times), "p95_ms": nearest_rank(times, 0.95)}
