"""Read an extract file of any accepted format into a table of text cells, one row per data row.

CSV encodings are detected (BOMs, UTF-8, else GB18030, which is a superset of GBK); the text is never
guessed at silently: bytes that decode in no accepted encoding are a problem with their line number.
Every cell comes back as text so that validation sees exactly what the bank exported.
"""
from __future__ import annotations

import codecs
import csv
import io
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

CHUNK = 1 << 22
FULL_WIDTH_RE = re.compile("[\uff01-\uff5e\u3000]")
DELIMITERS = (",", "\t", ";", "|")


class ExtractError(ValueError):
    """A file that cannot be read at all: the message names the file, line and reason."""

    def __init__(self, file: str, line: int | None, reason: str):
        self.file, self.line, self.reason = file, line, reason
        super().__init__(f"{file}:{line or '-'}: {reason}")


@dataclass
class RawExtract:
    """Text cells of one file: `table` has columns c0..cN (all strings) in file order."""

    file: str
    headers: list[str]
    table: pa.Table
    line_label: str = "line"
    first_data_line: int = 2
    invalid_rows: list[tuple[int, str]] = field(default_factory=list)  # (line, reason) of unreadable rows
    row_lines: list[int] | None = None  # sheet row of each data row, where blank rows were skipped
    full_width: bool = True  # False when the whole text was seen to hold no full-width character
    _text_path: Path | None = None
    _delimiter: str = ","
    _text_is_temporary: bool = False

    def lines_of(self, indexes: list[int]) -> dict[int, int]:
        """Line number in the file of each data row index (0-based), counting quoted newlines and blank lines."""
        if self.row_lines is not None:
            return {i: self.row_lines[i] for i in indexes}
        if self._text_path is None:
            return {i: i + self.first_data_line for i in indexes}
        wanted = set(indexes)
        found: dict[int, int] = {}
        for index, (start, _fields) in enumerate(_csv_records(self._text_path, self._delimiter)):
            if index in wanted:
                found[index] = start
                if len(found) == len(wanted):
                    break
        return found

    def close(self) -> None:
        if self._text_path is not None and self._text_is_temporary:
            self._text_path.unlink(missing_ok=True)


def read_extract(path: Path) -> RawExtract:
    with open(path, "rb") as handle:
        magic = handle.read(4)
    if magic == b"PAR1":
        return _read_parquet(path)
    if magic == b"PK\x03\x04":
        return _read_xlsx(path)
    return _read_csv(path)


# ---- CSV ---------------------------------------------------------------------------------------

