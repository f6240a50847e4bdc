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
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

CHUNK = 1 << 22
csv.field_size_limit(sys.maxsize)  # a bank's free-text field may exceed the module's 128 KiB default
BLOCK_BYTES = 1 << 26  # CSV text parsed per batch: large enough for DuckDB to work on it with every thread
WHOLE_FILE_BYTES = 1 << 28  # text up to this size is parsed in one go (faster); larger files stream


def _has_full_width(utf8: bytes) -> bool:
    """Any full-width form (U+FF00-U+FF7F: EF BC xx, EF BD xx) or ideographic space (U+3000: E3 80 80) in the
    UTF-8 bytes. UTF-8 is self-synchronising, so these byte sequences are exactly those characters; numpy looks
    at every lead byte at once (Chinese text is full of EF and E3 bytes, which slow a plain bytes search)."""
    data = np.frombuffer(utf8, np.uint8)
    ef = np.flatnonzero(data[:-1] == 0xEF)
    if ef.size and ((data[ef + 1] == 0xBC) | (data[ef + 1] == 0xBD)).any():
        return True
    e3 = np.flatnonzero(data[:-2] == 0xE3)
    return bool(e3.size and ((data[e3 + 1] == 0x80) & (data[e3 + 2] == 0x80)).any())


DELIMITERS = (",", "\t", ";", "|")


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
    _source: Callable[["RawExtract"], Iterator[pa.RecordBatch]]
    line_label: str = "line"
    first_data_line: int = 2
    invalid_rows: list[tuple[int, str]] = field(default_factory=list)  # (line, reason) of unreadable rows
    row_lines: list[int] | None = None  # sheet row of each data row, where blank rows were skipped
    full_width: bool = True  # False when the whole text was seen to hold no full-width character
    _text_path: Path | None = None
    _delimiter: str = ","
    _text_is_temporary: bool = False
    rows: int = 0

    def batches(self) -> Iterator[pa.RecordBatch]:
        for batch in self._source(self):
            self.rows += batch.num_rows
            yield batch

    def read_ahead(self) -> None:
        """Parse a file small enough to hold in memory now, so a worker thread can do it while the previous file
        loads; a file that cannot be parsed raises its ExtractError later, from batches(), as it would have."""
        if self._text_path is None or self._text_path.stat().st_size > WHOLE_FILE_BYTES:
            return
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
    if magic in (b"PAR1", b"PK\x03\x04"):
        from analytics.sheets import read_parquet, read_xlsx  # they build on this module's RawExtract

        return read_parquet(path) if magic == b"PAR1" else read_xlsx(path)
    return _read_csv(path)


# ---- CSV ---------------------------------------------------------------------------------------

@dataclass
class TextFacts:
    """What one pass over the text learned: any full-width character, and whether quotes pair up."""

    full_width: bool = False
    quotes: int = 0

    def see(self, utf8: bytes, before: bytes = b"") -> None:
        self.full_width = self.full_width or _has_full_width(before + utf8[:2]) or _has_full_width(utf8)
        self.quotes += utf8.count(b'"')


UNKNOWN = TextFacts(full_width=True)
THREE_BYTE_LEAD = re.compile(rb"[\xe0-\xef]")


