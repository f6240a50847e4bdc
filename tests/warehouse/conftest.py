"""The warehouse tests' Spark session (one per run: every Spark test is in the xdist group "spark") and their two
banks, each loaded into DuckDB, exported, built on Spark (local[2]) and attached:

- the small bank: the rulebook months (tests/helpers/rulebook.py, under branch B09) beside the hand-made fixture
  bank (tests/helpers/fixture_bank.py), loaded under the rulebook policy with the downgrade buffer on;
- the demo bank: 20,000 customers x 6 month ends, under the same policy.
"""

from __future__ import annotations

import fcntl
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from analytics.core.policy import Policy
from analytics.warehouse.attach import attach
from analytics.warehouse.export import export
from tests.helpers.extracts import write_csv
from tests.helpers.fixture_bank import FIXTURE, load
from tests.helpers.rulebook import HEADER, PERIODS, month_rows, rulebook_policy
from tools.demo_bank.simulate import generate_extracts

SMALL_BRANCH = "B09"  # the rulebook's customers, beside the fixture bank's B01 and B02
DEMO_CUSTOMERS, DEMO_MONTHS = 20_000, 6


@dataclass(frozen=True)
class Built:
    loaded: Path  # the database loaded through the product's load path
    build: Path  # the Spark build's folder
    attached: Path  # a database attached to the build
    policy: Policy


@pytest.fixture(scope="session")
def spark() -> Iterator[object]:
    pytest.importorskip("pyspark")
    from analytics.warehouse.spark_build import session

    spark = session("local[2]")
    spark.sparkContext.setLogLevel("ERROR")
    yield spark
    spark.stop()


def rulebook_months(folder: Path) -> list[Path]:
    """The rulebook's month ends with its customers under branch SMALL_BRANCH."""
    folder.mkdir(parents=True, exist_ok=True)
    branch = HEADER.index("branch_id")
    paths = []
    for period in PERIODS:
        rows = [[*r[:branch], SMALL_BRANCH, *r[branch + 1 :]] for r in month_rows(period)]
        paths.append(write_csv(folder / f"rulebook-{period.isoformat()}.csv", [HEADER, *rows]))
    return paths


def build_bank(spark: object, folder: Path, extracts: list[Path], policy: Policy) -> Built:
    from analytics.warehouse.spark_build import build

    loaded = folder / "loaded.duckdb"
    load(loaded, extracts, policy).close()
    export(loaded, folder / "export")
    (folder / "policy.toml").write_text(policy.text, encoding="utf-8")
    build(spark, policy, folder / "build", source=folder / "export")  # type: ignore[arg-type]
    attached = folder / "attached.duckdb"
    attach(folder / "build", attached)
    return Built(loaded, folder / "build", attached, policy)


def built_once(request: pytest.FixtureRequest, name: str, make: Callable[[object, Path], Built]) -> Built:
    """`make(spark, folder)` run once per test run, however many xdist workers ask: the first builds into a folder
    of the run's temporary root under a lock, the others wait and read what it built (the banks' files are only
    read or copied by the tests). Without xdist, a folder of this session."""
    factory: pytest.TempPathFactory = request.getfixturevalue("tmp_path_factory")
    worker = request.getfixturevalue("worker_id")
    if worker == "master":
        return make(request.getfixturevalue("spark"), factory.mktemp(name))
    root = factory.getbasetemp().parent  # one per run, shared by its workers
    folder, done = root / name, root / f"{name}.done"
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            make(request.getfixturevalue("spark"), folder)
            done.touch()
    return built_paths(folder)


def built_paths(folder: Path) -> Built:
    return Built(folder / "loaded.duckdb", folder / "build", folder / "attached.duckdb", rulebook_policy(buffer=True))


@pytest.fixture(scope="session")
def small_bank(request: pytest.FixtureRequest) -> Built:
    def make(spark: object, folder: Path) -> Built:
        months = rulebook_months(folder / "extracts")
        return build_bank(spark, folder, [*months, FIXTURE], rulebook_policy(buffer=True))

    return built_once(request, "small-bank", make)


@pytest.fixture(scope="session")
def demo_bank_built(request: pytest.FixtureRequest) -> Built:
    def make(spark: object, folder: Path) -> Built:
        extracts = generate_extracts(folder / "extracts", customers=DEMO_CUSTOMERS, months=DEMO_MONTHS)
        return build_bank(spark, folder, extracts, rulebook_policy(buffer=True))

    return built_once(request, "demo-warehouse", make)
