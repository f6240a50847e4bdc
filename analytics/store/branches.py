"""Which rows a file replaces: in each period it holds, exactly the branches it holds (or, with --replace-period,
the whole period); the branches of earlier loads it keeps; customers it would load twice; and the sources of
each period x branch (branch_source) and of each period (period_source)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import duckdb

from analytics.core.sql import execute, one_row
from analytics.ingest.validate import STAGED

FILE_BRANCHES = "file_branches"  # temp: the staged file's period x branch, with rows and AUM
FILES_NAMED = 3  # period_source.file_name lists this many files, then counts the rest


@dataclass(frozen=True)
class Conflict:
    """A customer of the file already loaded for the period under a branch the file does not hold."""

    rid: int  # data row index in the file
    customer_id: str
    period: date
    branch_here: str
    branch_before: str
    file_before: str | None


def stage_file_branches(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"""
        create or replace temp table {FILE_BRANCHES} as
        select period, branch_id, count(*) as rows, sum(aum) as aum_total from {STAGED} group by all
    """)


def backfill_branch_sources(con: duckdb.DuckDBPyConnection) -> None:
    """A database loaded before branch_source existed: each stored period x branch gets its period's source."""
    if not one_row(con, "select count(*) from period_source where period not in (select period from branch_source)")[0]:
        return
    con.execute("""
        insert into branch_source
        select s.period, s.branch_id, p.load_id, p.sha256, p.file_name, count(*), sum(s.aum)
        from customer_snapshot s join period_source p using (period)
        where s.period not in (select period from branch_source)
        group by all
    """)


def other_branches(con: duckdb.DuckDBPyConnection) -> dict[date, list[str]]:
    """Per period of the staged file, the branches already loaded that the file does not hold."""
    rows = execute(
        con,
        f"""
        with final as (
            select b.period, b.branch_id from branch_source b
            where b.period in (select period from {FILE_BRANCHES})
              and not exists (select 1 from {FILE_BRANCHES} f where f.period = b.period and f.branch_id = b.branch_id)
        )
        select * from final order by period, branch_id
    """,
    )
    found: dict[date, list[str]] = defaultdict(list)
    for period, branch in rows:
        found[period].append(branch)
    return dict(found)


def is_unchanged(con: duckdb.DuckDBPyConnection, sha: str, replace_period: bool) -> bool:
    """Every period x branch of the staged file was last loaded from this same file (`sha`), and, when whole
    periods are replaced, no other branch is loaded for them: loading it again would change nothing."""
    held, same = one_row(
        con,
        f"""
        select count(*), count(b.sha256) filter (where b.sha256 = $sha)
        from {FILE_BRANCHES} f left join branch_source b using (period, branch_id)
    """,
        {"sha": sha},
    )
    return held == same and not (replace_period and other_branches(con))


def conflicts(con: duckdb.DuckDBPyConnection) -> list[Conflict]:
    """Customers of the staged file already loaded for the period under a branch the file does not hold."""
    if not other_branches(con):
        return []
    rows = execute(
        con,
        f"""
        with kept as (
            select s.period, s.customer_id, s.branch_id from customer_snapshot s
            where s.period in (select period from {FILE_BRANCHES})
              and not exists (select 1 from {FILE_BRANCHES} f where f.period = s.period and f.branch_id = s.branch_id)
        ),
        final as (
            select st.rid, st.customer_id, st.period, st.branch_id as branch_here, kept.branch_id as branch_before,
                   b.file_name as file_before
            from {STAGED} st
            join kept using (period, customer_id)
            left join branch_source b on b.period = kept.period and b.branch_id = kept.branch_id
        )
        select * from final order by rid
    """,
    )
    return [Conflict(*row) for row in rows]


def delete_replaced(con: duckdb.DuckDBPyConnection, periods: list[date], replace_period: bool) -> None:
    """Remove what the staged file replaces: its periods' rows of the branches it holds, or the whole periods."""
    params = {"periods": periods}
    if replace_period:
        execute(con, "delete from customer_snapshot where period in (select unnest($periods::date[]))", params)
        return
    execute(
        con,
        f"""
        delete from customer_snapshot s using {FILE_BRANCHES} f
        where s.period in (select unnest($periods::date[])) and s.period = f.period and s.branch_id = f.branch_id
    """,
        params,
    )


def written_rows(con: duckdb.DuckDBPyConnection, periods: list[date]) -> tuple[int, object, int]:
    """(rows and AUM now stored for the file's period x branch, rows now stored in its periods in all)."""
    written, total = one_row(
        con,
        f"select count(*), coalesce(sum(aum), 0) from customer_snapshot join {FILE_BRANCHES} using (period, branch_id)",
    )
    in_periods = one_row(
        con,
        "select count(*) from customer_snapshot where period in (select unnest($periods::date[]))",
        {"periods": periods},
    )[0]
    return written, total, in_periods


def kept_rows(con: duckdb.DuckDBPyConnection) -> int:
    """Rows the load keeps in the file's periods: those of the other branches, as recorded."""
    return one_row(
        con,
        f"""
        select coalesce(sum(rows), 0) from branch_source b
        where b.period in (select period from {FILE_BRANCHES})
          and not exists (select 1 from {FILE_BRANCHES} f where f.period = b.period and f.branch_id = b.branch_id)
    """,
    )[0]


def record_sources(
    con: duckdb.DuckDBPyConnection, load_id: int, sha: str, file: str, periods: list[date], replace_period: bool
) -> None:
    """branch_source: the file's period x branch from this load (a whole period's other branches dropped when it
    replaced the period); period_source: each period's rows, AUM and files, from its branches."""
    params = {"periods": periods}
    if replace_period:
        execute(con, "delete from branch_source where period in (select unnest($periods::date[]))", params)
    else:
        execute(
            con,
            f"delete from branch_source b using {FILE_BRANCHES} f where b.period = f.period and b.branch_id = f.branch_id",
        )
    execute(
        con,
        f"insert into branch_source select period, branch_id, $load_id, $sha256, $file_name, rows, aum_total "
        f"from {FILE_BRANCHES}",
        {"load_id": load_id, "sha256": sha, "file_name": file},
    )
    per_period = execute(
        con,
        """
        select period, max(load_id), arg_max(sha256, load_id), list(distinct file_name order by file_name),
               sum(rows), sum(aum_total)
        from branch_source where period in (select unnest($periods::date[])) group by period
    """,
        params,
    )
    execute(con, "delete from period_source where period in (select unnest($periods::date[]))", params)
    for period, last_load, last_sha, files, rows, aum in per_period:
        execute(
            con,
            "insert into period_source values ($period, $load_id, $sha256, $file_name, $rows, $aum_total)",
            {
                "period": period,
                "load_id": last_load,
                "sha256": last_sha,
                "file_name": files_named(files),
                "rows": rows,
                "aum_total": aum,
            },
        )


def files_named(files: list[str]) -> str:
    """The files a period's rows come from, as period_source (and the Data page) shows them."""
    if len(files) <= FILES_NAMED:
        return ", ".join(files)
    return f"{', '.join(files[:FILES_NAMED])} and {len(files) - FILES_NAMED} more files"
