"""Every unit test gets an audit trail of its own: a command that records (users, load) never writes data/."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _own_audit_trail(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BANK_AUDIT", str(tmp_path / "audit.jsonl"))
    for name in ("BANK_AUDIT_KEY_FILE", "BANK_AUDIT_ANCHOR", "BANK_AUDIT_ANCHOR_EVERY"):
        monkeypatch.delenv(name, raising=False)
