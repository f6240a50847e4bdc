"""Excel workbooks of result tables: translated headers, 万元 and % number formats, frozen header row."""

from __future__ import annotations

import io
import re
import zipfile

import pandas as pd
import xlsxwriter

from analytics.core.policy import Policy
from ui import i18n
from ui.columns import prepare

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUOTED = "quoted"
MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = {
    "money": "#,##0.00",
    "rate": "0.00%",
    "count": "#,##0",
    "float": "0.00",
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm:ss",
}


PERCENT_POINTS = (" 个百分点", " pp")  # the unit of a rate's change, per language (i18n.LANGS)


def sheet_name(name: str) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\."""
    return re.sub(r"[\[\]:*?/\\]", "_", name)[:31] or "Sheet"


def workbook(
    sheets: list[tuple[str, pd.DataFrame]], policy: Policy, lang: str, about: list[tuple[str, str]] | None = None
) -> bytes:
    """One sheet per (name, frame); headers in `lang` (the HQ scorecard uses zh). With `about` (label, value
    rows: page, table, unit, period, filters; ui.exports.context), the workbook opens with a sheet of them."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "nan_inf_to_errors": True, "default_date_format": FORMATS["date"]}
    )
    header = book.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#DDEBF7", "border": 1})
    formats = {k: book.add_format({"num_format": v}) for k, v in FORMATS.items()}
    unit = PERCENT_POINTS[i18n.LANGS.index(lang)]
    formats["pp"] = book.add_format({"num_format": f'+0.00"{unit}";-0.00"{unit}";0.00"{unit}"'})
    formats[QUOTED] = book.add_format({"quote_prefix": True})
    used: set[str] = set()
    if about:
        title = sheet_name(i18n.TEXT["about.sheet"][i18n.LANGS.index(lang)])
        used.add(title)
        sheet = book.add_worksheet(title)
        for row, (label, value) in enumerate(about):
            sheet.write_string(row, 0, label, header)
            sheet.write_string(row, 1, value, formats[QUOTED] if _formula_like(value) else None)
        sheet.set_column(0, 0, 18)
        sheet.set_column(1, 1, 60)
    for name, frame in sheets:
        title = sheet_name(name)
        while title in used:
            title = sheet_name(title[:28] + f"_{len(used)}")
        used.add(title)
        sheet = book.add_worksheet(title)
        shown, kinds = prepare(frame, policy, lang)
        for column in [c for c in shown.columns if kinds[c] == "rate" and c.endswith("_change")]:
            shown[column], kinds[column] = shown[column] * 100, "pp"  # a change of a rate: percentage points
        headers = [_header(column, lang) for column in shown.columns]
        for col, (column, text) in enumerate(zip(shown.columns, headers)):
            sheet.write(0, col, text, header)
            cell = formats.get(kinds[column])
            sheet.set_column(col, col, max(10, min(40, len(text) * 2 if lang == "zh" else len(text) + 2)), cell)
            for row, value in enumerate(shown[column].tolist(), start=1):
                _write(sheet, row, col, value, formats[QUOTED] if _formula_like(value) else cell)
        sheet.freeze_panes(1, 0)
        if len(shown.columns):
            sheet.autofilter(0, 0, max(len(shown), 1), len(shown.columns) - 1)
    book.close()
    return buffer.getvalue()


def sheet_rows(data: bytes) -> dict[str, int]:
    """Rows below the header of each sheet of a workbook this module wrote (from each sheet's dimension)."""
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        names = re.findall(r'<sheet name="([^"]*)"', book.read("xl/workbook.xml").decode())
        rows = {}
        for number, name in enumerate(names, start=1):
            head = book.read(f"xl/worksheets/sheet{number}.xml")[:2000].decode(errors="replace")
            last = re.search(r'<dimension ref="[A-Z]+[0-9]+(?::[A-Z]+([0-9]+))?"', head)
            rows[_unescape(name)] = max(int(last.group(1)) - 1, 0) if last and last.group(1) else 0
    return rows


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")


def _header(column: str, lang: str) -> str:
    pair = i18n.COLUMNS.get(column)
    return pair[i18n.LANGS.index(lang)] if pair else column


def _formula_like(value: object) -> bool:
    """Text a spreadsheet would take for a formula (=, +, -, @, a tab or a carriage return first): written as text
    with Excel's quote prefix, so that it stays text when a user edits the cell or saves the sheet as CSV."""
    return isinstance(value, str) and value[:1] in FORMULA_STARTS


def _write(sheet, row: int, col: int, value: object, cell) -> None:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value) or value is pd.NaT:
        sheet.write_blank(row, col, None, cell)
    elif isinstance(value, pd.Timestamp):
        sheet.write_datetime(row, col, value.to_pydatetime(), cell)
    elif isinstance(value, bool):
        sheet.write_boolean(row, col, value)
    elif isinstance(value, (int, float)):
        sheet.write_number(row, col, value, cell)
    elif hasattr(value, "item"):  # numpy scalars
        _write(sheet, row, col, value.item(), cell)
    else:
        sheet.write_string(row, col, str(value), cell)
