"""The dashboard server the load test drives: `streamlit run serve.py`, as `make run` serves app.py, on a free
port of 127.0.0.1 with BANK_DB set (or the served stack of tools/serve: nginx in front of several), its health
check, its memory (the processes and their children) sampled while the sessions run."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from analytics.core.config import PROJECT_ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def free_ports(count: int) -> int:
    """The first of `count` consecutive free ports of 127.0.0.1 (the served stack's Streamlit processes)."""
    for _ in range(50):
        first = free_port()
        sockets = []
        try:
            for port in range(first, min(first + count, 65536)):
                sockets.append(socket.socket())
                sockets[-1].bind(("127.0.0.1", port))
            if len(sockets) == count:
                return first
        except OSError:
            pass
        finally:
            for s in sockets:
                s.close()
    raise RuntimeError(f"no {count} consecutive free ports")


def ensure_demo(db: Path, timeout: float) -> None:
    """The demo bank at `db` (python -m analytics demo: 200,000 customers x 24 months) when there is none."""
    if db.exists():
        return
    print(f"building the demo bank at {db} (python -m analytics demo) ...", flush=True)
    subprocess.run(
        [sys.executable, "-m", "analytics", "demo", "--db", str(db)], cwd=PROJECT_ROOT, check=True, timeout=timeout
    )


def start_server(db: Path, port: int, log: Path | None) -> subprocess.Popen:
    env = os.environ | {"BANK_DB": str(db)}
    out = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115 - closed with the process
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "serve.py",
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--browser.gatherUsageStats",
            "false",
            "--server.fileWatcherType",
            "none",
            "--global.developmentMode",
            "false",
        ],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
    )


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


@dataclass
class Rss:
    """The resident memory of process `pid` (or of each of several: the served stack's processes) and their
    children, sampled; `peak` is the highest sample."""

    pid: int | list[int]
    peak: int = 0
    samples: list[int] = field(default_factory=list)

    def now(self) -> int:
        return sum(_tree_rss(pid) for pid in self._pids())

    def cpu_seconds(self) -> float:
        """User + system CPU the processes and their children have used so far."""
        return sum(_tree_cpu(pid) for pid in self._pids())

    def _pids(self) -> list[int]:
        return self.pid if isinstance(self.pid, list) else [self.pid]

    async def sample(self, every: float = 0.2) -> None:
        while True:
            value = self.now()
            self.samples.append(value)
            self.peak = max(self.peak, value)
            await asyncio.sleep(every)


def _tree_rss(pid: int) -> int:
    try:
        process = psutil.Process(pid)
        return sum(p.memory_info().rss for p in [process, *process.children(recursive=True)])
    except psutil.Error:
        return 0


def _tree_cpu(pid: int) -> float:
    try:
        process = psutil.Process(pid)
        times = [p.cpu_times() for p in [process, *process.children(recursive=True)]]
        return sum(t.user + t.system for t in times)
    except psutil.Error:
        return 0.0
