"""Normalise and validate an extract's text cells in DuckDB, giving typed rows or every problem found.

Each value is normalised (full-width characters, currency signs, thousands separators, date spellings) and
parsed in one vectorised pass; a value that does not parse is a problem with its reason, never a NULL.
"""

from __future__ import annotations

import mmap
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from analytics.core.masking import mask_value
from analytics.core.sql import one_row
from analytics.ingest import cell_rules as rules
from analytics.ingest import columns as C
from analytics.ingest.extract import RawExtract

STAGED = "staged_extract"
RAW = "raw_batch"


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    column: str
    reason: str
    value: str | None = None
    line_label: str = "line"

    def __str__(self) -> str:
        value = "" if self.value is None else f": {mask_value(self.column, self.value)!r}"
        where = f"{self.line_label} {self.line}" if self.line is not None else "whole file"
        return f"{self.file}: {where}, column {self.column}: {self.reason}{value}"


@dataclass
class Validation:
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    rows: int = 0
    columns: dict[str, str] = field(default_factory=dict)  # canonical -> raw column c{i}


def map_headers(extract: RawExtract, default_period: date | None) -> Validation:
    """Map headers to canonical columns; a missing required column or a doubled one is a problem."""
    result = Validation()
    seen: dict[str, str] = {}
    unknown: list[str] = []
    for i, header in enumerate(extract.headers):
        name = C.canonical(header)
        if name is None:
            if header.strip():
                unknown.append(header.strip())
            continue
        if name in seen:
            result.problems.append(
                Problem(extract.file, 1, name, f"column appears twice (headers {seen[name]!r} and {header!r})")
            )
            continue
        seen[name] = header
        result.columns[name] = f"c{i}"
    for name in C.REQUIRED:
        if name not in result.columns and not (name == "period" and default_period):
            spellings = " / ".join((name, *C.ALIASES[name]))
            result.problems.append(Problem(extract.file, 1, name, f"missing required column ({spellings})"))
    if unknown:
        result.warnings.append(f"ignored columns: {_names(unknown)}")
    return result


NAMES_SHOWN, NAME_CHARS = 20, 60  # a warning names this many ignored columns, each cut to this length


def _names(names: list[str]) -> str:
    shown = [n if len(n) <= NAME_CHARS else f"{n[:NAME_CHARS]}... ({len(n):,} characters)" for n in names[:NAMES_SHOWN]]
    more = f" and {len(names) - NAMES_SHOWN:,} more" if len(names) > NAMES_SHOWN else ""
    return ", ".join(shown) + more


