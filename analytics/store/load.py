"""Load extract files: validate, then write each file's periods, tiers and derived tables in one transaction.

All-or-nothing per file: a file with any problem loads nothing. In each period it holds, a file replaces the
branches it holds and keeps the others (or, with `replace_period`, replaces the whole periods); a customer
already loaded for the period under a branch the file does not hold rejects it. Loading the same file again
changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb

from analytics.core.policy import Policy
from analytics.core.sql import one_row
from analytics.ingest.extract import ExtractError, RawExtract
from analytics.ingest.opened import OpenedFile, open_extract
from analytics.ingest.scratch import remove_stray_texts
from analytics.ingest.validate import STAGED, Problem, map_headers, stage
from analytics.store import branches
from analytics.store.load_result import LoadResult
from analytics.store.policy_record import current_policy
from analytics.store.write import apply_policy, log_load, write_extract

Progress = Callable[[str, float], None]


class ReadAhead:
    """Extract files opened (SHA-256, decoded, parsed where small) one ahead of the load in a worker thread, from
    the moment this is made: made before `writing()`, the first file is decoded while the database is copied.
    `paths` may be a generator (the demo's months, made as they are needed): it is advanced in that thread too.
    `names`: what problems and the load log call a file, where not its path (uploads)."""

    def __init__(self, paths: Iterable[Path], names: Mapping[Path, str] | None = None):
        self._upcoming = iter(paths)
        self._names = dict(names or {})
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="read-ahead")
        self._ahead = self._pool.submit(self._read_next)

    def _read_next(self) -> OpenedFile | None:
        path = next(self._upcoming, None)
        return None if path is None else open_extract(Path(path), self._names.get(Path(path)))

    def next(self) -> OpenedFile | None:
        """The next file opened (and the one after it started), None after the last."""
        opened = self._ahead.result()
        if opened is not None:
            self._ahead = self._pool.submit(self._read_next)
        return opened

    def close(self) -> None:
        _discard(self._ahead)  # a load that stopped early: the file read ahead is not needed
        self._pool.shutdown()

    def __enter__(self) -> ReadAhead:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def load_files(
    con: duckdb.DuckDBPyConnection,
    paths: Iterable[Path] | ReadAhead,
    policy: Policy | None = None,
    default_period: date | None = None,
    progress: Progress | None = None,
    count: int | None = None,
    replace_period: bool = False,
    names: Mapping[Path, str] | None = None,
) -> list[LoadResult]:
    """Load each file on its own; `policy` (when given) is applied first and re-tiers history. `names`: what
    problems and the load log call a file, where not its path (an upload's own name).

    The next file is read and parsed in a thread while one is written (ReadAhead; pass one made before
    `writing()` to read the first file while the database is copied, with `count`). `paths` may be a generator
    (the demo's months, made as they are needed); give `count` for the progress."""
    if policy is not None:
        apply_policy(con, policy)
    policy = current_policy(con)
    if not one_row(con, "select count(*) from policy_in_force")[0]:
        apply_policy(con, policy)
    branches.backfill_branch_sources(con)
    remove_stray_texts()  # what loads killed before their end left in the temporary folder
    if count is None and not isinstance(paths, ReadAhead):
        paths = list(paths)
        count = len(paths)
    results: list[LoadResult] = []
    with paths if isinstance(paths, ReadAhead) else ReadAhead(paths, names) as upcoming:
        while (opened := upcoming.next()) is not None:
            report = (
                (
                    lambda step, part, i=len(results), name=Path(opened.name).name: progress(
                        f"{name}: {step}", (i + part) / max(count or 1, 1)
                    )
                )
                if progress
                else None
            )
            results.append(load_file(con, opened, policy, default_period, report, replace_period))
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


def load_file(
    con: duckdb.DuckDBPyConnection,
    opened: OpenedFile,
    policy: Policy,
    default_period: date | None = None,
    progress: Progress | None = None,
    replace_period: bool = False,
) -> LoadResult:
    step = progress or (lambda _step, _part: None)
    step("reading", 0.0)
    sha, extract = opened.sha256, opened.extract
    result = LoadResult(opened.name, "rejected", sha)
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
            result.problems = [Problem(opened.name, None, "*", "the file has a header but no data rows")]
            return _rejected(con, result, sha, policy)
        result.periods = [r[0] for r in con.execute(f"select distinct period from {STAGED} order by 1").fetchall()]
        result.rows, result.aum_total = one_row(con, f"select count(*), sum(aum) from {STAGED}")
        branches.stage_file_branches(con)
        if branches.is_unchanged(con, sha, replace_period):
            result.outcome = "unchanged"
            log_load(con, result.file, sha, result.periods, result.rows, result.aum_total, policy, "unchanged", 0, None)
            return result
        if not replace_period:
            result.problems = _conflicts(extract, branches.conflicts(con))
            if result.problems:
                return _rejected(con, result, sha, policy)
        step("writing", 0.6)
        has_flags = any(name.startswith("has_") for name in validation.columns)
        write_extract(con, result, sha, policy, extract.rows, has_flags, replace_period)
        result.outcome = "loaded"
        step("done", 1.0)
        return result
    finally:
        extract.close()
        con.execute(f"drop table if exists {STAGED}")
        con.execute(f"drop table if exists {branches.FILE_BRANCHES}")


def _conflicts(extract: RawExtract, found: list[branches.Conflict]) -> list[Problem]:
    lines = extract.lines_of([c.rid for c in found]) if found else {}
    return [
        Problem(
            extract.file,
            lines.get(c.rid),
            "customer_id",
            f"customer already loaded for {c.period.isoformat()} under branch {c.branch_before}"
            f"{f' (from {c.file_before})' if c.file_before else ''} and here under branch {c.branch_here} "
            f"(a customer who moved: load both branches in one file, or the whole month with --replace-period)",
            c.customer_id,
            extract.line_label,
        )
        for c in found
    ]


def _rejected(con: duckdb.DuckDBPyConnection, result: LoadResult, sha: str, policy: Policy) -> LoadResult:
    log_load(
        con,
        result.file,
        sha,
        [],
        0,
        Decimal(0),
        policy,
        "rejected",
        len(result.problems),
        "; ".join(str(p) for p in result.problems[:5]),
    )
    return result
