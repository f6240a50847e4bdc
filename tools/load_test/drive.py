"""The sessions at once: each visits every page --rounds times, its own rotation of the pages so that all pages
run at once, with a random pause between visits; the server's memory is sampled meanwhile."""

from __future__ import annotations

import asyncio
import random
import time

from tools.load_test.server import Rss
from tools.load_test.session import Session, Visit


async def run_session(
    number: int, port: int, pages: list[str], rounds: int, think: float, visit_timeout: float, visits: list[Visit]
) -> None:
    rng = random.Random(number)
    order = pages[number % len(pages) :] + pages[: number % len(pages)]  # all pages run at once
    session = Session(number, port)
    try:
        await session.open()
    except Exception as error:  # noqa: BLE001
        visits.append(Visit(number, order[0], 0.0, error=f"connect: {type(error).__name__}: {error}"[:300]))
        return
    try:
        for _ in range(rounds):
            for page in order:
                visit = await session.visit(page, visit_timeout)
                visits.append(visit)
                if visit.error and visit.error.startswith(("ConnectionClosed", "no script_finished")):
                    return  # this session is gone
                if think:
                    await asyncio.sleep(rng.uniform(0, think))
    finally:
        await session.close()


async def drive(
    port: int,
    pid: int | list[int],
    sessions: int,
    pages: list[str],
    rounds: int,
    think: float,
    visit_timeout: float,
    timeout: float,
    settle: float = 5,
) -> dict:
    """`sessions` sessions on the server at `port` (process `pid`, or the served stack's processes): their visits, the wall time, how many
    were cut by `timeout`, and the server's RSS before, at the peak and `settle` seconds after."""
    rss = Rss(pid)
    before = rss.now()
    sampler = asyncio.create_task(rss.sample())
    visits: list[Visit] = []
    started = time.perf_counter()
    tasks = [
        asyncio.create_task(run_session(n, port, pages, rounds, think, visit_timeout, visits)) for n in range(sessions)
    ]
    done, pending = await asyncio.wait(tasks, timeout=timeout)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    wall = time.perf_counter() - started
    await asyncio.sleep(settle)  # RSS "after": the sessions closed, the server idle again
    sampler.cancel()
    return {
        "visits": visits,
        "wall": wall,
        "timed_out": len(pending),
        "rss_before": before,
        "rss_peak": rss.peak,
        "rss_after": rss.now(),
    }
