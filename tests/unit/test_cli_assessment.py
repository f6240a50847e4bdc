"""`report scorecard|accountability --year` as a user runs it: the design's JSON keys, and the accountability
policy table read and checked."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from analytics.core.policy import PolicyError, parse_policy
from tests.helpers.assessment_bank import POLICY, write_bank
from tests.helpers.paths import ROOT


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analytics", *args], cwd=ROOT, capture_output=True, text=True)


def test_cli_report_accountability_and_scorecard_by_year_print_the_keys(tmp_path):
    extract, policy = write_bank(tmp_path, rank_within=True)
    db = str(tmp_path / "b.duckdb")
    assert _cli("load", "--db", db, "--policy", str(policy), str(extract)).returncode == 0
    result = _cli("report", "accountability", "--year", "2026", "--db", db, "--format", "json")
    rows = {r["unit"]: r for r in json.loads(result.stdout)}
    # the business year 2025-12-31 -> 2026-06-30: M3 lost h3 (2,500,000), M2 h4 (250,000), M1 only a normal one
    assert list(rows["M3"]) == ["unit", "lost_customers", "lost_aum_start", "normal_customers"]
    assert (rows["M3"]["lost_aum_start"], rows["M2"]["lost_customers"], rows["M1"]["normal_customers"]) == (
        2_500_000,
        1,
        1,
    )
    # money is printed to the cent, exactly as the extract has it (no float tails)
    assert '"lost_aum_start": 2500000.00,' in result.stdout and '"lost_aum_start": 250000.00,' in result.stdout
    branches = json.loads(
        _cli("report", "accountability", "--year", "2026", "--by", "branch", "--db", db, "--format", "json").stdout
    )
    assert {r["unit"]: r["lost_customers"] for r in branches} == {"B01": 1, "B02": 1}
    scorecard = json.loads(
        _cli("report", "scorecard", "--year", "2026", "--by", "manager", "--db", db, "--format", "json").stdout
    )
    assert list(scorecard[0])[-3:] == ["role", "churn_target", "churn_attainment"]
    # over the year M1 held a1-a4, h1, h2 at P0: 6; a4 (mass) and h2 (closed) churned, h1 is back maintained
    m1 = next(r for r in scorecard if r["unit"] == "M1")
    assert (m1["maintained_start"], m1["churned"]) == (6, 2)
    # the what-if under the same policy reads the month ends in between too (h2's close reason is at P1)
    what_if = _cli(
        "report", "accountability", "--year", "2026", "--policy", str(policy), "--db", db, "--format", "json"
    )
    assert json.loads(what_if.stdout) == json.loads(result.stdout)
    clash = _cli("report", "accountability", "--year", "2026", "--quarter", "2026Q2", "--db", db)
    assert clash.returncode == 2
    # who maintains which band at P0: M3 (大堂经理) holds h3, private, which the policy gives to 理财经理
    roles = _cli("report", "roles", "--period", "2025-12-31", "--db", db, "--format", "json")
    found = {r["unit"]: r for r in json.loads(roles.stdout)}
    assert list(found["M3"]) == [
        "unit", "role", "tier", "customers", "aum", "maintained", "mismatch_share", "expected_roles"
    ]  # fmt: skip
    assert (found["M3"]["tier"], found["M3"]["customers"], found["M1"]["customers"]) == ("private", 1, 5)
    assert '"aum": 2500000.00,' in roles.stdout


def test_parse_policy_reads_and_checks_the_accountability_table():
    policy = parse_policy(POLICY.format(rank_within=""))
    assert policy.accountability.high_value_tiers == ("wealth", "private")
    assert policy.accountability.normal_reasons == ("死亡", "移民")
    bad = POLICY.format(rank_within="").replace('["wealth", "private"]', '["gold"]')
    with pytest.raises(PolicyError, match="accountability.high_value_tiers"):
        parse_policy(bad)
