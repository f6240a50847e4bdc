"""Shared test helpers: write small extracts in any encoding or format, open a fresh database."""
from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest

from analytics.store.connection import connect

# ../shared/realdata beside the repository (CI clones the repository with shared/ beside it)
REALDATA = Path(os.environ.get("REALDATA_DIR", Path(__file__).resolve().parents[2] / "shared" / "realdata"))
# the public bank data sits beside the repository (../shared/realdata) or where REALDATA_DIR says
needs_realdata = pytest.mark.skipif(not REALDATA.exists(), reason=f"{REALDATA} is not available (set REALDATA_DIR)")


def csv_text(rows: list[list[object]], delimiter: str = ",") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def write_csv(path: Path, rows: list[list[object]], encoding: str = "utf-8", delimiter: str = ",") -> Path:
    path.write_bytes(csv_text(rows, delimiter).encode(encoding))
    return path


@pytest.fixture
def db(tmp_path: Path):
    con = connect(tmp_path / "bank.duckdb")
    yield con
    con.close()
