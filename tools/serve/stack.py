"""The served stack: the Streamlit processes started and healthy first, then nginx in front of them; every few
seconds each process's /_stcore/health is checked, and one that has died or fails three checks in a row is
taken out of nginx's rotation (a reload, no connection dropped), restarted when it has died, and put back once
healthy. Stopping ends nginx first (open requests finish), then the processes."""

from __future__ import annotations

import socket
import subprocess
import threading
import time
from collections.abc import Callable

from tools.serve import nginx, processes
from tools.serve.processes import Process
from tools.serve.settings import Settings, cookie_secret, private_folder

FAILURES_OUT = 3  # failed health checks in a row that take a process out of the rotation


class Stack:
    def __init__(self, settings: Settings, say: Callable[[str], None] = print) -> None:
        self.settings, self.say = settings, say
        self.processes: list[Process] = []
        self.nginx: subprocess.Popen | None = None
        self.down: frozenset[int] = frozenset()
        self.stopping = threading.Event()
        self.reloading = threading.Event()  # set by SIGHUP: nginx reads its configuration (and certificate) again

    @property
    def url(self) -> str:
        return self.settings.url

    def start(self, timeout: float = 90) -> None:
        """Start every process, wait until each answers its health check, then start nginx; on any failure
        everything started is stopped again."""
        settings = self.settings
        private_folder(settings.run)
        secret = cookie_secret(settings.run)
        try:
            self.processes = [processes.start(settings, port, secret) for port in settings.ports]
            deadline = time.monotonic() + timeout
            waiting = list(self.processes)
            while waiting:
                for process in list(waiting):
                    if not process.alive():
                        raise RuntimeError(f"Streamlit on port {process.port} exited: see {process.log}")
                    if process.healthy():
                        waiting.remove(process)
                if waiting and time.monotonic() > deadline:
                    raise RuntimeError(f"not healthy within {timeout:.0f} s: ports {[p.port for p in waiting]}")
                time.sleep(0.3)
            self.nginx = nginx.start(settings)
            self._wait_for_nginx(deadline)
        except BaseException:
            self.stop()
            raise
        count = len(self.processes)
        self.say(
            f"serving {self.url} (nginx) over {count} Streamlit process{'es' if count > 1 else ''}: {settings.ports}"
        )

    def _wait_for_nginx(self, deadline: float) -> None:
        while True:
            if self.nginx is not None and self.nginx.poll() is not None:
                raise RuntimeError(f"nginx exited: see {self.settings.run / 'nginx-error.log'}")
            try:
                with socket.create_connection(("127.0.0.1", self.settings.port), timeout=1):
                    return
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("nginx does not listen") from None
                time.sleep(0.1)

    def check(self) -> None:
        """One round of health checks: restart what died, take out of the rotation what is unhealthy, put back
        what recovered."""
        secret = cookie_secret(self.settings.run)
        for n, process in enumerate(self.processes):
            if not process.alive():
                self.say(f"Streamlit on port {process.port} exited ({process.popen.returncode}): restarting")
                restarted = processes.start(self.settings, process.port, secret)
                restarted.restarts, restarted.failures = process.restarts + 1, FAILURES_OUT
                self.processes[n] = process = restarted
            elif process.healthy():
                process.failures = 0
            else:
                process.failures += 1
        down = frozenset(p.port for p in self.processes if p.failures >= FAILURES_OUT)
        if down != self.down and self.nginx is not None and self.nginx.poll() is None:
            if len(down) == len(self.processes):
                self.say("no process is healthy: keeping them all in the rotation")
                down = frozenset()
            nginx.reload(self.settings, self.nginx, down)
            self.say(f"in rotation: {[p for p in self.settings.ports if p not in down]}")
            self.down = down

    def run(self) -> int:
        """Check the processes until stop() is called or nginx exits; 0 when stopped, 1 when nginx died."""
        while not self.stopping.wait(self.settings.health_every):
            if self.nginx is None or self.nginx.poll() is not None:
                self.say(f"nginx exited: see {self.settings.run / 'nginx-error.log'}")
                self.stop()
                return 1
            if self.reloading.is_set():
                self.reloading.clear()
                nginx.reload(self.settings, self.nginx, self.down)
                self.say("nginx reloaded")
            self.check()
        return 0

    def stop(self) -> None:
        self.stopping.set()
        if self.nginx is not None:
            nginx.stop(self.nginx)
            if self.nginx.poll() is not None:
                nginx.remove_temp_folders(self.settings)
        for process in self.processes:  # all at once, then wait for each
            if process.alive():
                process.popen.terminate()
        for process in self.processes:
            processes.stop(process)

    def __enter__(self) -> Stack:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()
