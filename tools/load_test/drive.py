"""The sessions at once: each signs in (when there are people: the ramp-up spreads the sign-ins, bcrypt being
costly) and visits its pages --rounds times, its own rotation of them so that all pages run at once, each with its
own query string, with a random pause between visits; the server's memory is sampled meanwhile, and a load of one
more month may run in the middle (loader)."""

from __future__ import annotations

import asyncio
import os
import random
import time
from dataclasses import dataclass

from tools.load_test.loader import Loader
from tools.load_test.people import Person
from tools.load_test.server import Rss
from tools.load_test.session import Session, SignIn, Visit

GONE = ("ConnectionClosed", "no script_finished", "sign-in:")  # the session cannot go on after these


@dataclass
class Plan:
    """What the sessions do: `people` (None: the demo mode, no sign-in, every session on `pages`)."""

    pages: list[str]
    rounds: int
    think: float
    visit_timeout: float
    people: list[Person] | None = None
    ramp: float = 0.0  # session n starts at n * ramp / sessions seconds
    signin_timeout: float = 300


async def run_session(
    number: int, port: int, plan: Plan, sessions: int, visits: list[Visit], signins: list[SignIn]
) -> None:
    rng = random.Random(number)
    person = plan.people[number] if plan.people else None
    pages = person.pages if person else plan.pages
    queries = person.queries if person else {}
    order = pages[number % len(pages) :] + pages[: number % len(pages)]  # all pages run at once
    if plan.ramp:
        await asyncio.sleep(number * plan.ramp / sessions)
    session = Session(number, port)
    try:
        await session.open()
    except Exception as error:  # noqa: BLE001
        visits.append(Visit(number, order[0], 0.0, error=f"connect: {type(error).__name__}: {error}"[:300]))
        return
    try:
        todo = [page for _ in range(plan.rounds) for page in order]
        if person is not None:
            signin, visit = await session.sign_in(
                person.username,
                person.password,
                person.totp_secret,
                todo[0],
                queries.get(todo[0], ""),
                plan.signin_timeout,
            )
            signin.role = person.role
            signins.append(signin)
            visits.append(visit)
            if signin.error is not None:
                return
            todo = todo[1:]
            if plan.think and todo:
                await asyncio.sleep(rng.uniform(0, plan.think))
        for page in todo:
            visit = await session.visit(page, plan.visit_timeout, queries.get(page, ""))
            visits.append(visit)
            if visit.error and visit.error.startswith(GONE):
                return  # this session is gone
            if plan.think:
                await asyncio.sleep(rng.uniform(0, plan.think))
    finally:
        await session.close()


async def drive(
    port: int,
    pid: int | list[int],
    sessions: int,
    plan: Plan,
    timeout: float,
    settle: float = 5,
    loader: Loader | None = None,
) -> dict:
    """`sessions` sessions on the server at `port` (process `pid`, or the served stack's processes): their visits
    and sign-ins, the wall time, how many were cut by `timeout`, the server's RSS before, at the peak and `settle`
    seconds after, the CPU the server and this driver used over the sessions, and the load average before, at the
    end of the sessions and after; with `loader`, the load it ran meanwhile."""
    rss = Rss(pid)
    before = rss.now()
    cpu_before, own_before = rss.cpu_seconds(), time.process_time()
    load_before = _load()
    sampler = asyncio.create_task(rss.sample())
    visits: list[Visit] = []
    signins: list[SignIn] = []
    started = time.perf_counter()
    tasks = [asyncio.create_task(run_session(n, port, plan, sessions, visits, signins)) for n in range(sessions)]
    loading = asyncio.create_task(loader.run()) if loader is not None else None
    done, pending = await asyncio.wait(tasks, timeout=timeout)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    wall = time.perf_counter() - started
    server_cpu, driver_cpu = rss.cpu_seconds() - cpu_before, time.process_time() - own_before
    load_end = _load()
    if loading is not None and loader is not None:
        if loader.started is None:  # the sessions ended before the load was due
            loading.cancel()
        await asyncio.gather(loading, return_exceptions=True)  # a started load is bounded by its own timeout
    await asyncio.sleep(settle)  # RSS "after": the sessions closed, the server idle again
    sampler.cancel()
    return {
        "visits": visits,
        "signins": signins,
        "wall": wall,
        "timed_out": len(pending),
        "rss_before": before,
        "rss_peak": rss.peak,
        "rss_after": rss.now(),
        "server_cpu": server_cpu,  # the server's processes over the sessions, sign-ins included
        "driver_cpu": driver_cpu,  # this process: the sessions' own protocol work
        "load": (load_before, load_end, _load()),
        "loader": loader,
        "started": started,
    }


def _load() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())
