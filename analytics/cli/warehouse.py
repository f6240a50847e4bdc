"""`python -m analytics warehouse export|build|attach` (docs/warehouse.md). Exit codes: 0 done, 1 refused, 2 usage.

export: the store's snapshots as Hive-partitioned Parquet. build: the Spark job (spark-submit, or --master
local[2]) that tiers a warehouse's snapshots and writes every derived table with a manifest. attach: a dashboard
database from a build, checked against its manifest, swapped in whole.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from analytics.core.config import DEFAULT_DB, DEFAULT_POLICY
from analytics.core.policy import PolicyError, load_policy
from analytics.warehouse.attach import AttachError, attach
from analytics.warehouse.export import export


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    warehouse = subparsers.add_parser("warehouse", help="export snapshots, build derived tables on Spark, attach")
    actions = warehouse.add_subparsers(dest="warehouse_command", required=True)
    out = actions.add_parser("export", help="the store's snapshots as Hive-partitioned Parquet")
    out.add_argument("--out", type=Path, required=True, help="folder to write customer_snapshot/ into")
    build = actions.add_parser("build", help="the Spark job: tiers and derived tables as Parquet, with a manifest")
    source = build.add_mutually_exclusive_group(required=True)
    source.add_argument("--snapshots", type=Path, help="Hive-partitioned Parquet of the snapshot columns")
    source.add_argument("--table", help="a Hive table with the snapshot columns")
    build.add_argument("--out", type=Path, required=True, help="a new folder for the build")
    build.add_argument("--policy", type=Path, default=DEFAULT_POLICY, help="tier policy (default data/policy.toml)")
    build.add_argument("--master", help="Spark master, e.g. local[2] (default: spark-submit's)")
    into = actions.add_parser("attach", help="a dashboard database from a build (swapped in like a load)")
    into.add_argument("folder", type=Path, help="the build's folder")
    for sub in (out, into):
        sub.add_argument("--db", type=Path, default=DEFAULT_DB, help="database file (default data/bank.duckdb)")


def run(args: argparse.Namespace) -> int:
    if args.warehouse_command == "export":
        for period, rows, aum in export(args.db, args.out):
            print(f"{period}: {rows:,} rows, AUM {aum:,.2f}")
        return 0
    if args.warehouse_command == "build":
        return _build(args)
    try:
        content = attach(args.folder, args.db)
    except AttachError as error:
        print(f"warehouse attach: {error}", file=sys.stderr)
        return 1
    periods = content["periods"]
    print(f"{args.db}: attached {args.folder}: {len(periods)} periods, {sum(p['rows'] for p in periods):,} rows")
    return 0


def _build(args: argparse.Namespace) -> int:
    try:
        policy = load_policy(args.policy)
    except PolicyError as error:
        print(f"warehouse build: {error}", file=sys.stderr)
        return 2
    from analytics.warehouse import spark_build  # noqa: PLC0415  (pyspark is imported only when a build runs)

    spark = spark_build.session(args.master, hive=bool(args.table))
    try:
        content = spark_build.build(spark, policy, args.out, source=args.snapshots, table=args.table)
    except FileExistsError as error:
        print(f"warehouse build: {error}", file=sys.stderr)
        return 1
    finally:
        spark.stop()
    for p in content["periods"]:
        print(f"{p['period']}: {p['rows']:,} rows, AUM {p['aum_total']}")
    print(f"{args.out}: built in {content['build']['seconds']['total']} s")
    return 0
