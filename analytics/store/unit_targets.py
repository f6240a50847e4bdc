"""Per-unit quarterly targets (design.md §5 targets file): read, checked like an extract, stored by quarter."""

from __future__ import annotations

import math
from dataclasses import dataclass
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


def read_targets(path: Path, name: str | None = None) -> pd.DataFrame:
    """The file's rows as text with the columns quarter, level, unit, indicator, target (English or Chinese
    headers); ValueError naming the file (`name`, by default its own) when it cannot be read or a column is
    missing."""
    name = name or path.name
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            raw = pd.read_excel(path, dtype=str)
        else:
            try:
                raw = pd.read_csv(path, dtype=str, encoding="utf-8-sig", skipinitialspace=True)
            except UnicodeDecodeError:
                raw = pd.read_csv(path, dtype=str, encoding="gbk", skipinitialspace=True)
    except (OSError, ValueError) as exc:
        raise ValueError(f"{name}: cannot read targets: {exc}") from None
    names = {alias: name for name, aliases in HEADERS.items() for alias in aliases}
    raw = raw.rename(columns=lambda c: names.get(str(c).strip().lower(), names.get(str(c).strip(), c)))
    missing = [name for name in HEADERS if name not in raw.columns]
    if missing:
        raise ValueError(f"{name}: missing column(s) {', '.join(missing)}")
    return raw[list(HEADERS)].fillna("").apply(lambda column: column.str.strip())


@dataclass(frozen=True)
class TargetProblem:
    """One problem of a targets file: the file, its line (the header is line 1), the column and why."""

    file: str
    line: int
    column: str
    reason: str
    value: str = ""  # the cell as read (unit codes, quarters, numbers: no personal data)

    def __str__(self) -> str:
        return f"{self.file}: line {self.line}, column {self.column}: {self.reason}"


def check_targets(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, name: str) -> list[TargetProblem]:
    """Every problem of the file's rows (str() of one names the file, line and column): an unknown quarter,
    level, unit (no such unit in the loaded data at that level) or indicator, or a target that is not a number."""
    problems, known = [], {level: _units(con, parse_level(level)) for level in LEVELS}
    for index, row in frame.iterrows():
        line = int(index) + 2
        try:
            Quarter.parse(row["quarter"])
        except ValueError:
            reason = f"{row['quarter']!r} is not a quarter (e.g. 2026Q3)"
            problems.append(TargetProblem(name, line, "quarter", reason, row["quarter"]))
        if row["level"] not in LEVELS:
            reason = f"{row['level']!r} is not a level ({', '.join(LEVELS)})"
            problems.append(TargetProblem(name, line, "level", reason, row["level"]))
        elif row["unit"] not in known[row["level"]]:
            reason = f"{row['unit']!r} is not a known {row['level']}"
            problems.append(TargetProblem(name, line, "unit", reason, row["unit"]))
        if row["indicator"] not in INDICATORS:
            reason = f"{row['indicator']!r} is not one of {', '.join(INDICATORS)}"
            problems.append(TargetProblem(name, line, "indicator", reason, row["indicator"]))
        try:
            if not math.isfinite(float(row["target"])):
                raise ValueError
        except ValueError:
            problems.append(TargetProblem(name, line, "target", f"{row['target']!r} is not a number", row["target"]))
    return problems


def load_targets(
    con: duckdb.DuckDBPyConnection, path: Path, name: str | None = None
) -> tuple[list[TargetProblem], list[str], int]:
    """Check the file (named `name` in problems, by default its own name) and, when it has no problem, replace
    the targets of every quarter it names. Returns (problems, quarters replaced, rows loaded); a file with
    problems loads nothing."""
    name = name or path.name
    frame = read_targets(path, name)
    problems = check_targets(con, frame, name)
    if problems:
        return problems, [], 0
    frame = frame.assign(
        quarter=frame["quarter"].map(lambda q: str(Quarter.parse(q))),
        target=frame["target"].astype(float),
        source=name,
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