def _detect_encoding(path: Path) -> tuple[str, int, TextFacts]:
    """(codec, bytes of BOM to skip, facts of the text when it was read here in full).

    UTF-8 is checked over the whole file; otherwise GB18030. Short GBK text can also be valid UTF-8 (状态 in
    GBK reads as the Hebrew and combining marks ״̬): a valid UTF-8 file with no three-byte sequence (so no
    Chinese in UTF-8) whose other characters are not the Latin ones an extract may hold (¥, ·, é) is read as
    GB18030 when it decodes as such."""
    with open(path, "rb") as handle:
        head = handle.read(1 << 16)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8", 3, UNKNOWN
    if head.startswith(codecs.BOM_UTF16_LE) or head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16", 0, UNKNOWN
    # UTF-16 without a BOM: ASCII separators and digits leave NUL bytes on one side of each pair
    pairs = max(len(head) // 2, 1)
    if head[1::2].count(0) > 0.3 * pairs:
        return "utf-16-le", 0, UNKNOWN
    if head[0::2].count(0) > 0.3 * pairs:
        return "utf-16-be", 0, UNKNOWN
    decoder = codecs.getincrementaldecoder("utf-8")()
    facts, tail, three_byte, high = TextFacts(), b"", False, False
    try:
        for chunk, final in _chunks_then_end(path, 0):
            decoder.decode(chunk, final=final)
            facts.see(chunk, tail)
            tail = chunk[-2:]
            three_byte = three_byte or bool(THREE_BYTE_LEAD.search(chunk))
            high = high or not chunk.isascii()
    except UnicodeDecodeError:
        return "gb18030", 0, UNKNOWN
    if high and not three_byte and not _latin(path) and _decodes(path, "gb18030"):
        return "gb18030", 0, UNKNOWN
    return "utf-8", 0, facts


def _latin(path: Path) -> bool:
    """Every non-ASCII character of the (UTF-8) file is in Latin-1 Supplement or Latin Extended-A."""
    text = path.read_bytes().decode("utf-8")
    return all(ord(ch) <= 0x17F for ch in text if ord(ch) > 0x7F)


def _decodes(path: Path, codec: str) -> bool:
    try:
        path.read_bytes().decode(codec)
    except UnicodeDecodeError:
        return False
    return True


def _chunks(path: Path, skip: int) -> Iterator[bytes]:
    with open(path, "rb") as handle:
        handle.seek(skip)
        while chunk := handle.read(CHUNK):
            yield chunk


def _transcode(path: Path, codec: str, skip: int) -> tuple[Path, TextFacts]:
    """Write the file as UTF-8 to a temporary file; undecodable bytes raise ExtractError with the line.

    GB18030 goes through the C library's iconv where there is one (twice as fast, and in a process of its own);
    whatever iconv refuses or marks with a BOM is done again here, where the error gets its line number."""
    if codec == "gb18030" and not skip and (converted := _iconv_gb18030(path)) is not None:
        return converted
    return _transcode_here(path, codec, skip)


def _iconv_gb18030(path: Path) -> tuple[Path, TextFacts] | None:
    iconv = shutil.which("iconv")
    if iconv is None:
        return None
    fd, name = tempfile.mkstemp(prefix="extract-utf8-", suffix=".csv")
    target, facts = Path(name), None
    try:
        with os.fdopen(fd, "wb") as out:
            done = subprocess.run([iconv, "-f", "GB18030", "-t", "UTF-8", str(path)], stdout=out,
                                  stderr=subprocess.DEVNULL, check=False)
        if done.returncode == 0:
            facts = _utf8_facts(target)
    finally:
        if facts is None:
            target.unlink(missing_ok=True)
    return None if facts is None else (target, facts)


def _utf8_facts(path: Path) -> TextFacts | None:
    """What the UTF-8 file holds; None when it starts with a BOM, which the transcoder here strips."""
    facts, tail = TextFacts(), b""
    for index, chunk in enumerate(_chunks(path, 0)):
        if index == 0 and chunk.startswith(codecs.BOM_UTF8):
            return None
        facts.see(chunk, tail)
        tail = chunk[-2:]
    return facts


def _transcode_here(path: Path, codec: str, skip: int) -> tuple[Path, TextFacts]:
    decoder = codecs.getincrementaldecoder(codec)()
    fd, name = tempfile.mkstemp(prefix="extract-utf8-", suffix=".csv")
    lines_done, first, facts = 0, True, TextFacts()
    try:
        with os.fdopen(fd, "wb") as out:
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
                data = text.encode("utf-8")
                facts.see(data)
                out.write(data)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return Path(name), facts


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
    codec, skip, facts = _detect_encoding(path)
    text_path = path
    if codec != "utf-8" or skip:
        text_path, facts = _transcode(path, codec, skip)
    try:
        with open(text_path, encoding="utf-8", newline="") as handle:
            head = handle.read(1 << 16)
        if not head.strip():
            raise ExtractError(str(path), 1, "the file is empty: no header line")
        delimiter = _sniff_delimiter(head.splitlines()[0])
        try:
            headers = next(csv.reader(io.StringIO(head, newline=""), delimiter=delimiter, strict=True))
        except csv.Error as exc:
            raise ExtractError(str(path), 1, f"the header line cannot be read: {exc}") from None
    except BaseException:
        if text_path is not path:
            text_path.unlink(missing_ok=True)
        raise
    return RawExtract(str(path), headers, lambda extract: _prefetch(_csv_batches(extract, facts.quotes % 2 == 1)),
                      full_width=facts.full_width, _text_path=text_path, _delimiter=delimiter,
                      _text_is_temporary=text_path is not path)


def _csv_batches(extract: RawExtract, odd_quotes: bool) -> Iterator[pa.RecordBatch]:
    """Parse the UTF-8 text in blocks; rows with the wrong number of fields are collected, with their lines.

    An odd number of quote characters may mean a quoted field that never closes (a truncated file), which
    the block parser would accept: the strict parser then finds its line."""
    names = [f"c{i}" for i in range(len(extract.headers))]
    invalid = [False]

    def on_invalid(_row: pacsv.InvalidRow) -> str:
        invalid[0] = True
        return "skip"

    options = dict(
        read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, block_size=BLOCK_BYTES),
        parse_options=pacsv.ParseOptions(delimiter=extract._delimiter, newlines_in_values=True,
                                         invalid_row_handler=on_invalid),
        convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                             strings_can_be_null=False, quoted_strings_can_be_null=False),
    )
    try:
        if extract._text_path.stat().st_size <= WHOLE_FILE_BYTES:  # parsed on every core at once
            yield from pacsv.read_csv(extract._text_path, **options).to_batches()
        else:  # block by block, so memory stays bounded whatever the file's size
            yield from pacsv.open_csv(extract._text_path, **options)
    except pa.ArrowInvalid as exc:
        raise ExtractError(extract.file, None, f"not a readable CSV file: {exc}") from None
    if odd_quotes:
        _check_quotes_close(extract)
    if invalid[0]:
        extract.invalid_rows = _rows_of_wrong_width(extract)


