"""SQL rules that parse one cell of each kind of extract column and say why a cell does not parse.

Every builder gets the raw column `col` and the name `v` under which its parsed value is available, and
returns (value expression, reason expression); identifiers come only from our own c{i} names, values the
bank wrote are never pasted into SQL.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb

from analytics.core.sql import one_row
from analytics.ingest import columns as C

FULL_WIDTH = "".join(chr(c) for c in range(0xFF01, 0xFF5F)) + "\u3000"
HALF_WIDTH = "".join(chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)) + " "
NULL_TOKENS = ["", "null", "none", "nan", "n/a", "-", "无", "空"]
MANGLED = r"[0-9]+(\.[0-9]+)?[eE][+-]?[0-9]+"
AMOUNT = r"[-+]?([0-9]{1,3}(,[0-9]{3})+|[0-9]+)(\.[0-9]{1,2}0*|\.0*)?"
PLAIN_AMOUNT = r"[0-9]{1,16}(\.[0-9]{1,2})?"
TOO_PRECISE = r"[-+]?([0-9]{1,3}(,[0-9]{3})+|[0-9]+)\.[0-9]{2}[0-9]*[1-9][0-9]*"
DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d"]


# A reason reads the parsed value instead of parsing again, so a clean row costs one parse per cell.


def _signed(col: str) -> str:
    """The cell without its currency sign (and the spaces beside it), (1,234.00) written -1,234.00. A space inside
    the number (12 345.00) is no amount. The cell is trimmed already (cleaned): without a sign it stays as it is."""
    m = (
        f"(case when contains({col}, '¥') or contains({col}, '￥') "
        f"then trim(regexp_replace({col}, '\\s*[￥¥]\\s*', '', 'g')) else {col} end)"
    )
    return f"(case when starts_with({m}, '(') and ends_with({m}, ')') then '-' || {m}[2:-2] else {m} end)"


def any_amount(col: str) -> str:
    """The amount of a cell in any accepted spelling (AMOUNT, after _signed), or null."""
    signed = _signed(col)
    return f"(case when regexp_full_match({signed}, $amount) then try_cast(replace({signed}, ',', '') as decimal(18,2)) end)"


def _money(col: str, v: str, required: bool) -> tuple[str, str]:
    # 1234.56 as most cells are written (no sign, separator or bracket, at most 16 digits before the point): one
    # simple match and the cast, the same amount as any_amount gives, at half the cost
    value = f"(case when regexp_full_match({col}, $plain_amount) then try_cast({col} as decimal(18,2)) else {any_amount(col)} end)"
    signed = _signed(col)
    missing = "'missing value'" if required else "null"
    reason = (
        f"case when {v} is not null then null when {col} = '' then {missing} "
        f"when regexp_full_match({signed}, $too_precise) then 'more than 2 decimal places (money is exact to the cent)' "
        f"when not regexp_full_match({signed}, $amount) then 'not an amount' "
        f"else 'amount out of range' end"
    )
    return value, reason


def any_date(col: str) -> str:
    """The date of a cell in any accepted spelling (DATE_FORMATS, 年月日, a midnight time after it), or null."""
    d = f"replace(replace(replace(regexp_replace({col}, '[ T]00:00:00(\\.0+)?$', ''), '年', '-'), '月', '-'), '日', '')"
    return f"(case when {col} <> '' then try_strptime({d}, $date_formats)::date end)"


def _date(col: str, v: str) -> tuple[str, str]:
    # 2026-09-30 as most extracts write it: none of any_date's rewrites changes it and no other format reads it,
    # so the first format alone gives the same date (or none) at a fraction of the cost
    iso = f"length({col}) = 10 and {col}[5] = '-' and {col}[8] = '-'"
    value = f"(case when {iso} then try_strptime({col}, $iso_date)::date else {any_date(col)} end)"
    reason = (
        f"case when {col} <> '' and ({v} is null or year({v}) not between 1900 and 2100) "
        f"then 'not a date (use 2026-09-30, 20260930 or 2026/9/30)' end"
    )
    return value, reason


def _identifier(col: str, v: str, required_reason: str | None) -> tuple[str, str]:
    missing = f"when {col} = '' then '{required_reason}' " if required_reason else ""
    reason = (
        f"case {missing}when not regexp_matches({col}, '[.eE\\x00-\\x1f]') then null "
        f"when regexp_full_match({col}, '{MANGLED}') "
        f"then 'ID mangled by Excel into scientific notation: export it as text' "
        f"when regexp_full_match({col}, '[0-9]+\\.0+') then 'ID turned into a number by Excel: export it as text' "
        f"when regexp_matches({col}, '[\\x00-\\x1f]') then 'control characters in an ID' end"
    )
    return f"nullif({col}, '')", reason


def _phone(col: str, v: str) -> tuple[str, str]:
    value = (
        f"(case when map_extract_value(map($null_tokens, $null_tokens), lower({col})) is null "
        f"then regexp_replace({col}, '[\\s()-]', '', 'g') end)"
    )
    _, mangled = _identifier(col, v, None)
    reason = (
        f"coalesce({mangled}, case when {v} is not null and not regexp_full_match({v}, '\\+?[0-9]{{5,15}}') "
        f"then 'not a phone number' end)"
    )
    return value, reason


def _whole_number(col: str, v: str, low: int, high: int) -> tuple[str, str]:
    value = (
        f"(case when regexp_full_match({col}, '[0-9]+(\\.0+)?') "
        f"then try_cast(try_cast({col} as decimal(18,2)) as integer) end)"
    )
    reason = (
        f"case when {col} <> '' and ({v} is null or {v} not between {low} and {high}) "
        f"then 'not a whole number from {low} to {high}' end"
    )
    return value, reason


def _choice(col: str, v: str, param: str, blank: str | None) -> tuple[str, str]:
    default = "NULL" if blank is None else repr(blank)
    value = (
        f"(case when {col} = '' then {default} "
        f"else map_extract_value(map(${param}_keys, ${param}_values), lower({col})) end)"
    )
    return value, f"case when {col} <> '' and {v} is null then ${param}_reason end"


def _flag(col: str, v: str) -> tuple[str, str]:
    value = f"map_extract_value(map($flag_keys, $flag_values), lower({col}))"
    return value, f"case when {v} is null then 'not a yes/no flag (1/0, 是/否, Y/N)' end"


def _text(col: str, v: str) -> tuple[str, str]:
    return f"nullif({col}, '')", "null"


def _builder(name: str, basis: str) -> Callable[[str, str], tuple[str, str]]:
    if name == "period":
        return _period
    if name in C.MONEY:
        return lambda col, v: _money(col, v, required=name in ("aum", basis))
    if name in C.DATES:
        return _date
    if name in ("customer_id", "branch_id", "manager_id", "id_number"):
        required = {"customer_id": "missing value", "branch_id": "empty branch"}.get(name)
        return lambda col, v: _identifier(col, v, required)
    if name == "phone":
        return _phone
    if name in ("age", "product_count"):
        high = 130 if name == "age" else 999
        return lambda col, v: _whole_number(col, v, 0, high)
    if name in ("status", "gender"):
        return lambda col, v: _choice(col, v, f"{name}_map", "active" if name == "status" else None)
    if name.startswith("has_"):
        return _flag
    return _text


def _period(col: str, v: str) -> tuple[str, str]:
    value, reason = _date(col, v)
    return value, (
        f"coalesce(case when {col} = '' then 'missing value' end, {reason}, "
        f"case when {v} <> last_day({v}) then 'not a month end' end)"
    )


def expressions(columns: dict[str, str], basis: str) -> dict[str, tuple[str, str]]:
    """Per canonical column: (value expression over raw columns, reason expression over raw and v_<name>)."""
    return {name: _builder(name, basis)(col, f"v_{name}") for name, col in columns.items()}


FULL_WIDTH_CHARACTER = "[\uff01-\uff5e\u3000]"


def full_width_columns(con: duckdb.DuckDBPyConnection, columns: dict[str, str], raw: str) -> set[str]:
    """The columns of the text cells `raw` holding any full-width character; cheap: most columns are pure ASCII
    (bytes = characters)."""
    parsed = sorted({col for name, col in columns.items() if name not in C.TEXT})
    if not parsed:
        return set()
    widths = one_row(con, "select " + ", ".join(f"max(strlen({c}) - length({c})) > 0" for c in parsed) + f" from {raw}")
    wide = [c for c, is_wide in zip(parsed, widths) if is_wide]
    if not wide:
        return set()
    found = one_row(
        con,
        "select " + ", ".join(f"bool_or(regexp_matches({c}, $pattern))" for c in wide) + f" from {raw}",
        {"pattern": FULL_WIDTH_CHARACTER},
    )
    return {c for c, has in zip(wide, found) if has}


def cleaned(col: str, full_width: set[str], trim: bool = True) -> str:
    """Trimmed text, folded from full-width characters to ASCII in the columns that hold any. `trim=False`: the
    text was seen to hold no cell that starts or ends with a space (TextFacts), so the cells are as they are."""
    text = f"coalesce({col}, '')"  # an empty CSV field arrives as NULL
    if col in full_width:
        return f"trim(translate({text}, $fw_from, $fw_to)) as {col}"
    return f"trim({text}) as {col}" if trim else f"{text} as {col}"


def card_level(value: str) -> str:
    cases = " ".join(
        f"when lower({value}) in ({', '.join(repr(a) for a in aliases)}) then {level!r}"
        for level, aliases in _card_aliases().items()
    )
    return f"(case {cases} else {value} end)"


def _card_aliases() -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for alias, level in C.CARD_ALIASES.items():
        grouped.setdefault(level, []).append(alias.lower())
    return grouped


def parameters(default_period: object) -> dict[str, object]:
    """The bound parameters the rules refer to ($name)."""
    return {
        "fw_from": FULL_WIDTH,
        "fw_to": HALF_WIDTH,
        "date_formats": DATE_FORMATS,
        "iso_date": DATE_FORMATS[0],
        "amount": AMOUNT,
        "plain_amount": PLAIN_AMOUNT,
        "too_precise": TOO_PRECISE,
        "null_tokens": NULL_TOKENS,
        "flag_keys": [*C.TRUE_FLAGS, *C.FALSE_FLAGS],
        "flag_values": [True] * len(C.TRUE_FLAGS) + [False] * len(C.FALSE_FLAGS),
        "status_map_keys": list(C.STATUS_VALUES),
        "status_map_values": list(C.STATUS_VALUES.values()),
        "gender_map_keys": list(C.GENDER_VALUES),
        "gender_map_values": list(C.GENDER_VALUES.values()),
        "default_period": default_period,
        "status_map_reason": "unknown status: expected one of " + ", ".join(C.STATUS_VALUES),
        "gender_map_reason": "unknown gender: expected one of " + ", ".join(C.GENDER_VALUES),
    }
