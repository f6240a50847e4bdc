"""`python -m analytics targets FILE`: per-unit targets checked like an extract, replacing a quarter's, and the
attainment each unit gets from its own target (else the bank-wide one) on the bank of assessment_bank.py."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.helpers.assessment_bank import write_bank
from tests.helpers.paths import ROOT


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analytics", *args], cwd=ROOT, capture_output=True, text=True)


@pytest.fixture
def db(tmp_path):
    extract, policy = write_bank(tmp_path)
    db = str(tmp_path / "b.duckdb")
    assert _cli("load", "--db", db, "--policy", str(policy), str(extract)).returncode == 0
    return db


def _scorecard(db: str) -> dict[str, dict]:
    out = _cli("report", "scorecard", "--quarter", "2026Q2", "--by", "manager", "--db", db, "--format", "json")
    return {r["unit"]: r for r in json.loads(out.stdout)}


def test_targets_give_a_unit_its_own_target_and_never_change_ranks(db, tmp_path):
    before = _scorecard(db)
    good = tmp_path / "targets.csv"
    good.write_text("季度,层级,单位,指标,目标\n2026Q2,manager,M1,churn,0.5\n2026Q2,manager,M4,growth,0.1\n", "utf-8")
    loaded = _cli("targets", "--db", db, str(good))
    assert loaded.returncode == 0 and "2 targets for 2026Q2" in loaded.stdout
    after = _scorecard(db)
    # M1: own churn target 0.5 against churn 1/4: 0.5 / 0.25 = 2 (capped at 2); M2 keeps the bank-wide 0.05
    assert (after["M1"]["churn_target"], after["M1"]["churn_attainment"]) == (0.5, 2.0)
    assert after["M2"]["churn_target"] == 0.05
    # M4: growth -1/2 against its own 0.1: -5; nobody else has a growth target (no bank-wide one)
    assert after["M4"]["growth_target"] == 0.1 and after["M4"]["growth_attainment"] == pytest.approx(-5.0)
    assert after["M1"]["growth_target"] is None
    # targets change no count, score or rank
    for unit, row in before.items():
        assert [after[unit][k] for k in ("churned", "score", "rank")] == [row[k] for k in ("churned", "score", "rank")]
    # reloading the quarter replaces its targets: M1's own churn target is gone, M4's growth one is 0.2
    again = tmp_path / "again.csv"
    again.write_text("quarter,level,unit,indicator,target\n2026Q2,manager,M4,growth,0.2\n", "utf-8")
    assert _cli("targets", "--db", db, str(again)).returncode == 0
    replaced = _scorecard(db)
    assert replaced["M1"]["churn_target"] == 0.05 and replaced["M4"]["growth_target"] == 0.2


def test_targets_reject_a_file_naming_the_line_and_load_nothing(db, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "quarter,level,unit,indicator,target\n2026Q2,manager,M1,churn,0.5\n2026Q2,manager,M9,churn,0.1\n"
        "2026Q2,desk,M1,churn,0.1\n2026Q2,branch,B01,smile,x\n",
        "utf-8",
    )
    result = _cli("targets", "--db", db, str(bad))
    assert result.returncode == 1
    lines = [line for line in result.stdout.splitlines() if ": line " in line]
    assert [line.split(": ", 1)[1].split(":")[0] for line in lines] == [
        "line 3, column unit",
        "line 4, column level",
        "line 5, column indicator",
        "line 5, column target",
    ]
    assert _scorecard(db)["M1"]["churn_target"] == 0.05  # line 2 was not loaded either
