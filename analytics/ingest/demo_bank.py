"""The demo bank's extracts: the generator (a development tool, tools.demo_bank) runs as a program of its own and
names each month's file as soon as it is written, so a load can start on it while the next month is simulated."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from analytics.core.config import DEFAULT_POLICY, PROJECT_ROOT


def demo_extracts(
    out_dir: Path,
    customers: int,
    months: int,
    end: date = date(2026, 9, 30),
    seed: int = 7,
    policy: Path = DEFAULT_POLICY,
) -> Iterator[Path]:
    """Each month's extract path as the generator completes it; ValueError when the generator refuses."""
    command = [
        sys.executable,
        "-m",
        "tools.demo_bank",
        "--out",
        str(Path(out_dir).resolve()),
        "--customers",
        str(customers),
        "--months",
        str(months),
        "--end",
        end.isoformat(),
        "--seed",
        str(seed),
        "--policy",
        str(Path(policy).resolve()),
    ]
    with tempfile.TemporaryFile("w+") as errors:  # a file, not a pipe: a chatty generator never blocks on it
        with subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=errors, text=True) as run:
            try:
                for line in run.stdout:  # type: ignore[union-attr]
                    yield Path(line.rstrip("\n"))
            finally:
                if run.poll() is None:  # the loader stopped early: no more months are wanted
                    run.kill()
                code = run.wait()
        errors.seek(0)
        problem = errors.read().strip()
    if code not in (0, -9):
        raise ValueError(problem.splitlines()[-1] if problem else f"the demo-bank generator exited with {code}")