def stage(
    con: duckdb.DuckDBPyConnection, extract: RawExtract, mapping: Validation, basis: str, default_period: date | None
) -> Validation:
    """Parse every row into the temp table `staged_extract`, batch by batch; collect every problem with its line."""
    exprs = rules.expressions(mapping.columns, basis)
    if "period" not in exprs:
        exprs["period"] = "$default_period::date", "null"
    if basis not in mapping.columns and basis != "aum":
        exprs[basis] = "null", f"'{basis} (the policy basis) is missing'"
    if "card_level" in exprs:
        exprs["card_level"] = rules.card_level(exprs["card_level"][0]), "null"
    flags = [n for n in exprs if n.startswith("has_")]
    values = ", ".join(f"{v} as v_{n}" for n, (v, _) in exprs.items())
    checks = {n: r for n, (_, r) in exprs.items() if r != "null"}
    reasons = ", ".join(f"{r} as r_{n}" for n, r in checks.items()) or "null as r_none_"
    typed = ", ".join(f"v_{n} as {n}" for n in exprs if not n.startswith("has_"))
    product_list = (
        (
            "list_filter(["
            + ", ".join(f"case when v_{f} then '{f[4:]}' end" for f in flags)
            + "], lambda p: p is not null)"
        )
        if flags
        else "null::varchar[]"
    )
    any_error = " or ".join(f"r_{n} is not null" for n in checks) or "false"
    errors = (
        ", ".join(
            f"case when r_{n} is not null then {{'column': '{n}', 'reason': r_{n}, "
            f"'value': {mapping.columns.get(n, 'null')}}} end"
            for n in checks
        )
        or "null"
    )
    params = rules.parameters(default_period)

    def staged_from(source: str, full_width: set[str], into: str, trim: bool = True) -> tuple[str, dict]:
        cleaned = ", ".join(rules.cleaned(col, full_width, trim) for col in mapping.columns.values())
        used = {k: v for k, v in params.items() if f"${k}" in cleaned + values + reasons}
        sql = f"""
            {into}
            with cleaned as (select rid, {cleaned or "null as none_"} from {source}),
            parsed as (select *, {values} from cleaned),
            checked as (select *, {reasons} from parsed),
            final as (
                select rid, {typed}, {product_list} as products,
                       case when {any_error} then list_filter([{errors}], lambda e: e is not null) end
                       as errors
                from checked
            )
            select * from final
        """
        return sql, used

    if not _stage_csv_directly(con, extract, mapping.columns, staged_from):
        con.execute("set preserve_insertion_order = false")  # rows carry their rid: order is free
        try:
            for number, batch in enumerate(_numbered_batches(extract)):
                con.register(RAW, batch)
                try:
                    full_width = rules.full_width_columns(con, mapping.columns, RAW) if extract.full_width else set()
                    into = f"create or replace temp table {STAGED} as" if number == 0 else f"insert into {STAGED}"
                    con.execute(*staged_from(RAW, full_width, into))
                finally:
                    con.unregister(RAW)
        finally:
            con.execute("reset preserve_insertion_order")
    mapping.rows = extract.rows
    found = con.execute(f"""
        select rid, e.column, e.reason, e.value, null
        from (select rid, unnest(errors) as e from {STAGED} where errors is not null)
        order by rid
    """).fetchall()
    found += _duplicates(con)
    if default_period is not None and "period" in mapping.columns:
        found += _period_differs(con, default_period)
    _add_line_problems(mapping, extract, found)
    if not mapping.problems:
        negative = one_row(con, f"select count(*) from {STAGED} where aum < 0")[0]
        if negative:
            mapping.warnings.append(f"{negative} customers with negative AUM (placed in the lowest tier)")
    return mapping


def _ends_a_line(path: Path, delimiter: str) -> bool:
    """Whether a delimiter ends a line anywhere in the text. DuckDB's reader takes a delimiter at the end of a line
    for the end of the row, so a row with one field too many whose last one is empty would load without a word:
    such a text (an empty last column does the same) goes through the block reader, which counts the fields."""
    if path.stat().st_size == 0:
        return False
    with path.open("rb") as file, mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as text:
        mark = delimiter.encode()
        return text.find(mark + b"\n") >= 0 or text.find(mark + b"\r") >= 0


def _stage_csv_directly(
    con: duckdb.DuckDBPyConnection,
    extract: RawExtract,
    columns: dict[str, str],
    staged_from: Callable[[str, set[str], str, bool], tuple[str, dict]],
) -> bool:
    """Stage a CSV text with DuckDB's own reader (every thread, no copy through Python); False when the text is
    not a plain CSV it can read (no text, quotes that do not pair up, a row of the wrong width, a quote that
    never closes): then the block reader parses it and reports each such row with its line. The rows are
    numbered in file order (`rid`), blank lines skipped as the block reader skips them.

    The numbering is the new table's own row order: DuckDB keeps the reader's order through a parallel
    `create table as` (insertion order is preserved) as long as the plan has no join or window, so the rules run
    on every thread; a `row_number() over ()` would hold the whole stage to one."""
    if extract.text_path is None or not extract.quotes_pair or _ends_a_line(extract.text_path, extract.delimiter):
        return False
    names = [f"c{i}" for i in range(len(extract.headers))]
    source = (
        "(select null::bigint as rid, * from read_csv($csv_text, header = true, auto_detect = false, "
        "columns = $csv_columns, delim = $csv_delimiter, quote = '\"', escape = '\"', strict_mode = true, "
        "null_padding = false, parallel = true))"
    )
    # a file holding any full-width character: every column but free text is folded (a no-op where none is)
    full_width = {col for name, col in columns.items() if name not in C.TEXT} if extract.full_width else set()
    sql, used = staged_from(source, full_width, f"create or replace temp table {STAGED} as", extract.trim_needed)
    bound = used | {
        "csv_text": str(extract.csv_text),
        "csv_columns": {n: "VARCHAR" for n in names},
        "csv_delimiter": extract.delimiter,
    }
    con.execute("set preserve_insertion_order = true")
    try:
        con.execute(sql, bound)
    except duckdb.InvalidInputException:
        con.execute(f"drop table if exists {STAGED}")
        return False
    finally:
        con.execute("reset preserve_insertion_order")
    con.execute(f"update {STAGED} set rid = rowid")
    extract.rows = one_row(con, f"select count(*) from {STAGED}")[0]
    return True


