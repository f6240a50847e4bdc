"""Generated CSV extracts for the ingest property tests, and the reference reading of what each one means
(worked out without the project's readers and validation)."""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from hypothesis import strategies as st

from analytics.ingest.columns import ALIASES, REQUIRED

PERIOD = date(2026, 9, 30)
BASE = {"clean": 150, "amounts": 100, "truncated": 250, "garbage": 200, "stray": 200, "huge": 20}
SCALE = int(os.environ.get("FUZZ_EXAMPLES", sum(BASE.values()))) / sum(BASE.values())
HANG_SECONDS = 120
ENCODINGS = ("utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16")
CODEC = {"utf-8-sig": ("utf-8", codecs.BOM_UTF8), "utf-16": ("utf-16-le", codecs.BOM_UTF16_LE)}
PERIODS = ("2026-09-30", "20260930", "2026/09/30", "2026/9/30", "2026年9月30日", "2026-09-30 00:00:00")
STATUS = {
    "active": "active",
    "正常": "active",
    "closed": "closed",
    "销户": "closed",
    "Dormant": "dormant",
    "": "active",
}
OPTIONAL = ("customer_name", "region", "branch_name", "status", "remark")  # remark: an unknown column, ignored
TEXT = "abcXYZ019 张三李四华东分行\"',;|\t\n\r"
IDS = st.text("0123456789ABCDFGHKMNPQRSTUVWXYZ", min_size=1, max_size=10)  # no E: 1E5 is an Excel-mangled ID
BAD_AMOUNTS = ("12x", "1,23", "1.234", "--5", "(5", "5)", "", "1e5", "１２ｘ", "￥", "1.2.3", "(-5)")
GARBAGE = [b"\x00", b"\x01", b"\x1b", b"\x7f", b"\x80", b"\xff"]  # bytes no encoding can pair into a digit
FULL_WIDTH = {c: c + 0xFEE0 for c in range(0x21, 0x7F)} | {0x20: 0x3000}
HALF_WIDTH = {v: k for k, v in FULL_WIDTH.items()}


# ---- the reference: what a file means, worked out without readers.py and validate.py ---------------


@dataclass(frozen=True)
class Expect:
    loads: frozenset[tuple[int, Decimal]]  # acceptable (rows, AUM total) when the file loads
    may_reject: bool


MUST_REJECT = Expect(frozenset(), True)


def reference_amount(text: str) -> Decimal | None:
    """An amount in the extract contract's spellings (README: loading a bank's extracts): 1234.56, 1,234.56, ￥/¥, full-width, (1.00)."""
    # the currency sign and the spaces beside it go; a space inside the number is no amount
    text = re.sub(r"\s*[￥¥]\s*", "", text.translate(HALF_WIDTH)).strip()
    negative = text.startswith("(") and text.endswith(")")
    match = re.fullmatch(r"([+-]?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d*))?", text[1:-1] if negative else text)
    if not match or (negative and match[1]):
        return None
    fraction = (match[3] or "").rstrip("0")
    value = Decimal(f"{match[2].replace(',', '')}.{fraction or '0'}")
    if len(fraction) > 2 or value >= 10**16:
        return None
    return -value if negative or match[1] == "-" else value


def parse(text: str, delimiter: str, strict: bool) -> list[list[str]]:
    return [r for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=strict) if r]


