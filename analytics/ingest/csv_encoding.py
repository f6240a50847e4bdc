"""The text of a CSV extract as UTF-8: its encoding detected (BOMs, UTF-8, else GB18030, a superset of GBK) and
transcoded, never guessed at silently: bytes that decode in no accepted encoding are a problem with their line."""

from __future__ import annotations

import codecs
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from analytics.ingest.extract import ExtractError
from analytics.ingest.scratch import text_file

CHUNK = 1 << 22


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


# the bytes a cell's edge can touch: a delimiter the reader sniffs, a quote, a line break
CELL_EDGES = np.frombuffer(b',\t;|"\n\r', np.uint8)


def _has_wide_space(utf8: bytes) -> bool:
    """Any of the other characters DuckDB's trim() removes (Unicode Zs besides the space: U+00A0 = C2 A0, U+1680 =
    E1 9A 80, U+2000-U+200A = E2 80 80-8A, U+202F = E2 80 AF, U+205F = E2 81 9F, U+3000 = E3 80 80), by their
    lead bytes as _has_full_width looks."""
    data = np.frombuffer(utf8, np.uint8)
    c2 = np.flatnonzero(data[:-1] == 0xC2)
    if c2.size and (data[c2 + 1] == 0xA0).any():
        return True
    for lead, next_byte, last_byte in ((0xE1, 0x9A, 0x80), (0xE3, 0x80, 0x80)):
        at = np.flatnonzero(data[:-2] == lead)
        if at.size and ((data[at + 1] == next_byte) & (data[at + 2] == last_byte)).any():
            return True
    e2 = np.flatnonzero(data[:-2] == 0xE2)
    second, third = data[e2 + 1], data[e2 + 2]
    general = (second == 0x80) & ((third <= 0x8A) | (third == 0xAF))  # U+2000-U+200A, U+202F
    return bool(e2.size and (general | ((second == 0x81) & (third == 0x9F))).any())


def _has_edge_space(utf8: bytes, before: bytes = b"") -> bool:
    """Any space beside a cell's edge (a delimiter, quote or line break) in `before + utf8`, or any of the other
    spaces trim() removes anywhere: without one, no cell of the text needs trimming. `before` is the end of the
    text seen before, so a space that ends one chunk is judged by the byte that starts the next."""
    data = np.frombuffer(before[-1:] + utf8, np.uint8)
    spaces = np.flatnonzero(data == 0x20)
    if spaces.size:
        after = spaces[spaces < data.size - 1] + 1
        earlier = spaces[spaces > 0] - 1
        if np.isin(data[after], CELL_EDGES).any() or np.isin(data[earlier], CELL_EDGES).any():
            return True
    return _has_wide_space(before[-2:] + utf8[:2]) or _has_wide_space(utf8)


@dataclass
class TextFacts:
    """What one pass over the text learned: any full-width character, any cell with a space at its edge, and
    whether quotes pair up."""

    full_width: bool = False
    edge_spaces: bool = False
    quotes: int = 0
    last_byte: bytes = b""

    def see(self, utf8: bytes, before: bytes = b"") -> None:
        self.full_width = self.full_width or _has_full_width(before + utf8[:2]) or _has_full_width(utf8)
        self.edge_spaces = self.edge_spaces or _has_edge_space(utf8, before)
        self.quotes += utf8.count(b'"')
        self.last_byte = utf8[-1:] or self.last_byte

    @property
    def trim_needed(self) -> bool:
        """Whether any cell may start or end with a space (the text's very last byte ends its last cell)."""
        return self.edge_spaces or self.last_byte == b" "


UNKNOWN = TextFacts(full_width=True, edge_spaces=True)


THREE_BYTE_LEAD = re.compile(rb"[\xe0-\xef]")


def detect_encoding(path: Path) -> tuple[str, int, TextFacts]:
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
    if (utf16 := _utf16_without_bom(path, head)) is not None:
        return utf16, 0, UNKNOWN
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


def _utf16_without_bom(path: Path, head: bytes) -> str | None:
    """UTF-16 without a BOM, told by its NUL bytes (`_utf16_by_nuls`) in the head, or else in the text after the
    first line break: a header of Chinese names may fill any fixed head without one NUL, the rows after it not."""
    if (found := _utf16_by_nuls(head)) is not None:
        return found
    with open(path, "rb") as handle:
        offset = 0
        while piece := handle.read(CHUNK):
            if (at := piece.find(b"\n")) >= 0:
                handle.seek(offset + at - (offset + at) % 2)  # from a pair's first byte: the sides stay apart
                return _utf16_by_nuls(handle.read(len(head) or 1))
            offset += len(piece)
    return None


def _utf16_by_nuls(sample: bytes) -> str | None:
    """ASCII separators, digits and line breaks in UTF-16 leave NUL bytes on one side of each pair, hardly any on
    the other (a CJK character whose low byte is 0); UTF-8 and GB18030 text holds no NUL byte at all."""
    odd, even = sample[1::2].count(0), sample[0::2].count(0)
    pairs = max(len(sample) // 2, 1)
    if max(odd, even) < 0.02 * pairs or min(odd, even) > 0.1 * max(odd, even):
        return None
    return "utf-16-le" if odd > even else "utf-16-be"


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


def transcode(path: Path, codec: str, skip: int) -> tuple[Path, TextFacts]:
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
    fd, target = text_file()
    facts = None
    try:
        with os.fdopen(fd, "wb") as out:
            done = subprocess.run(
                [iconv, "-f", "GB18030", "-t", "UTF-8", str(path)], stdout=out, stderr=subprocess.DEVNULL, check=False
            )
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
    fd, target = text_file()
    lines_done, first, facts, tail = 0, True, TextFacts(), b""
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk, final in _chunks_then_end(path, skip):
                try:
                    text = decoder.decode(chunk, final=final)
                except UnicodeDecodeError as exc:
                    before = chunk[: max(exc.start, 0)].decode(codec, errors="replace")
                    raise ExtractError(
                        str(path), lines_done + before.count("\n") + 1, f"bytes that are not valid {codec.upper()} text"
                    ) from None
                if first:
                    text, first = text.lstrip("\ufeff"), False
                lines_done += text.count("\n")
                data = text.encode("utf-8")
                facts.see(data, tail)
                tail = data[-2:] or tail
                out.write(data)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return target, facts


def _chunks_then_end(path: Path, skip: int) -> Iterator[tuple[bytes, bool]]:
    for chunk in _chunks(path, skip):
        yield chunk, False
    yield b"", True