def _rows_of_wrong_width(extract: RawExtract) -> list[tuple[int, str]]:
    width = len(extract.headers)
    return [(start, f"{len(fields)} fields where the header has {width}")
            for start, fields in _csv_records(extract._text_path, extract._delimiter) if len(fields) != width]


def _check_quotes_close(extract: RawExtract) -> None:
    with open(extract._text_path, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter=extract._delimiter, strict=True)
        line = 1
        try:
            for _ in reader:
                line = reader.line_num + 1
        except csv.Error:
            raise ExtractError(extract.file, line, "a quoted field is never closed (is the file cut short?)") from None


def _prefetch(batches: Iterator[pa.RecordBatch], depth: int = 2) -> Iterator[pa.RecordBatch]:
    """Read the next batches in a thread while the caller works on this one (parsing releases the GIL)."""
    slots: queue.Queue = queue.Queue(maxsize=depth)
    done = object()
    stop = threading.Event()

    def produce() -> None:
        try:
            for batch in batches:
                if stop.is_set():
                    return
                slots.put(batch)
            slots.put(done)
        except BaseException as exc:  # handed to the consumer, which raises it
            slots.put(exc)

    worker = threading.Thread(target=produce, daemon=True)
    worker.start()
    try:
        while (item := slots.get()) is not done:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while worker.is_alive():  # unblock a producer waiting on a full queue
            try:
                slots.get_nowait()
            except queue.Empty:
                worker.join(0.01)