def _detect_encoding(path: Path) -> tuple[str, int, bool]:
    """(codec, bytes of BOM to skip, any full-width character seen). UTF-8 is checked over the whole file;
    otherwise GB18030. The last is True unless the whole file was decoded here without finding one."""
    with open(path, "rb") as handle:
        head = handle.read(1 << 16)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8", 3, True
    if head.startswith(codecs.BOM_UTF16_LE) or head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16", 0, True
    # UTF-16 without a BOM: ASCII separators and digits leave NUL bytes on one side of each pair
    pairs = max(len(head) // 2, 1)
    if head[1::2].count(0) > 0.3 * pairs:
        return "utf-16-le", 0, True
    if head[0::2].count(0) > 0.3 * pairs:
        return "utf-16-be", 0, True
    decoder = codecs.getincrementaldecoder("utf-8")()
    full_width = False
    try:
        for chunk, final in _chunks_then_end(path, 0):
            full_width = bool(FULL_WIDTH_RE.search(decoder.decode(chunk, final=final))) or full_width
    except UnicodeDecodeError:
        return "gb18030", 0, True
    return "utf-8", 0, full_width


def _chunks(path: Path, skip: int) -> Iterator[bytes]:
    with open(path, "rb") as handle:
        handle.seek(skip)
        while chunk := handle.read(CHUNK):
            yield chunk


def _transcode(path: Path, codec: str, skip: int) -> tuple[Path, bool]:
    """Write the file as UTF-8 to a temporary file; undecodable bytes raise ExtractError with the line.

    Returns the file and whether any full-width character was seen."""
    decoder = codecs.getincrementaldecoder(codec)()
    fd, name = tempfile.mkstemp(prefix="extract-utf8-", suffix=".csv")
    lines_done, first, full_width = 0, True, False
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            for chunk, final in _chunks_then_end(path, skip):
                try:
                    text = decoder.decode(chunk, final=final)
                except UnicodeDecodeError as exc:
                    before = chunk[: max(exc.start, 0)].decode(codec, errors="replace")
                    raise ExtractError(str(path), lines_done + before.count("\n") + 1,
                                       f"bytes that are not valid {codec.upper()} text") from None
                if first:
                    text, first = text.lstrip("\ufeff"), False
                lines_done += text.count("\n")
                full_width = full_width or bool(FULL_WIDTH_RE.search(text))
                out.write(text)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return Path(name), full_width


def _chunks_then_end(path: Path, skip: int) -> Iterator[tuple[bytes, bool]]:
    for chunk in _chunks(path, skip):
        yield chunk, False
    yield b"", True


def _csv_records(path: Path, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(start line, fields) of every data record after the header, blank lines skipped."""
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter=delimiter, strict=False)
        next(reader, None)
        line_before = reader.line_num
        for fields in reader:
            start = line_before + 1
            line_before = reader.line_num
            if fields:
                yield start, fields


def _sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _read_csv(path: Path) -> RawExtract:
    codec, skip, full_width = _detect_encoding(path)
    text_path = path
    if codec != "utf-8" or skip:
        text_path, full_width = _transcode(path, codec, skip)
    try:
        with open(text_path, encoding="utf-8", newline="") as handle:
            head = handle.read(1 << 16)
        if not head.strip():
            raise ExtractError(str(path), 1, "the file is empty: no header line")
        first_line = head.splitlines()[0]
        delimiter = _sniff_delimiter(first_line)
        headers = next(csv.reader(io.StringIO(head), delimiter=delimiter))
        names = [f"c{i}" for i in range(len(headers))]
        invalid: list[str] = []

        def on_invalid(row: pacsv.InvalidRow) -> str:
            invalid.append(row.text)
            return "skip"

        table = pacsv.read_csv(
            text_path,
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True,
                                             invalid_row_handler=on_invalid),
            convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                                 strings_can_be_null=False, quoted_strings_can_be_null=False),
        )
    except pa.ArrowInvalid as exc:
        if text_path is not path:
            text_path.unlink(missing_ok=True)
        raise ExtractError(str(path), None, f"not a readable CSV file: {exc}") from None
    except BaseException:
        if text_path is not path:
            text_path.unlink(missing_ok=True)
        raise
    extract = RawExtract(str(path), headers, table, full_width=full_width, _text_path=text_path, _delimiter=delimiter,
                         _text_is_temporary=text_path is not path)
    if invalid:
        extract.invalid_rows = [
            (start, f"{len(fields)} fields where the header has {len(headers)}")
            for start, fields in _csv_records(text_path, delimiter) if len(fields) != len(headers)]
    return extract


# ---- Parquet and XLSX --------------------------------------------------------------------------

def _read_parquet(path: Path) -> RawExtract:
    try:
        source = pq.read_table(path)
    except (pa.ArrowException, OSError) as exc:
        raise ExtractError(str(path), None, f"not a readable Parquet file: {exc}") from None
    columns = [_parquet_text(source.column(i)) for i in range(source.num_columns)]
    table = pa.table({f"c{i}": col for i, col in enumerate(columns)})
    return RawExtract(str(path), list(source.column_names), table, line_label="row", first_data_line=1)


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


def _read_xlsx(path: Path) -> RawExtract:
    from python_calamine import CalamineWorkbook

    try:
        sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
        rows = sheet.to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own error types for damaged workbooks
        raise ExtractError(str(path), None, f"not a readable XLSX workbook: {exc}") from None
    if not rows:
        raise ExtractError(str(path), 1, "the first sheet is empty: no header row")
    headers = [_cell_text(v) for v in rows[0]]
    width = len(headers)
    body = [(number, row) for number, row in enumerate(rows[1:], start=2)
            if any(_cell_text(v).strip() for v in row)]
    columns = {f"c{i}": pa.array([_cell_text(row[i]) if i < len(row) else "" for _, row in body], pa.string())
               for i in range(width)}
    table = pa.table(columns) if body else pa.table({f"c{i}": pa.array([], pa.string()) for i in range(width)})
    return RawExtract(str(path), headers, table, row_lines=[number for number, _ in body])
