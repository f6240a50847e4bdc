"""Workbooks written by the command line (report pack): one sheet per table, header row frozen, amounts to the
cent, and text a spreadsheet would take for a formula written as text (Excel's quote prefix)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import xlsxwriter

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def write_workbook(path: Path, sheets: list[tuple[str, pd.DataFrame]]) -> int:
    """Write `sheets` (name, frame) to `path`; returns the number of data rows written."""
    book = xlsxwriter.Workbook(str(path), {"nan_inf_to_errors": True, "default_date_format": "yyyy-mm-dd"})
    header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    quoted = book.add_format({"quote_prefix": True})
    money = book.add_format({"num_format": "#,##0.00"})
    rows = 0
    for name, frame in sheets:
        sheet = book.add_worksheet(re.sub(r"[\[\]:*?/\\]", "_", name)[:31])
        for col, column in enumerate(frame.columns):
            sheet.write_string(0, col, str(column), header)
            sheet.set_column(col, col, max(10, len(str(column)) + 2))
            for row, value in enumerate(frame[column].tolist(), start=1):
                _write(sheet, row, col, value, quoted, money if str(column).startswith("aum") else None)
        sheet.freeze_panes(1, 0)
        rows += len(frame)
    book.close()
    return rows


def _write(sheet, row: int, col: int, value: object, quoted, money) -> None:
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value):
        sheet.write_blank(row, col, None)
    elif isinstance(value, bool):
        sheet.write_boolean(row, col, value)
    elif isinstance(value, (int, float)):
        sheet.write_number(row, col, value, money)
    elif hasattr(value, "item") and not isinstance(value, pd.Timestamp):  # numpy scalars
        _write(sheet, row, col, value.item(), quoted, money)
    elif isinstance(value, str) and value[:1] in FORMULA_STARTS:
        sheet.write_string(row, col, value, quoted)
    else:
        sheet.write_string(row, col, str(value))
