"""The command line as a user runs it: exit codes and one line per problem."""

from __future__ import annotations

import subprocess
import sys

from tests.helpers.extracts import write_csv
from tests.helpers.paths import ROOT


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analytics", *args], cwd=ROOT, capture_output=True, text=True)


def test_cli_load_exits_0_when_loaded_and_1_with_one_line_per_problem(tmp_path):
    db = str(tmp_path / "b.duckdb")
    good = write_csv(
        tmp_path / "good.csv",
        [["数据日期", "客户号", "网点号", "金融资产"], ["2026-09-30", "01", "B1", "5"]],
        encoding="gbk",
    )
    bad = write_csv(
        tmp_path / "bad.csv",
        [
            ["数据日期", "客户号", "网点号", "金融资产"],
            ["2026-09-30", "01", "", "x"],
            ["2026-09-30", "02", "B1", "5"],
            ["2026-09-30", "03", "B1", "?"],
        ],
        encoding="gbk",
    )
    loaded = _cli("load", "--db", db, str(good))
    assert loaded.returncode == 0 and "loaded: 1 rows" in loaded.stdout
    rejected = _cli("load", "--db", db, str(bad))
    assert rejected.returncode == 1
    problem_lines = [line for line in rejected.stdout.splitlines() if ", column " in line]
    # line 2 has an empty branch and a bad amount, line 4 a bad amount: three problems
    assert [line.split(": ", 1)[1].split(":")[0] for line in problem_lines] == [
        "line 2, column aum",
        "line 2, column branch_id",
        "line 4, column aum",
    ]


def test_cli_usage_errors_exit_2(tmp_path):
    assert _cli("load", "--db", str(tmp_path / "b.duckdb")).returncode == 2
    assert _cli("load", "--db", str(tmp_path / "b.duckdb"), str(tmp_path / "missing.csv")).returncode == 2
    assert _cli("report", "nonsense").returncode == 2
    broken = tmp_path / "p.toml"
    broken.write_text("basis = 1", encoding="utf-8")
    result = _cli("load", "--db", str(tmp_path / "b.duckdb"), "--policy", str(broken))
    assert result.returncode == 2 and "p.toml" in result.stderr


def test_cli_demo_small_bank_loads_every_generated_customer(tmp_path):
    import csv
    import json

    db, out = tmp_path / "demo.duckdb", tmp_path / "extracts"
    demo = _cli("demo", "--customers", "1500", "--months", "3", "--seed", "3", "--db", str(db), "--out", str(out))
    assert demo.returncode == 0, demo.stderr
    last = sorted(out.glob("*.csv"))[-1]
    with open(last, encoding="gbk", newline="") as handle:
        rows = list(csv.DictReader(handle))
    present = [r for r in rows if r["状态"] != "销户"]  # closed customers have no tier
    report = _cli("report", "tiers", "--period", last.stem.split("_")[1], "--format", "json", "--db", str(db))
    tiers = json.loads(report.stdout)
    assert sum(t["customers"] for t in tiers) == len(present)
    assert round(sum(t["aum"] for t in tiers), 2) == round(sum(float(r["金融资产"]) for r in present), 2)
    # 5万 and above is maintained; the report's emerging..private tiers hold exactly those customers
    maintained = sum(t["customers"] for t in tiers if t["tier"] != "mass")
    assert maintained == sum(1 for r in present if float(r["金融资产"]) >= 50_000)
