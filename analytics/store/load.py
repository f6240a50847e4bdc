"""Load extract files: validate, then write each file's periods, tiers and derived tables in one transaction.

All-or-nothing per file: a file with any problem loads nothing. Idempotent per period: loading the same
file again changes nothing; a changed file for a loaded period replaces that period.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb

from analytics.core.policy import Policy
from analytics.core.sql import execute, first_row, one_row, transaction
from analytics.ingest.extract import ExtractError, RawExtract
from analytics.ingest.files import read_extract
from analytics.ingest.validate import STAGED, Problem, map_headers, stage
from analytics.store.derived.refresh import refresh
from analytics.store.derived.tiers import tier_expression
from analytics.store.policy_record import current_policy, record_policy

SNAPSHOT_COLUMNS = (
    "period", "customer_id", "branch_id", "branch_name", "sub_branch", "region", "manager_id", "manager_name",
    "manager_role", "customer_name", "id_number", "phone", "birth_date", "age", "gender", "card_level", "status",
    "open_date", "aum", "aum_month_avg", "deposit_balance", "wealth_balance", "fund_balance", "insurance_balance",
    "credit_card_spend_ytd", "loan_balance", "product_count", "products",
)

Progress = Callable[[str, float], None]


@dataclass
class LoadResult:
    file: str
    outcome: str  # loaded | unchanged | rejected
    sha256: str = ""
    periods: list[date] = field(default_factory=list)
    rows: int = 0
    aum_total: Decimal = Decimal(0)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        periods = ", ".join(p.isoformat() for p in self.periods) or "-"
        if self.outcome == "rejected":
            return f"{self.file}: rejected, {len(self.problems)} problems, nothing loaded"
        verb = "already loaded, nothing changed" if self.outcome == "unchanged" else "loaded"
        return f"{self.file}: {verb}: {self.rows:,} rows, AUM {self.aum_total:,.2f}, periods {periods}"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 22):
            digest.update(chunk)
    return digest.hexdigest()


def apply_policy(con: duckdb.DuckDBPyConnection, policy: Policy) -> bool:
    """Record `policy` and re-tier the whole history if it differs from the one in force; True if it did."""
    recorded = first_row(con, "select sha256 from policy_in_force")
    if recorded and recorded[0] == policy.sha256:
        return False
    with transaction(con):
        record_policy(con, policy)
        basis = policy.basis
        if basis != "aum":
            missing = one_row(con, f"select count(*) from customer_snapshot where {basis} is null")[0]
            if missing:
                raise ValueError(f"{policy.source}: basis {basis} is empty on {missing} loaded rows; "
                                 f"load extracts that carry it first")
        case, params = tier_expression(policy, basis)
        retiered = one_row(con, f"update customer_snapshot set tier = {case}", params)[0]  # rows updated
        refresh(con, policy, None)
        _log(con, policy.source or "<policy>", policy.sha256, [], retiered, Decimal(0), policy, "policy", 0,
             f"policy in force; {retiered} rows re-tiered")
    return True


def load_files(con: duckdb.DuckDBPyConnection, paths: Iterable[Path], policy: Policy | None = None,
               default_period: date | None = None, progress: Progress | None = None,
               count: int | None = None) -> list[LoadResult]:
    """Load each file on its own; `policy` (when given) is applied first and re-tiers history.

    The next file is read and parsed in a thread while one is written. `paths` may be a generator (the demo's
    months, made as they are needed): it is advanced in that thread too; give `count` for the progress."""
    if policy is not None:
        apply_policy(con, policy)
    policy = current_policy(con)
    if not one_row(con, "select count(*) from policy_in_force")[0]:
        apply_policy(con, policy)
    if count is None:
        paths = list(paths)
        count = len(paths)
    upcoming = iter(paths)

    def read_next() -> OpenedFile | None:
        path = next(upcoming, None)
        return None if path is None else open_extract(Path(path))

    results: list[LoadResult] = []
    with ThreadPoolExecutor(1, thread_name_prefix="read-ahead") as reader:
        ahead = reader.submit(read_next)
        try:
            while (opened := ahead.result()) is not None:
                ahead = reader.submit(read_next)
                report = (lambda step, part, i=len(results), name=opened.path.name:
                          progress(f"{name}: {step}", (i + part) / max(count, 1))) if progress else None
                results.append(load_file(con, opened, policy, default_period, report))
        finally:
            _discard(ahead)  # a load that stopped early: the file read ahead is not needed
    return results


def _discard(read: Future[OpenedFile | None]) -> None:
    if read.cancel():
        return
    try:
        opened = read.result()
    except Exception:  # noqa: BLE001 - nobody needs this file's outcome any more
        return
    if opened is not None and opened.extract is not None:
        opened.extract.close()


@dataclass
class OpenedFile:
    path: Path
    sha256: str
    extract: RawExtract | None
    error: ExtractError | None = None


def open_extract(path: Path) -> OpenedFile:
    """The file's SHA-256 and its text cells, parsed already where the file is small enough to hold. The digest
    is taken in a thread of its own (hashlib lets go of the GIL) while the file is decoded."""
    with ThreadPoolExecutor(1, thread_name_prefix="sha256") as hasher:
        digest = hasher.submit(file_sha256, path)
        try:
            extract = read_extract(path)
        except ExtractError as exc:
            return OpenedFile(path, digest.result(), None, exc)
        try:
            extract.read_ahead()
            return OpenedFile(path, digest.result(), extract)
        except BaseException:
            extract.close()
            raise


def load_file(con: duckdb.DuckDBPyConnection, opened: OpenedFile, policy: Policy,
              default_period: date | None = None, progress: Progress | None = None) -> LoadResult:
    step = progress or (lambda _step, _part: None)
    step("reading", 0.0)
    path, sha, extract = opened.path, opened.sha256, opened.extract
    result = LoadResult(str(path), "rejected", sha)
    if extract is None:
        exc = opened.error
        assert exc is not None  # open_extract gives an extract or its error
        result.problems = [Problem(exc.file, exc.line, "*", exc.reason)]
        return _rejected(con, result, sha, policy)
    try:
        step("validating", 0.3)
        validation = map_headers(extract, default_period)
        if not validation.problems:
            try:
                validation = stage(con, extract, validation, policy.basis, default_period)
            except ExtractError as exc:  # a block of the file that cannot be parsed at all
                validation.problems = [Problem(exc.file, exc.line, "*", exc.reason)]
        result.problems, result.warnings = validation.problems, validation.warnings
        if result.problems:
            return _rejected(con, result, sha, policy)
        if extract.rows == 0:
            result.problems = [Problem(str(path), None, "*", "the file has a header but no data rows")]
            return _rejected(con, result, sha, policy)
        result.periods = [r[0] for r in con.execute(f"select distinct period from {STAGED} order by 1").fetchall()]
        result.rows, result.aum_total = one_row(con, f"select count(*), sum(aum) from {STAGED}")
        if _unchanged(con, result.periods, sha):
            result.outcome = "unchanged"
            _log(con, result.file, sha, result.periods, result.rows, result.aum_total, policy, "unchanged", 0, None)
            return result
        step("writing", 0.6)
        has_flags = any(name.startswith("has_") for name in validation.columns)
        _write(con, result, sha, policy, extract.rows, has_flags)
        result.outcome = "loaded"
        step("done", 1.0)
        return result
    finally:
        extract.close()
        con.execute(f"drop table if exists {STAGED}")


def _unchanged(con: duckdb.DuckDBPyConnection, periods: list[date], sha: str) -> bool:
    sources = execute(con, "select sha256 from period_source where period in (select unnest($periods::date[]))",
                      {"periods": periods})
    return len(sources) == len(periods) and all(s == sha for (s,) in sources)


AGE_AT_PERIOD = ("date_diff('year', birth_date, period) - "
                 "case when strftime(period, '%m%d') < strftime(birth_date, '%m%d') then 1 else 0 end")


def _snapshot_select(staged_columns: set[str], has_flags: bool) -> str:
    """Staged columns as snapshot columns; absent ones null, age and product count derived where possible."""
    exprs = {c: c if c in staged_columns else "null" for c in SNAPSHOT_COLUMNS}
    if "status" not in staged_columns:
        exprs["status"] = "'active'"
    if "age" not in staged_columns and "birth_date" in staged_columns:
        exprs["age"] = AGE_AT_PERIOD
    if "product_count" not in staged_columns and has_flags:
        exprs["product_count"] = "len(products)"
    return ", ".join(f"{expr} as {column}" for column, expr in exprs.items())


def _write(con: duckdb.DuckDBPyConnection, result: LoadResult, sha: str, policy: Policy, data_rows: int,
           has_flags: bool) -> None:
    staged_columns = {r[0] for r in con.execute(f"select column_name from (describe {STAGED})").fetchall()}
    case, params = tier_expression(policy, policy.basis)
    periods = {"periods": result.periods}
    with transaction(con):
        execute(con, "delete from customer_snapshot where period in (select unnest($periods::date[]))", periods)
        execute(con, f"""
            insert into customer_snapshot ({", ".join(SNAPSHOT_COLUMNS)}, tier)
            with typed as (select {_snapshot_select(staged_columns, has_flags)} from {STAGED})
            select *, {case} as tier from typed order by period, branch_id, customer_id
        """, params)
        written, total = one_row(con, "select count(*), coalesce(sum(aum), 0) from customer_snapshot "
                                        "where period in (select unnest($periods::date[]))", periods)
        if written != data_rows or total != result.aum_total:
            raise RuntimeError(f"{result.file}: check failed: wrote {written} rows / AUM {total}, "
                               f"file has {data_rows} rows / AUM {result.aum_total}")
        load_id = _log(con, result.file, sha, result.periods, result.rows, result.aum_total, policy, "loaded", 0,
                       "; ".join(result.warnings) or None)
        execute(con, "delete from period_source where period in (select unnest($periods::date[]))", periods)
        execute(con, f"""
            insert into period_source
            select period, $load_id, $sha256, $file_name, count(*), sum(aum) from {STAGED} group by period
        """, {"load_id": load_id, "sha256": sha, "file_name": result.file})
        refresh(con, policy, set(result.periods))


def _rejected(con: duckdb.DuckDBPyConnection, result: LoadResult, sha: str, policy: Policy) -> LoadResult:
    _log(con, result.file, sha, [], 0, Decimal(0), policy, "rejected", len(result.problems),
         "; ".join(str(p) for p in result.problems[:5]))
    return result


def _log(con: duckdb.DuckDBPyConnection, file: str, sha: str, periods: list[date], rows: int, aum: Decimal,
         policy: Policy, outcome: str, problems: int, message: str | None) -> int:
    return one_row(con, """
        insert into load_log values (nextval('load_id_seq'), current_timestamp, $file, $sha256, $periods, $rows,
                                     $aum, $policy_sha256, $outcome, $problems, $message)
        returning load_id
    """, {"file": file, "sha256": sha, "periods": ",".join(p.isoformat() for p in periods), "rows": rows, "aum": aum,
          "policy_sha256": policy.sha256, "outcome": outcome, "problems": problems, "message": message})[0]
