"""Fixtures of the page tests: the users file over the demo bank, a fresh audit trail, the downloads served, and
the demo bank's extracts read with pandas."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager

from tests.helpers.recount import read_extracts
from tests.helpers.security import write_users


@pytest.fixture(scope="session")
def users_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_users(tmp_path_factory.mktemp("users") / "users.toml")


@pytest.fixture
def trail(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, users_file: Path, demo_db: Path) -> Path:
    """The demo bank, the users file, a fresh audit trail and fresh sign-in lockouts in the environment of this
    test."""
    monkeypatch.setenv("BANK_DB", str(demo_db))
    monkeypatch.setenv("BANK_USERS", str(users_file))
    monkeypatch.setenv("BANK_AUDIT", str(tmp_path / "audit.jsonl"))
    monkeypatch.setenv("BANK_SIGNIN_STATE", str(tmp_path / "signin"))
    return tmp_path / "audit.jsonl"


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> dict[str, Callable[[], bytes]]:
    """file name -> the callable a download button registered (Streamlit calls it when the browser asks)."""
    found: dict[str, Callable[[], bytes]] = {}
    original = MediaFileManager.add_deferred

    def capture(self, data_callable, mimetype, coordinates, file_name=None, **options):
        found[file_name] = data_callable
        return original(self, data_callable, mimetype, coordinates, file_name=file_name, **options)

    monkeypatch.setattr(MediaFileManager, "add_deferred", capture)
    return found


@pytest.fixture(scope="session")
def extract_rows(demo_bank) -> pd.DataFrame:
    """Every row of the demo bank's extracts read with pandas, not by the engine (tests/helpers/recount.py): the
    page tests' independent numbers. Read it only."""
    return read_extracts(demo_bank.extracts)
