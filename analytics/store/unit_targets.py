"""Per-unit quarterly targets (design.md §5 targets file): read, checked like an extract, stored by quarter."""

from __future__ import annotations

import math
from pathlib import Path

import duckdb
import pandas as pd

from analytics.core.indicators import INDICATORS
from analytics.core.periods import Quarter
from analytics.core.units import LEVELS, Level, parse_level, unit_key

HEADERS = {
    "quarter": ("quarter", "季度"),
    "level": ("level", "层级"),
    "unit": ("unit", "单位"),
    "indicator": ("indicator", "指标"),
    "target": ("target", "目标"),
}
TABLE = """create table if not exists unit_target (
    quarter varchar not null, level varchar not null, unit varchar not null, indicator varchar not null,
    target double not null, source varchar not null
)"""


def read_targets(path: Path) -> pd.DataFrame:
    """The file's rows as text with the columns quarter, level, unit, indicator, target (English or Chinese
    headers); ValueError naming the file when it cannot be read or a column is missing."""
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            raw = pd.read_excel(path, dtype=str)
        else:
            try:
                raw = pd.read_csv(path, dtype=str, encoding="utf-8-sig", skipinitialspace=True)
            except UnicodeDecodeError:
                raw = pd.read_csv(path, dtype=str, encoding="gbk", skipinitialspace=True)
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path.name}: cannot read targets: {exc}") from None
    names = {alias: name for name, aliases in HEADERS.items() for alias in aliases}
    raw = raw.rename(columns=lambda c: names.get(str(c).strip().lower(), names.get(str(c).strip(), c)))
    missing = [name for name in HEADERS if name not in raw.columns]
    if missing:
        raise ValueError(f"{path.name}: missing column(s) {', '.join(missing)}")
    return raw[list(HEADERS)].fillna("").apply(lambda column: column.str.strip())


def check_targets(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, name: str) -> list[str]:
    """One line per problem, naming the file and line (the header is line 1): an unknown quarter, level,
    unit (no such unit in the loaded data at that level) or indicator, or a target that is not a number."""
    problems, known = [], {level: _units(con, parse_level(level)) for level in LEVELS}
    for index, row in frame.iterrows():
        where = f"{name}: line {int(index) + 2}"
        try:
            Quarter.parse(row["quarter"])
        except ValueError:
            problems.append(f"{where}, column quarter: {row['quarter']!r} is not a quarter (e.g. 2026Q3)")
        if row["level"] not in LEVELS:
            problems.append(f"{where}, column level: {row['level']!r} is not a level ({', '.join(LEVELS)})")
        elif row["unit"] not in known[row["level"]]:
            problems.append(f"{where}, column unit: {row['unit']!r} is not a known {row['level']}")
        if row["indicator"] not in INDICATORS:
            problems.append(f"{where}, column indicator: {row['indicator']!r} is not one of {', '.join(INDICATORS)}")
        try:
            if not math.isfinite(float(row["target"])):
                raise ValueError
        except ValueError:
            problems.append(f"{where}, column target: {row['target']!r} is not a number")
    return problems


def load_targets(con: duckdb.DuckDBPyConnection, path: Path) -> tuple[list[str], list[str], int]:
    """Check the file and, when it has no problem, replace the targets of every quarter it names.
    Returns (problems, quarters replaced, rows loaded); a file with problems loads nothing."""
    frame = read_targets(path)
    problems = check_targets(con, frame, path.name)
    if problems:
        return problems, [], 0
    frame = frame.assign(
        quarter=frame["quarter"].map(lambda q: str(Quarter.parse(q))),
        target=frame["target"].astype(float),
        source=path.name,
    )
    quarters = sorted(frame["quarter"].unique())
    con.execute(TABLE)
    con.execute("begin")
    con.execute("delete from unit_target where list_contains($q::varchar[], quarter)", {"q": quarters})
    con.execute("insert into unit_target select quarter, level, unit, indicator, target, source from frame")
    con.execute("commit")
    return [], quarters, len(frame)


def unit_targets(con: duckdb.DuckDBPyConnection, quarter: Quarter | str, level: str) -> pd.DataFrame:
    """The targets file's targets of `quarter` at `level`: one row per unit, one column per indicator
    targeted (named <indicator>_target); empty when none was loaded."""
    exists = con.execute("select count(*) from information_schema.tables where table_name = 'unit_target'")
    if not exists.fetchone()[0]:  # type: ignore[index]
        return pd.DataFrame({"unit": pd.Series(dtype=str)})
    rows = con.execute(
        "select unit, indicator, target from unit_target where quarter = $q and level = $l",
        {"q": str(Quarter.parse(quarter)), "l": level},
    ).df()
    if rows.empty:
        return pd.DataFrame({"unit": pd.Series(dtype=str)})
    wide = rows.pivot_table(index="unit", columns="indicator", values="target", aggfunc="last")
    return wide.rename(columns=lambda i: f"{i}_target").reset_index()


def _units(con: duckdb.DuckDBPyConnection, level: Level) -> set[str]:
    return {row[0] for row in con.execute(f"select distinct {unit_key(level)} from unit_directory").fetchall()}
