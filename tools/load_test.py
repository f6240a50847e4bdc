"""Load test of the real dashboard server: N concurrent sessions speaking Streamlit's websocket protocol, no browser.

    .venv/bin/python scripts/load_test.py [--db /work/scratch/loadtest/bank.duckdb] [--sessions 50] [--rounds 3]
        [--think 0.5] [--timeout 1800] [--report docs/load_test.md]

Builds the demo bank at --db when there is none (`python -m analytics demo`: 200,000 customers x 24 months), starts
`streamlit run app.py` on a free port of 127.0.0.1 with BANK_DB=--db, and opens --sessions websocket sessions at
once. Each session does what a browser does: connects to ws://127.0.0.1:PORT/_stcore/stream (subprotocol
"streamlit"), sends a BackMsg rerun_script whose ClientState names the page (page_name = the url path on the
first load, as a deep link; then page_script_hash from the server's navigation message, as a click in the
sidebar) with the browser's context_info, and reads ForwardMsgs until script_finished. Every session visits
every page (url paths of app.py) --rounds times, its own rotation of the pages so that all pages run at once,
with a random pause of up to --think seconds between visits.

A visit counts as run when the script finished successfully, sent elements, showed the page's title and no
exception element; anything else is an error (with its reason). Per page and overall: p50 / p95 / max of the
run time (send -> script_finished), the bytes received, the errors; the server's RSS (psutil, the process and
its children) before the sessions, at the peak (sampled every 0.2 s) and 5 s after they closed.

Bounded: --rounds visits per page per session, --visit-timeout per visit, --timeout for everything (the server
is stopped in any case); only 127.0.0.1.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import psutil
from websockets.asyncio.client import connect

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState, ContextInfo
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = Path("/work/scratch/loadtest/bank.duckdb")
# url path (app.py's PAGES) -> the title the page shows (zh-CN, the default language)
PAGES = {"overview": "总览", "tiers": "客户分层", "migration": "层级迁移", "churn": "流失与留存",
         "scorecard": "季度考核（保、争、挖、抢、培）", "explorer": "客户查询", "data": "数据"}
FINISHED = ForwardMsg.ScriptFinishedStatus.FINISHED_SUCCESSFULLY


@dataclass
class Visit:
    session: int
    page: str
    seconds: float
    received: int = 0  # bytes of ForwardMsgs
    elements: int = 0
    error: str | None = None


@dataclass
class Rss:
    pid: int
    peak: int = 0
    samples: list[int] = field(default_factory=list)

    def now(self) -> int:
        try:
            process = psutil.Process(self.pid)
            return sum(p.memory_info().rss for p in [process, *process.children(recursive=True)])
        except psutil.Error:
            return 0

    async def sample(self, every: float = 0.2) -> None:
        while True:
            value = self.now()
            self.samples.append(value)
            self.peak = max(self.peak, value)
            await asyncio.sleep(every)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_demo(db: Path, timeout: float) -> None:
    if db.exists():
        return
    print(f"building the demo bank at {db} (python -m analytics demo) ...", flush=True)
    subprocess.run([sys.executable, "-m", "analytics", "demo", "--db", str(db)], cwd=ROOT, check=True,
                   timeout=timeout)


def start_server(db: Path, port: int, log: Path | None) -> subprocess.Popen:
    env = os.environ | {"BANK_DB": str(db)}
    out = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115 - closed with the process
    return subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none", "--global.developmentMode", "false"],
        cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


def wait_healthy(process: subprocess.Popen, port: int, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).read() == b"ok":
                return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the Streamlit server did not start (exit {process.poll()})")
        time.sleep(0.3)


def stop_server(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


class Session:
    """One browser tab: a websocket to the server and the pages it knows from the navigation message."""

    def __init__(self, number: int, port: int):
        self.number, self.port = number, port
        self.hashes: dict[str, str] = {}  # url path -> page_script_hash
        self.connection = None

    async def open(self) -> None:
        # browsers send no websocket pings; the server must not be asked to answer them under load
        self.connection = await connect(f"ws://127.0.0.1:{self.port}/_stcore/stream", subprotocols=["streamlit"],
                                        max_size=None, open_timeout=60, ping_interval=None, close_timeout=5)

    async def close(self) -> None:
        if self.connection is not None:
            await self.connection.close()

    def rerun(self, page: str, query: str = "") -> bytes:
        url = f"http://127.0.0.1:{self.port}/{'' if page == 'overview' else page}"
        state = ClientState(query_string=query, context_info=ContextInfo(
            timezone="Asia/Shanghai", timezone_offset=-480, locale="zh-CN", url=url, is_embedded=False,
            color_scheme="light"))
        if page in self.hashes:  # a click in the sidebar
            state.page_script_hash = self.hashes[page]
        else:  # a deep link: the url path names the page
            state.page_name = "" if page == "overview" else page
        return BackMsg(rerun_script=state).SerializeToString()

    async def visit(self, page: str, timeout: float) -> Visit:
        visit = Visit(self.number, page, 0.0)
        titles, exceptions = [], []
        started = time.perf_counter()
        try:
            await self.connection.send(self.rerun(page))
            async with asyncio.timeout(timeout):
                while True:
                    data = await self.connection.recv()
                    visit.received += len(data)
                    message = ForwardMsg.FromString(data)
                    kind = message.WhichOneof("type")
                    if kind == "delta" and message.delta.WhichOneof("type") == "new_element":
                        element = message.delta.new_element
                        visit.elements += 1
                        what = element.WhichOneof("type")
                        if what == "heading":
                            titles.append(element.heading.body)
                        elif what == "exception":
                            exceptions.append(f"{element.exception.type}: {element.exception.message[:200]}")
                    elif kind == "navigation":
                        self.hashes = {p.url_pathname or "overview": p.page_script_hash
                                       for p in message.navigation.app_pages}
                    elif kind == "page_not_found":
                        visit.error = f"page not found: {message.page_not_found.page_name!r}"
                    elif kind == "script_finished":
                        if message.script_finished != FINISHED:
                            visit.error = f"script finished with status {message.script_finished}"
                        break
        except TimeoutError:
            visit.error = f"no script_finished within {timeout:.0f} s"
        except Exception as error:  # noqa: BLE001 - a closed connection, a protocol error: the visit failed
            visit.error = f"{type(error).__name__}: {error}"[:300]
        visit.seconds = time.perf_counter() - started
        if visit.error is None:
            if exceptions:
                visit.error = f"exception element: {exceptions[0]}"
            elif PAGES[page] not in titles:
                visit.error = f"title {PAGES[page]!r} not shown (headings {titles[:3]})"
            elif visit.elements == 0:
                visit.error = "no elements"
        return visit


async def run_session(number: int, port: int, pages: list[str], rounds: int, think: float, visit_timeout: float,
                      visits: list[Visit]) -> None:
    rng = random.Random(number)
    order = pages[number % len(pages):] + pages[:number % len(pages)]  # all pages run at once
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


async def drive(port: int, pid: int, sessions: int, pages: list[str], rounds: int, think: float,
                visit_timeout: float, timeout: float, settle: float = 5) -> dict:
    rss = Rss(pid)
    before = rss.now()
    sampler = asyncio.create_task(rss.sample())
    visits: list[Visit] = []
    started = time.perf_counter()
    tasks = [asyncio.create_task(run_session(n, port, pages, rounds, think, visit_timeout, visits))
             for n in range(sessions)]
    done, pending = await asyncio.wait(tasks, timeout=timeout)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    wall = time.perf_counter() - started
    await asyncio.sleep(settle)  # RSS "after": the sessions closed, the server idle again
    sampler.cancel()
    return {"visits": visits, "wall": wall, "timed_out": len(pending), "rss_before": before, "rss_peak": rss.peak,
            "rss_after": rss.now()}


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
        rows.append({"page": page, "visits": len(mine), "errors": sum(v.error is not None for v in mine),
                     "p50": percentile(ok, 0.5), "p95": percentile(ok, 0.95), "max": max(ok, default=float("nan")),
                     "kb": statistics.median([v.received / 1024 for v in mine]) if mine else float("nan")})
    return rows


def table(rows: list[dict]) -> str:
    lines = ["| page | visits | errors | p50 s | p95 s | max s | median KB received |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    lines += [f"| {r['page']} | {r['visits']} | {r['errors']} | {r['p50']:.2f} | {r['p95']:.2f} | {r['max']:.2f} | "
              f"{r['kb']:.0f} |" for r in rows]
    return "\n".join(lines)


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else ""
    import duckdb
    import streamlit
    return {"cpu": f"{psutil.cpu_count()} x {cpu}", "memory": f"{psutil.virtual_memory().total / 2**30:.0f} GiB",
            "os": platform.platform(), "python": platform.python_version(), "streamlit": streamlit.__version__,
            "duckdb": duckdb.__version__}


def errors_by_reason(visits: list[Visit]) -> dict[str, int]:
    reasons: dict[str, int] = {}
    for v in visits:
        if v.error:
            key = f"{v.page}: {v.error[:120]}"
            reasons[key] = reasons.get(key, 0) + 1
    return reasons


def mib(n: int) -> str:
    return f"{n / 2**20:,.0f} MiB"


def report(args: argparse.Namespace, result: dict, rows: list[dict], load: tuple, db_size: int) -> str:
    m = machine()
    command = (f".venv/bin/python scripts/load_test.py --db {args.db} --sessions {args.sessions} --rounds "
               f"{args.rounds} --think {args.think}")
    reasons = errors_by_reason(result["visits"])
    visits = len(result["visits"])
    return "\n".join([
        "# Load test: concurrent sessions on the real server",
        "",
        f"Run {datetime.now():%Y-%m-%d %H:%M} by `scripts/load_test.py` (issue #6).",
        "",
        "## Repeat it",
        "```bash",
        command,
        "```",
        "Builds the demo bank at `--db` when it is missing (`python -m analytics demo --db ...`: 200,000 customers x "
        "24 months, 1-3 min), starts `streamlit run app.py --server.headless true` on a free port of 127.0.0.1 with "
        "`BANK_DB` pointing at it, and drives the sessions without a browser over Streamlit's websocket protocol "
        "(BackMsg `rerun_script` with the page's url path / page_script_hash, ForwardMsgs read until "
        "`script_finished`). `--report ''` prints only.",
        "",
        "## Machine",
        f"- CPU: {m['cpu']}; memory {m['memory']}; {m['os']}",
        f"- Python {m['python']}, Streamlit {m['streamlit']}, DuckDB {m['duckdb']}",
        f"- load average (1/5/15 min) before: {load[0]}; after: {load[1]} — the machine is shared (other "
        "engineers' benchmark and tests ran at the same time), so the figures are an upper bound",
        f"- database: {args.db} ({db_size / 2**20:,.0f} MiB)",
        "",
        "## Figures",
        f"{args.sessions} concurrent sessions x {len(PAGES)} pages x {args.rounds} rounds (pause up to "
        f"{args.think} s between visits): {visits} visits in {result['wall']:.0f} s "
        f"({visits / result['wall']:.1f} page runs/s); sessions cut by the global timeout: {result['timed_out']}.",
        "Run time = from sending `rerun_script` to receiving `script_finished` (the whole page: sidebar, queries, "
        "charts, tables), each session's first visit of a page included (cold st.cache_data for the first ones).",
        "",
        table(rows),
        "",
        f"Errors: {sum(r['errors'] for r in rows[:-1])}" + ("" if not reasons else ":"),
        *[f"- {count} x {reason}" for reason, count in sorted(reasons.items())],
        "",
        f"Server RSS (streamlit process and children): before the sessions {mib(result['rss_before'])}, "
        f"peak {mib(result['rss_peak'])}, 5 s after they closed {mib(result['rss_after'])}.",
        "",
        *([f"## Notes\n{args.note}", ""] if args.note else []),
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3, help="visits of every page per session")
    parser.add_argument("--pages", nargs="*", default=list(PAGES), choices=list(PAGES))
    parser.add_argument("--think", type=float, default=0.5, help="random pause of up to THINK s between visits")
    parser.add_argument("--visit-timeout", type=float, default=300)
    parser.add_argument("--timeout", type=float, default=1800, help="bound on the whole run, in seconds")
    parser.add_argument("--port", type=int, default=0, help="0: a free port")
    parser.add_argument("--report", default=str(ROOT / "docs" / "load_test.md"), help="markdown file; '' for none")
    parser.add_argument("--server-log", type=Path, help="keep the server's output here")
    parser.add_argument("--note", default="", help="a paragraph for the report's Notes")
    args = parser.parse_args(argv)
    if not (0 < args.sessions <= 500 and 0 < args.rounds <= 20):
        parser.error("--sessions 1..500, --rounds 1..20")

    ensure_demo(args.db, timeout=args.timeout)
    load_before = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    port = args.port or free_port()
    server = start_server(args.db, port, args.server_log)
    try:
        wait_healthy(server, port)
        result = asyncio.run(drive(port, server.pid, args.sessions, args.pages, args.rounds, args.think,
                                   args.visit_timeout, args.timeout))
    finally:
        stop_server(server)
    load_after = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    rows = summary(result["visits"], args.pages)
    print(table(rows))
    print(f"\n{len(result['visits'])} visits in {result['wall']:.0f} s; sessions cut by the timeout: "
          f"{result['timed_out']}; RSS before {mib(result['rss_before'])}, peak {mib(result['rss_peak'])}, "
          f"after {mib(result['rss_after'])}; load average before {load_before}, after {load_after}")
    for reason, count in sorted(errors_by_reason(result["visits"]).items()):
        print(f"  {count} x {reason}")
    if args.report:
        Path(args.report).write_text(report(args, result, rows, (load_before, load_after), args.db.stat().st_size),
                                     encoding="utf-8")
        print(f"wrote {args.report}")
    return 0 if all(v.error is None for v in result["visits"]) and not result["timed_out"] else 1


if __name__ == "__main__":
    sys.exit(main())
