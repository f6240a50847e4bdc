"""The Streamlit processes behind nginx: one `streamlit run serve.py` per port on 127.0.0.1, each with its own
reader of the database (ui/connection.py), its health (/_stcore/health), and its stop."""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from analytics.core.config import PROJECT_ROOT
from tools.serve.settings import Settings

PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:  # runs in the child before exec: a killed launcher leaves no process behind
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:
        pass


def command(settings: Settings, port: int) -> list[str]:
    """The served configuration of one process: loopback only, the proxy's public port and scheme for the
    browser, no tracebacks in the browser (client.showErrorDetails = none: a generic message; the details go to
    the process's log), no file watcher, no development mode."""
    flags = {
        "server.headless": "true",
        "server.address": "127.0.0.1",
        "server.port": str(port),
        "server.fileWatcherType": "none",
        "server.enableStaticServing": "false",
        "server.enableXsrfProtection": "true",
        "server.enableCORS": "true",
        "browser.serverAddress": settings.server_names[0],
        "browser.serverPort": str(settings.port),
        "browser.gatherUsageStats": "false",
        "client.showErrorDetails": "none",
        "client.toolbarMode": "viewer",
        "global.developmentMode": "false",
        "logger.level": "info",
    }
    argv = [sys.executable, "-m", "streamlit", "run", "serve.py"]
    for name, value in flags.items():
        argv += [f"--{name}", value]
    if settings.secrets is not None:
        argv += ["--secrets.files", str(settings.secrets)]
    return argv


def environment(settings: Settings, secret: str) -> dict[str, str]:
    env = dict(os.environ)
    env["STREAMLIT_SERVER_COOKIE_SECRET"] = secret  # the same for every process: cookies survive a re-route
    env["FORWARDED_ALLOW_IPS"] = "127.0.0.1"  # uvicorn takes the client's address from nginx, and nobody else
    env["PYTHONUNBUFFERED"] = "1"
    if settings.db is not None:
        env["BANK_DB"] = str(settings.db)
    return env


@dataclass
class Process:
    port: int
    popen: subprocess.Popen
    log: Path
    failures: int = 0  # health checks failed in a row
    restarts: int = 0

    def alive(self) -> bool:
        return self.popen.poll() is None

    def healthy(self, timeout: float = 3) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/_stcore/health", timeout=timeout) as answer:
                return answer.status == 200 and answer.read() == b"ok"
        except OSError:
            return False


def start(settings: Settings, port: int, secret: str) -> Process:
    log = settings.run / f"streamlit-{port}.log"
    out = open(log, "ab")  # noqa: SIM115 - kept open for the process's life
    popen = subprocess.Popen(
        command(settings, port),
        cwd=PROJECT_ROOT,
        env=environment(settings, secret),
        stdout=out,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        preexec_fn=die_with_parent,  # noqa: PLW1509 - only prctl, no locks taken
        start_new_session=True,
    )
    out.close()
    return Process(port, popen, log)


def stop(process: Process, timeout: float = 15) -> None:
    """SIGTERM (Streamlit closes its sessions and exits), then SIGKILL."""
    if process.popen.poll() is None:
        process.popen.terminate()
        try:
            process.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.popen.kill()
            process.popen.wait(timeout=timeout)
