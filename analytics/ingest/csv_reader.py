"""CSV extracts: the delimiter sniffed, the UTF-8 text parsed in blocks into text cells, rows of the wrong width
and quoted fields that never close reported with their lines."""

from __future__ import annotations

import csv
import io
import queue
import threading
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

from analytics.ingest.csv_encoding import UNKNOWN, detect_encoding, transcode
from analytics.ingest.extract import WHOLE_FILE_BYTES, ExtractError, RawExtract, csv_records

BLOCK_BYTES = 1 << 26  # CSV text parsed per batch: large enough for DuckDB to work on it with every thread
HEADER_MAX_CHARS = 1 << 26  # a header line longer than this is no extract's (a file with no line breaks)
HEADER_PIECE = 1 << 16  # the header line is read in pieces of this many characters, however long it is

DELIMITERS = (",", "\t", ";", "|")


def _sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_csv(path: Path) -> RawExtract:
    codec, skip, facts = detect_encoding(path)
    text_path = path
    if codec != "utf-8" or skip:
        text_path, facts = transcode(path, codec, skip)
    try:
        with open(text_path, encoding="utf-8", newline="") as handle:
            head = _header_text(handle, str(path))
            if not head.strip() and not handle.read(HEADER_PIECE).strip():
                raise ExtractError(str(path), 1, "the file is empty: no header line")
        delimiter = _sniff_delimiter(head.splitlines()[0] if head.strip() else "")
        try:
            headers = next(csv.reader(io.StringIO(head, newline=""), delimiter=delimiter, strict=True), [])
        except csv.Error as exc:
            raise ExtractError(str(path), 1, f"the header line cannot be read: {exc}") from None
    except BaseException:
        if text_path is not path:
            text_path.unlink(missing_ok=True)
        raise
    return RawExtract(
        str(path),
        headers,
        lambda extract: _prefetch(_csv_batches(extract, facts.quotes % 2 == 1)),
        full_width=facts.full_width,
        trim_needed=facts.trim_needed,
        text_path=text_path,
        delimiter=delimiter,
        text_is_temporary=text_path is not path,
        header_bytes=len(head.encode("utf-8")),
        quotes_pair=facts.quotes % 2 == 0 and facts is not UNKNOWN,
    )


def _header_text(handle: io.TextIOBase, file: str) -> str:
    """The header record's text, whatever its length: physical lines up to the one where its quotes close."""
    pieces: list[str] = []
    size, quotes = 0, 0
    while piece := handle.readline(HEADER_PIECE):
        pieces.append(piece)
        size += len(piece)
        quotes += piece.count('"')
        if piece.endswith(("\n", "\r")) and quotes % 2 == 0:
            break
        if size > HEADER_MAX_CHARS:
            raise ExtractError(
                file,
                1,
                f"the header line is longer than {HEADER_MAX_CHARS:,} characters "
                f"({'a quoted header never closes' if quotes % 2 else 'no line break'}): not a CSV extract",
            )
    return "".join(pieces)


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
        read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, block_size=_block_bytes(extract)),
        parse_options=pacsv.ParseOptions(
            delimiter=extract.delimiter, newlines_in_values=True, invalid_row_handler=on_invalid
        ),
        convert_options=pacsv.ConvertOptions(
            column_types={n: pa.string() for n in names}, strings_can_be_null=False, quoted_strings_can_be_null=False
        ),
    )
    try:
        if extract.csv_text.stat().st_size <= WHOLE_FILE_BYTES:  # parsed on every core at once
            yield from pacsv.read_csv(extract.csv_text, **options).to_batches()
        else:  # block by block, so memory stays bounded whatever the file's size
            yield from pacsv.open_csv(extract.csv_text, **options)
    except pa.ArrowInvalid as exc:
        if "straddling" in str(exc) or "larger than block size" in str(exc):
            raise ExtractError(
                extract.file, None, f"a row is longer than {_block_bytes(extract):,} bytes: not a CSV extract"
            ) from None
        raise ExtractError(extract.file, None, f"not a readable CSV file: {exc}") from None
    if odd_quotes:
        _check_quotes_close(extract)
    if invalid[0]:
        extract.invalid_rows = _rows_of_wrong_width(extract)


def _block_bytes(extract: RawExtract) -> int:
    """Each block must hold the header and a whole row: a wide header (rows as wide) gets blocks to match."""
    return max(BLOCK_BYTES, 4 * extract.header_bytes)


def _rows_of_wrong_width(extract: RawExtract) -> list[tuple[int, str]]:
    width = len(extract.headers)
    return [
        (start, f"{len(fields)} fields where the header has {width}")
        for start, fields in csv_records(extract.csv_text, extract.delimiter)
        if len(fields) != width
    ]


def _check_quotes_close(extract: RawExtract) -> None:
    with open(extract.csv_text, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter=extract.delimiter, strict=True)
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
