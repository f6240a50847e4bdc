"""How a phase of the benchmark runs: in a process of its own, reporting its peak memory, progress on stderr.

Each phase imports the engine and the dashboard inside its own function, so that its process holds only what the
phase uses and the peak memory (RSS, the kernel's high-water mark of that process) reported for loading, for
queries and for pages belongs to that phase alone.
"""

from __future__ import annotations

import resource
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from typing import Any

GIB = 2**30


def in_child(function: Callable[..., Any], *args: Any) -> Any:
    """function(*args) in a fresh process (spawned: nothing inherited), so its peak RSS is its own."""
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(function, *args).result()


def peak_rss() -> int:
    """This process's peak resident memory in bytes (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def say(text: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)
