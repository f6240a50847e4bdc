"""The Spark job: a warehouse's snapshots tiered under the policy, period by period with the downgrade buffer, and
every derived table built from the queries the load runs on DuckDB (store.derived.plan, rendered for Spark SQL by
store.derived.dialect), written as Parquet with a manifest.

Only this module imports pyspark; the CLI imports it when `warehouse build` runs. The executors run Spark SQL only
(no Python code is shipped to them), so a cluster needs this package and its requirements on the driver alone.
"""

from __future__ import annotations

import os
import time
from datetime import date
from functools import reduce
from pathlib import Path
from typing import Any

from pyspark.sql import DataFrame, SparkSession

from analytics.core.policy import Policy
from analytics.store.derived.dialect import spark_sql
from analytics.store.derived.pairs import pairs_wanted
from analytics.store.derived.plan import all_queries
from analytics.store.derived.query import Query
from analytics.store.tiering import PATH_COLUMNS, path_query, state_columns, state_of_step
from analytics.store.write import SNAPSHOT_COLUMNS
from analytics.warehouse import manifest
from analytics.warehouse.layout import BUILT, PARTITIONS, SNAPSHOTS, columns, spark_type, typed_select

LOCAL_SHUFFLE_PARTITIONS = "4"  # local[N]: a few tasks per stage, not Spark's 200
LOCAL_DRIVER_MEMORY = "3g"  # local[N]: the driver is the executor; 1M customers x 12 months fit with room to spare