@dataclass
class Extract:
    columns: list[str]
    rows: list[dict[str, str]]  # column -> text as written
    amounts: list[Decimal]
    encoding: str
    delimiter: str
    pieces: list[tuple[str, int | None]]  # the header, each record and each blank line; the record's index
    bad_row: int | None = None  # the record whose amount is misspelt

    @property
    def codec(self) -> str:
        return CODEC.get(self.encoding, (self.encoding,))[0]

    @property
    def bom(self) -> bytes:
        return CODEC.get(self.encoding, ("", b""))[1]

    def text(self) -> str:
        return "".join(text for text, _ in self.pieces)

    def data(self) -> bytes:
        return self.bom + self.text().encode(self.codec)

    def spans(self) -> list[tuple[int, int, int | None]]:
        """(first byte, byte after the content without its line ending, record index) of each piece."""
        position, spans = len(self.bom), []
        for text, index in self.pieces:
            spans.append((position, position + len(text.rstrip("\r\n").encode(self.codec)), index))
            position += len(text.encode(self.codec))
        return spans

    def line_of(self, index: int) -> int:
        before = "".join(t for t, _ in self.pieces[: next(n for n, (_, i) in enumerate(self.pieces) if i == index)])
        return len(before.splitlines()) + 1

    def expected_rows(self) -> list[tuple]:
        def text(row: dict[str, str], column: str) -> str | None:
            return (row[column].strip(" ") or None) if column in row else None

        return sorted(
            (
                r["customer_id"],
                r["branch_id"],
                a,
                text(r, "customer_name"),
                text(r, "region"),
                text(r, "branch_name"),
                STATUS[r["status"]] if "status" in r else "active",
            )
            for r, a in zip(self.rows, self.amounts)
        )

    def intact(self, indexes: list[int]) -> tuple[int, Decimal]:
        return len(indexes), sum((self.amounts[i] for i in indexes), Decimal(0))


def expect_from_text(extract: Extract, text: str) -> Expect:
    """A file whose header is unchanged, read the way Python's csv module reads it."""
    records = parse(text, extract.delimiter, strict=False)[1:]
    if not records or any(len(r) != len(extract.columns) for r in records):
        return MUST_REJECT
    amounts = [reference_amount(r[extract.columns.index("aum")]) for r in records]
    if None in amounts:
        return MUST_REJECT
    return Expect(frozenset({(len(records), sum(amounts, Decimal(0)))}), True)


def expect_truncated(extract: Extract, cut: int) -> Expect:
    data, spans = extract.data(), extract.spans()
    if cut <= spans[1][0]:  # no complete header line and record
        return MUST_REJECT
    whole = [i for _, end, i in spans if i is not None and end <= cut]
    torn = next(((start, i) for start, end, i in spans if i is not None and start < cut < end), None)
    try:
        data[len(extract.bom) : cut].decode(extract.codec)
        split_character = False
    except UnicodeDecodeError:
        split_character = True
    if torn is None:
        return Expect(frozenset({extract.intact(whole)}), split_character or not whole)
    start, index = torn
    as_written = extract.intact(whole + [index])
    if split_character:  # rejected, or read with its last field mangled (UTF-8 falls back to GB18030)
        return Expect(frozenset() if extract.columns[-1] == "aum" else frozenset({as_written}), True)
    text = data[start:cut].decode(extract.codec)
    try:
        fields = parse(text, extract.delimiter, strict=True)[0]
    except csv.Error:  # a quoted field cut open: see test_load_files_rejects_a_file_cut_inside_quotes
        return MUST_REJECT
    if len(fields) != len(extract.columns):
        return MUST_REJECT
    if extract.columns[-1] != "aum":  # the cut shortened another column: its value may still be valid
        return Expect(frozenset({as_written}), True)
    amount = reference_amount(fields[-1])
    if amount is None:
        return MUST_REJECT
    return Expect(frozenset({(len(whole) + 1, extract.intact(whole)[1] + amount)}), False)


# ---- generated extracts ------------------------------------------------------------------------


