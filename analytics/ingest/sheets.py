"""Parquet and XLSX extracts as text cells: every value as the bank wrote it, every ID as text."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from python_calamine import CalamineWorkbook

from analytics.ingest.extract import ExtractError, RawExtract


def read_parquet(path: Path) -> RawExtract:
    try:
        source = pq.read_table(path)
    except (pa.ArrowException, OSError) as exc:
        raise ExtractError(str(path), None, f"not a readable Parquet file: {exc}") from None
    columns = [_parquet_text(source.column(i)) for i in range(source.num_columns)]
    table = pa.table({f"c{i}": col for i, col in enumerate(columns)})
    return RawExtract(
        str(path),
        list(source.column_names),
        lambda _extract: iter(table.to_batches(1 << 20)),
        line_label="row",
        first_data_line=1,
    )


def _parquet_text(column: pa.ChunkedArray) -> pa.ChunkedArray:
    if pa.types.is_floating(column.type):
        values = [None if v is None else _number_text(v) for v in column.to_pylist()]
        return pa.chunked_array([pa.array(values, pa.string())]).fill_null("")
    return column.cast(pa.string()).fill_null("")


def _number_text(value: float) -> str:
    if value != value or value in (float("inf"), float("-inf")):
        return repr(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value).upper() if "e" in repr(value) else repr(value)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return _number_text(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def read_xlsx(path: Path) -> RawExtract:
    try:
        sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
        rows = sheet.to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own error types for damaged workbooks
        raise ExtractError(str(path), None, f"not a readable XLSX workbook: {exc}") from None
    if not rows:
        raise ExtractError(str(path), 1, "the first sheet is empty: no header row")
    headers = [_cell_text(v) for v in rows[0]]
    width = len(headers)
    body = [(number, row) for number, row in enumerate(rows[1:], start=2) if any(_cell_text(v).strip() for v in row)]
    columns = {
        f"c{i}": pa.array([_cell_text(row[i]) if i < len(row) else "" for _, row in body], pa.string())
        for i in range(width)
    }
    table = pa.table(columns) if body else pa.table({f"c{i}": pa.array([], pa.string()) for i in range(width)})
    return RawExtract(
        str(path), headers, lambda _extract: iter(table.to_batches(1 << 20)), row_lines=[number for number, _ in body]
    )