SLICE_ROWS = 1 << 15  # DuckDB scans an Arrow table one record batch per thread: slices keep every core busy


def _numbered_batches(extract: RawExtract) -> Iterator[pa.Table]:
    """The extract's batches with `rid`, the 0-based index of each data row in the file, each as a table of
    slices; at least one."""
    offset = 0
    for batch in extract.batches():
        rows = batch.num_rows
        batch = batch.append_column("rid", pa.array(np.arange(offset, offset + rows, dtype=np.int64)))
        offset += rows
        yield pa.Table.from_batches(
            [batch.slice(start, SLICE_ROWS) for start in range(0, rows, SLICE_ROWS)], schema=batch.schema
        )
    if offset == 0:
        names = [f"c{i}" for i in range(len(extract.headers))]
        yield pa.table({**{n: pa.array([], pa.string()) for n in names}, "rid": pa.array([], pa.int64())})


Found = tuple[int, str, str, "str | None", "int | None"]  # rid, column, reason, value, rid of the first copy


def _duplicates(con: duckdb.DuckDBPyConnection) -> list[Found]:
    total, distinct = one_row(
        con,
        f"select count(*), count(distinct (period, customer_id)) from {STAGED} "
        f"where period is not null and customer_id is not null",
    )
    if total == distinct:
        return []
    rows = con.execute(f"""
        with numbered as (
            select rid, customer_id, period, branch_id,
                   row_number() over (partition by period, customer_id order by rid) as n,
                   min(rid) over (partition by period, customer_id) as first_rid,
                   arg_min(branch_id, rid) over (partition by period, customer_id) as first_branch
            from {STAGED} where period is not null and customer_id is not null
        )
        select rid, first_rid, customer_id, period, branch_id, first_branch from numbered where n > 1 order by rid
    """).fetchall()
    return [
        (rid, "customer_id", f"duplicate customer in period {period}{_branches(branch, first_branch)}", cid, first)
        for rid, first, cid, period, branch, first_branch in rows
    ]


def _branches(here: str | None, first: str | None) -> str:
    if here == first:
        return f", twice under branch {here}"
    return f", under branch {here} here and under branch {first}"


def _period_differs(con: duckdb.DuckDBPyConnection, given: date) -> list[Found]:
    """The first row whose own period is not the one given (--period): the file would replace another month."""
    rows = con.execute(
        f"select rid, period from {STAGED} where period <> $given order by rid limit 1", {"given": given}
    ).fetchall()
    return [
        (
            rid,
            "period",
            f"differs from the period given ({given.isoformat()}): the file is of another month",
            str(period),
            None,
        )
        for rid, period in rows
    ]


def _add_line_problems(result: Validation, extract: RawExtract, found: list[Found]) -> None:
    wanted = {rid for rid, *_ in found} | {first for *_, first in found if first is not None}
    lines = extract.lines_of(sorted(wanted)) if found else {}
    for rid, column, reason, value, first in found:
        if first is not None:
            reason += f" (first at {extract.line_label} {lines.get(first)})"
        result.problems.append(Problem(extract.file, lines.get(rid), column, reason, value, extract.line_label))
    for line, reason in extract.invalid_rows:
        result.problems.append(Problem(extract.file, line, "*", f"unreadable row: {reason}"))
    result.problems.sort(key=lambda p: (p.line or 0, p.column))