@st.composite
def amount_spellings(draw, encoding: str) -> tuple[str, Decimal]:
    cents = draw(st.one_of(st.integers(-(10**6), 10**8), st.integers(-(10**18) + 1, 10**18 - 1)))
    value = Decimal(cents).scaleb(-2)
    digits = f"{abs(value):,.2f}" if draw(st.booleans()) else f"{abs(value):.2f}"
    digits = draw(st.sampled_from([digits, digits.rstrip("0").rstrip("."), digits + "00"]))
    currency = draw(st.sampled_from(["", "￥", "￥ "] + ([] if encoding == "gbk" else ["¥"])))
    if value < 0:
        text = draw(st.sampled_from([f"-{currency}{digits}", f"({currency}{digits})", f"{currency}-{digits}"]))
    else:
        text = draw(st.sampled_from([f"{currency}{digits}", f"+{currency}{digits}"]))
    if draw(st.booleans()):
        text = text.translate(FULL_WIDTH)
    return draw(st.sampled_from(["", " "])) + text + draw(st.sampled_from(["", " "])), value


@st.composite
def header_spellings(draw, column: str, language: str) -> str:
    chinese = ("备注",) if column == "remark" else ALIASES[column]
    english = (column, column.upper(), column.replace("_", " ").title(), f" {column} ")
    if language == "mixed":
        language = draw(st.sampled_from(["en", "zh"]))
    return draw(st.sampled_from(english if language == "en" else chinese))


def csv_line(values: list[str], delimiter: str, quoting: int, newline: str) -> str:
    buffer = io.StringIO()  # a \r\n terminator makes the writer quote any field holding \r or \n
    csv.writer(buffer, delimiter=delimiter, quoting=quoting, lineterminator="\r\n").writerow(values)
    return buffer.getvalue()[:-2] + newline


@st.composite
def extracts(
    draw, rows: st.SearchStrategy[int] = st.integers(1, 4), huge: bool = False, bad_amount: bool = False
) -> Extract:
    encoding = draw(st.sampled_from(ENCODINGS))
    delimiter, newline = draw(st.sampled_from(",;\t|")), draw(st.sampled_from(["\n", "\r\n"]))
    quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]))
    optional = set(draw(st.lists(st.sampled_from(OPTIONAL), unique=True))) | ({"remark"} if huge else set())
    columns = draw(st.permutations([*REQUIRED, *sorted(optional)]))
    language = draw(st.sampled_from(["en", "zh", "mixed"]))
    header = [draw(header_spellings(column, language)) for column in columns]
    texts = st.text(TEXT, max_size=12)
    count = draw(rows)
    cells, amounts = [], []
    for customer_id in draw(st.lists(IDS, min_size=count, max_size=count, unique=True)):
        spelled, value = draw(amount_spellings(encoding))
        period = draw(st.sampled_from(PERIODS))
        row = {
            "period": period.translate(FULL_WIDTH) if draw(st.booleans()) else period,
            "customer_id": customer_id,
            "branch_id": draw(st.sampled_from(["0301", "B01", "00012"])),
            "aum": spelled,
        }
        row.update({c: draw(st.sampled_from(list(STATUS)) if c == "status" else texts) for c in optional})
        cells.append(row)
        amounts.append(value)
    if huge:
        seed, size = draw(st.text(TEXT, min_size=1, max_size=8)), draw(st.integers(60_000, 120_000))
        cells[draw(st.integers(0, count - 1))]["remark"] = (seed * (size // len(seed) + 1))[:size]
    bad_row = draw(st.none() | st.integers(0, count - 1)) if bad_amount else None
    if bad_row is not None:
        cells[bad_row]["aum"] = draw(st.sampled_from(BAD_AMOUNTS))
    pieces: list[tuple[str, int | None]] = [(csv_line(header, delimiter, quoting, newline), None)]
    for index, row in enumerate(cells):
        pieces += [(newline, None)] * draw(st.integers(0, 2))
        pieces.append((csv_line([row[c] for c in columns], delimiter, quoting, newline), index))
    pieces += [(newline, None)] * draw(st.integers(0, 2))
    if draw(st.booleans()):  # no line ending at the end of the file
        pieces[-1] = (pieces[-1][0].rstrip("\r\n"), pieces[-1][1])
    return Extract(list(columns), cells, amounts, encoding, delimiter, pieces, bad_row)
