"""--loader: one more month loaded into the database while the sessions run, with the product's own means.

The extract is the demo bank's next month end (tools.demo_bank.simulate.generate_extracts, the generator
`python -m analytics demo` loads; GBK CSV), made before the sessions start; `python -m analytics load --db DB
FILE` runs `delay` seconds after they start. The load writes a new generation of the database and renames it over
the file; every server process's reader swaps to it at its sessions' next call (docs/operations.md). The report
counts the visits that failed while the load ran and after it ended (none should), and whether the served
database holds the new month afterwards.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb

from analytics.core.config import PROJECT_ROOT
from tools.demo_bank.simulate import generate_extracts


def next_month_end(db: Path) -> date:
    con = duckdb.connect(str(db), read_only=True)
    try:
        latest = con.execute("select max(period) from unit_directory").fetchone()[0]
    finally:
        con.close()
    first_after = (latest.replace(day=1) + timedelta(days=32)).replace(day=1)  # the month after `latest`
    return (first_after + timedelta(days=32)).replace(day=1) - timedelta(days=1)


@dataclass
class Loader:
    db: Path
    folder: Path
    customers: int = 200_000
    delay: float = 30.0
    timeout: float = 1200
    extract: Path | None = None
    period: date | None = None
    started: float | None = None  # time.monotonic() of the load's start and end
    ended: float | None = None
    returncode: int | None = None
    output: str = ""
    loaded: bool = False  # the database holds the new month afterwards

    def prepare(self) -> None:
        self.period = next_month_end(self.db)
        print(f"making the {self.period} extract ({self.customers:,} customers) for --loader ...", flush=True)
        self.extract = generate_extracts(self.folder, customers=self.customers, months=1, end=self.period)[0]

    async def run(self) -> None:
        await asyncio.sleep(self.delay)
        self.started = time.monotonic()
        command = [sys.executable, "-m", "analytics", "load", "--db", str(self.db), str(self.extract)]
        process = await asyncio.create_subprocess_exec(
            *command, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        try:
            out, _ = await asyncio.wait_for(process.communicate(), self.timeout)
        except TimeoutError:
            process.kill()
            out, _ = await process.communicate()
        self.ended = time.monotonic()
        self.returncode = process.returncode
        self.output = out.decode(errors="replace")[-2000:]
        con = duckdb.connect(str(self.db), read_only=True)
        try:
            self.loaded = con.execute("select max(period) from unit_directory").fetchone()[0] == self.period
        finally:
            con.close()

    def phases(self, visits: list) -> dict[str, tuple[int, int]]:
        """(visits, errors) sent before the load, while it ran, and after it ended."""
        found = {"before": [0, 0], "during": [0, 0], "after": [0, 0]}
        for visit in visits:
            if self.started is None or visit.at < self.started:
                phase = "before"
            elif self.ended is None or visit.at <= self.ended:
                phase = "during"
            else:
                phase = "after"
            found[phase][0] += 1
            found[phase][1] += visit.error is not None
        return {k: (v[0], v[1]) for k, v in found.items()}
