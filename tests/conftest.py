"""Fixtures of more than one folder: a fresh database, and the demo bank the page and server tests read.

The demo bank (3,000 customers x 7 month ends) is built once per test run, however many xdist workers there
are: the first worker to get the lock under the run's temporary folder builds it, the others wait and reuse it.
Each worker then reads its own copy, and a test that writes takes a private copy of that (demo_copy).
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from analytics.store.connection import connect
from tests.helpers.pages import build_demo_bank


@pytest.fixture
def db(tmp_path: Path):
    con = connect(tmp_path / "bank.duckdb")
    yield con
    con.close()


@dataclass(frozen=True)
class DemoBank:
    db: Path  # this worker's copy of the database: pages only read it
    extracts: tuple[Path, ...]  # the month-end extracts it was loaded from, oldest first (shared: read them only)


def _shared_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder every worker of this run sees: the parent of the worker's own base folder under xdist."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session")
def demo_bank(tmp_path_factory: pytest.TempPathFactory) -> DemoBank:
    shared = _shared_folder(tmp_path_factory)
    folder, done = shared / "demo-bank", shared / "demo-bank.done"
    with open(shared / "demo-bank.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, also if the build fails
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)  # what a failed build of another worker left
            build_demo_bank(folder)
            done.touch()
    own = tmp_path_factory.mktemp("demo-bank") / "bank.duckdb"
    shutil.copyfile(folder / "bank.duckdb", own)
    return DemoBank(own, tuple(sorted((folder / "extracts").glob("*.csv"))))


@pytest.fixture(scope="session")
def demo_db(demo_bank: DemoBank) -> Path:
    """The demo bank's database file (this worker's; never write to it: take a demo_copy)."""
    return demo_bank.db


@pytest.fixture(scope="session")
def demo_copy(demo_bank: DemoBank, tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """name -> a private copy of the demo bank, for a test that loads data or for a server of its own."""

    def copy(name: str) -> Path:
        target = tmp_path_factory.mktemp(name) / "bank.duckdb"
        shutil.copyfile(demo_bank.db, target)
        return target

    return copy
