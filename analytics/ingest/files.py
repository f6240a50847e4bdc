"""Read an extract file of any accepted format (CSV, Parquet, XLSX) into text cells, one row per data row, so that
validation sees exactly what the bank exported."""

from __future__ import annotations

from pathlib import Path

from analytics.ingest.csv_reader import read_csv
from analytics.ingest.extract import RawExtract
from analytics.ingest.sheets import read_parquet, read_xlsx


def read_extract(path: Path) -> RawExtract:
    with open(path, "rb") as handle:
        magic = handle.read(4)
    if magic in (b"PAR1", b"PK\x03\x04"):
        return read_parquet(path) if magic == b"PAR1" else read_xlsx(path)
    return read_csv(path)