def session(master: str | None, hive: bool = False) -> SparkSession:
    """The job's SparkSession (spark-submit's settings, or `master` such as local[2]); the UI off when local."""
    builder = SparkSession.builder.appName("tier-analytics warehouse build")
    if master:
        builder = builder.master(master)
    if master and master.startswith("local"):
        builder = builder.config("spark.sql.shuffle.partitions", LOCAL_SHUFFLE_PARTITIONS)
        builder = builder.config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
        builder = builder.config("spark.driver.memory", LOCAL_DRIVER_MEMORY)
    builder = builder.config("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
    if hive:
        builder = builder.enableHiveSupport()
    return builder.getOrCreate()


def snapshot_schema(names: tuple[str, ...] | list[str]) -> str:
    return ", ".join(f"{c} {spark_type(SNAPSHOTS, c)}" for c in names)


def read_snapshots(spark: SparkSession, source: Path | None, table: str | None) -> DataFrame:
    """The snapshot columns (store.write.SNAPSHOT_COLUMNS) of a Hive table or of Hive-partitioned Parquet (an
    export folder or its customer_snapshot folder), each cast to the store's type; absent optional columns null."""
    if table:
        frame = spark.table(table)
    else:
        assert source is not None
        folder = source / SNAPSHOTS if (source / SNAPSHOTS).is_dir() else source
        frame = (
            spark.read.schema(snapshot_schema(SNAPSHOT_COLUMNS)).option("basePath", str(folder)).parquet(str(folder))
        )
    present = set(frame.columns)
    exprs = [f"cast({c if c in present else 'null'} as {spark_type(SNAPSHOTS, c)}) as {c}" for c in SNAPSHOT_COLUMNS]
    return frame.selectExpr(*exprs)


def tier_paths(spark: SparkSession, raw: DataFrame, policy: Policy, out: Path) -> list[date]:
    """Compute every period's tier path in order (each period's from its rows and the previous period's tiers,
    held in memory), then write all rows with their path to out/customer_snapshot/period=.../branch_id=...
    Returns the periods."""
    raw = raw.persist()
    raw.createOrReplaceTempView("snapshot_rows")
    periods = sorted(row[0] for row in raw.select("period").distinct().collect())
    empty = {"tier": "cast(null as tinyint) as tier", "strikes": "cast(null as tinyint) as strikes",
             "maintained_rules": "cast(null as tinyint) as maintained_rules"}  # fmt: skip
    state = ", ".join(empty.get(c, c) for c in state_columns(policy))
    spark.sql(f"select period, {state} from snapshot_rows where false").createOrReplaceTempView("tiered_previous")
    steps = []
    for i, period in enumerate(periods):
        query = path_query(policy, period, periods[i - 1] if i else None, "snapshot_rows", "tiered_previous")
        step = spark.sql(spark_sql(query)).localCheckpoint()  # computed now; later steps read it, not its lineage
        step.createOrReplaceTempView(f"path_{i}")
        day = f"date'{period.isoformat()}'"
        state_now = spark.sql(f"select {day} as period, {state_of_step(policy)} from path_{i}")
        state_now.createOrReplaceTempView("tiered_previous")
        steps.append(spark.sql(f"select {day} as period, customer_id, {', '.join(PATH_COLUMNS)} from path_{i}"))
    reduce(DataFrame.unionAll, steps).createOrReplaceTempView("paths")
    spark.sql(
        "select s.*, " + ", ".join(f"p.{c}" for c in PATH_COLUMNS) + " from snapshot_rows s "
        "join paths p on p.period = s.period and p.customer_id = s.customer_id"
    ).createOrReplaceTempView("tiered_rows")
    rows = spark.sql(typed_select(SNAPSHOTS, "tiered_rows"))
    rows.repartition(*PARTITIONS).write.partitionBy(*PARTITIONS).parquet(str(out / SNAPSHOTS))
    raw.unpersist()
    return periods


def register_snapshots(spark: SparkSession, out: Path) -> None:
    folder = out / SNAPSHOTS
    frame = spark.read.schema(snapshot_schema(columns(SNAPSHOTS))).option("basePath", str(folder))
    frame.parquet(str(folder)).createOrReplaceTempView(SNAPSHOTS)


def register_tier_def(spark: SparkSession, policy: Policy) -> None:
    rows = [(t.rank, t.code, t.name_zh, t.name_en, t.min_aum) for t in policy.tiers]
    spark.createDataFrame(rows, _schema("tier_def")).createOrReplaceTempView("tier_def")


def table_frame(spark: SparkSession, table: str, queries: list[Query], periods: list[date]) -> DataFrame:
    """The rows of `table`'s queries (planned now: the views they read must exist); a query's rows are the
    table's columns by position, as DuckDB inserts them."""
    if table == "period_pair":
        return spark.createDataFrame(pairs_wanted(periods), _schema(table))
    parts = [spark.sql(spark_sql(q)).toDF(*columns(table)) for q in queries if q.table == table]
    return reduce(DataFrame.unionAll, parts) if parts else spark.createDataFrame([], _schema(table))


def write_tables(spark: SparkSession, policy: Policy, periods: list[date], out: Path) -> dict[str, float]:
    """Each table of BUILT in order, written and then read back as the view its later queries read. Returns the
    seconds each took."""
    queries = all_queries(policy, periods)
    seconds = {}
    for table in BUILT:
        started = time.monotonic()
        table_frame(spark, table, queries, periods).createOrReplaceTempView(f"built_{table}")
        spark.sql(typed_select(table, f"built_{table}")).repartition(1).write.parquet(str(out / table))
        spark.read.parquet(str(out / table)).createOrReplaceTempView(table)
        seconds[table] = round(time.monotonic() - started, 1)
    return seconds


def _spent(before: float | None, after: float | None) -> float | None:
    return None if before is None or after is None else round(after - before, 1)


def _schema(table: str) -> str:
    return ", ".join(f"{c} {spark_type(table, c)}" for c in columns(table))


def totals(spark: SparkSession) -> dict[str, dict[str, dict[str, Any]]]:
    """The manifest's figures of the written tables (manifest.totals_sql, rendered for Spark)."""
    figures = {}
    for table in (SNAPSHOTS, *BUILT):
        rows = spark.sql(spark_sql(Query(table, manifest.totals_sql(table, table)))).collect()
        figures[table] = manifest.summarise(table, [tuple(r) for r in rows])
    return figures


def jvm_cpu_seconds(spark: SparkSession) -> float | None:
    """CPU seconds the local JVM has used (driver and executors are one process in local mode); None when it is
    not on this machine. On a shared machine this, not the wall time, is the cost of the work."""
    if not (spark.sparkContext.master or "").startswith("local"):
        return None
    jvm = spark.sparkContext._jvm
    assert jvm is not None
    pid = jvm.java.lang.ProcessHandle.current().pid()
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def build(
    spark: SparkSession, policy: Policy, out: Path, source: Path | None = None, table: str | None = None
) -> dict[str, Any]:
    """Tier the snapshots (of `source` or the Hive table `table`) and write every derived table and the manifest
    into `out` (a new or empty folder). Returns the manifest."""
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"{out}: not empty; a build writes into a new folder")
    started, cpu_before = time.monotonic(), jvm_cpu_seconds(spark)
    periods = tier_paths(spark, read_snapshots(spark, source, table), policy, out)
    tiered = time.monotonic()
    register_snapshots(spark, out)
    register_tier_def(spark, policy)
    tables = write_tables(spark, policy, periods, out)
    derived = time.monotonic()
    figures = totals(spark)
    build_info = {
        "spark": spark.version,
        "master": spark.sparkContext.master,
        "source": table or str(source),
        "seconds": {
            "tiers": round(tiered - started, 1),
            "tables": tables,
            "totals": round(time.monotonic() - derived, 1),
            "total": round(time.monotonic() - started, 1),
        },
        "jvm_cpu_seconds": _spent(cpu_before, jvm_cpu_seconds(spark)),
    }
    content = manifest.manifest(policy, figures, build_info)
    manifest.write(out, content)
    return content
