"""One extract file as text cells: the table every reader produces, and the error of a file that cannot be read."""

from __future__ import annotations

import csv
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

csv.field_size_limit(sys.maxsize)  # a bank's free-text field may exceed the module's 128 KiB default
WHOLE_FILE_BYTES = 1 << 28  # text up to this size is parsed in one go (faster); larger files stream


class ExtractError(ValueError):
    """A file that cannot be read at all: the message names the file, line and reason."""

    def __init__(self, file: str, line: int | None, reason: str):
        self.file, self.line, self.reason = file, line, reason
        super().__init__(f"{file}:{line or '-'}: {reason}")


@dataclass
class RawExtract:
    """Text cells of one file, read in batches with columns c0..cN (all strings) in file order.

    `batches()` may be iterated once; `rows` counts the data rows read so far, and `invalid_rows` is complete
    once the iteration has ended.
    """

    file: str
    headers: list[str]
    _source: Callable[[RawExtract], Iterator[pa.RecordBatch]]
    line_label: str = "line"
    first_data_line: int = 2
    invalid_rows: list[tuple[int, str]] = field(default_factory=list)  # (line, reason) of unreadable rows
    row_lines: list[int] | None = None  # sheet row of each data row, where blank rows were skipped
    full_width: bool = True  # False when the whole text was seen to hold no full-width character
    trim_needed: bool = True  # False when no cell of the whole text was seen to start or end with a space
    text_path: Path | None = None  # a CSV extract's UTF-8 text (a transcoded copy where it was not UTF-8)
    delimiter: str = ","
    text_is_temporary: bool = False
    header_bytes: int = 0  # a CSV extract's header record, in UTF-8 bytes
    quotes_pair: bool = False  # a CSV text whose quote characters pair up: DuckDB's reader may parse it directly
    rows: int = 0

    def batches(self) -> Iterator[pa.RecordBatch]:
        for batch in self._source(self):
            self.rows += batch.num_rows
            yield batch

    def read_ahead(self) -> None:
        """Parse a file small enough to hold in memory now, so a worker thread can do it while the previous file
        loads; a file that cannot be parsed raises its ExtractError later, from batches(), as it would have."""
        if self.text_path is None or self.quotes_pair or self.text_path.stat().st_size > WHOLE_FILE_BYTES:
            return  # a CSV text DuckDB reads itself (validate.stage) is parsed there, on every core
        source, parsed, error = self._source, [], None
        try:
            parsed = list(source(self))
        except ExtractError as exc:
            error = exc

        def replay(_extract: RawExtract) -> Iterator[pa.RecordBatch]:
            yield from parsed
            if error is not None:
                raise error

        self._source = replay

    def lines_of(self, indexes: list[int]) -> dict[int, int]:
        """Line number in the file of each data row index (0-based), counting quoted newlines and blank lines."""
        if self.row_lines is not None:
            return {i: self.row_lines[i] for i in indexes}
        if self.text_path is None:
            return {i: i + self.first_data_line for i in indexes}
        wanted = set(indexes)
        found: dict[int, int] = {}
        for index, (start, _fields) in enumerate(csv_records(self.text_path, self.delimiter)):
            if index in wanted:
                found[index] = start
                if len(found) == len(wanted):
                    break
        return found

    @property
    def csv_text(self) -> Path:
        """The UTF-8 text of a CSV extract."""
        if self.text_path is None:
            raise ValueError(f"{self.file} is not a CSV extract")
        return self.text_path

    def close(self) -> None:
        if self.text_path is not None and self.text_is_temporary:
            self.text_path.unlink(missing_ok=True)


def csv_records(path: Path, delimiter: str) -> Iterator[tuple[int, list[str]]]:
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
