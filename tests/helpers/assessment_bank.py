"""A small bank for the assessment (scorecard parts, role classes, accountability), written out by the tests.

Three month ends P0 2025-12-31, P1 2026-03-31, P2 2026-06-30; tiers mass < 5万 <= emerging < 10万 <= affluent <
20万 <= wealth < 200万 <= private; maintained = emerging and above (no card rule); every customer holds 3
products (coverage 100% everywhere) and nobody moves up a tier (upgrade 0 everywhere). AUM 60,000 unless said.

 manager (branch, role)   P0                                    P1                       P2
 M1 (B01, 理财经理)        a1 a2 a3 a4, h1 wealth 300,000,       a1 a2 a3 a4              a1 a2 a3, a4 at 30,000 (mass)
                          h2 白金卡                              h1 no row, h2 closed 死亡   h1 back (unassigned, B01) 300,000
 M2 (B01, 理财经理)        b1 b2, b3 in B02, h4 wealth 250,000   b1 b2 b3, h4 mass 10,000  b1 at 70,000, b2 b3, h4 10,000
 M3 (B02, 大堂经理)        c1 c2, h3 private 2,500,000           c1 c2, h3 closed 转他行    c1 c2, new c3
 M4 (B02, 大堂经理)        d1 d2                                 d1 d2                    d1, d2 closed
 unassigned (B01)         u1                                    u1                       u1, h1

maintained_by (who maintains each band): emerging 大堂经理, wealth and private 理财经理, mass and affluent any.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

from analytics.core.policy import parse_policy
from tests.helpers.fixture_bank import load

P0, P1, P2 = date(2025, 12, 31), date(2026, 3, 31), date(2026, 6, 30)

POLICY = """
coverage_min_products = 3
attrition_floor = 100
[[tier]]
code = "mass"
name_zh = "大众"
name_en = "Mass"
min_aum = 0
[[tier]]
code = "emerging"
name_zh = "潜力"
name_en = "Emerging"
min_aum = 50000
maintained_by = ["大堂经理"]
[[tier]]
code = "affluent"
name_zh = "中端"
name_en = "Affluent"
min_aum = 100000
[[tier]]
code = "wealth"
name_zh = "理财"
name_en = "Wealth"
min_aum = 200000
maintained_by = ["理财经理"]
[[tier]]
code = "private"
name_zh = "私行"
name_en = "Private"
min_aum = 2000000
maintained_by = ["理财经理"]
[maintained]
from_tier = "emerging"
[scorecard]
{rank_within}
[scorecard.weights]
churn = 0.4
upgrade = 0.1
coverage = 0.1
growth = 0.2
aum_growth = 0.2
[scorecard.targets]
churn = 0.05
[accountability]
high_value_tiers = ["wealth", "private"]
high_value_cards = ["白金卡", "钻石卡"]
normal_reasons = ["死亡", "移民"]
"""

HEADER = "period,customer_id,branch_id,branch_name,manager_id,manager_name,manager_role,card_level,status,aum,product_count,close_reason"
BRANCHES = {"B01": "城东网点", "B02": "城西网点"}
MANAGERS = {"M1": ("B01", "理财经理"), "M2": ("B01", "理财经理"), "M3": ("B02", "大堂经理"), "M4": ("B02", "大堂经理")}


def _row(period: date, customer: str, branch: str, manager: str, aum: int, *, card="普卡", closed="") -> str:
    role = MANAGERS[manager][1] if manager else ""
    status = "closed" if closed else "active"
    return (
        f"{period},{customer},{branch},{BRANCHES[branch]},{manager},{manager.lower()},{role},{card},{status},"
        f"{0 if closed else aum},3,{closed}"
    )


def _rows(h3_reason: str = "转他行") -> list[str]:
    rows: list[str] = []
    for period in (P0, P1, P2):
        for c in ("a1", "a2", "a3"):
            rows.append(_row(period, c, "B01", "M1", 60_000))
        rows.append(_row(period, "a4", "B01", "M1", 30_000 if period == P2 else 60_000))
        rows.append(_row(period, "b1", "B01", "M2", 70_000 if period == P2 else 60_000))
        rows.append(_row(period, "b2", "B01", "M2", 60_000))
        rows.append(_row(period, "b3", "B02", "M2", 60_000))
        rows.append(_row(period, "h4", "B01", "M2", 250_000 if period == P0 else 10_000))
        rows.append(_row(period, "c1", "B02", "M3", 60_000))
        rows.append(_row(period, "c2", "B02", "M3", 60_000))
        rows.append(_row(period, "d1", "B02", "M4", 60_000))
        rows.append(_row(period, "d2", "B02", "M4", 60_000, closed="转他行" if period == P2 else ""))
        rows.append(_row(period, "u1", "B01", "", 60_000))
    rows.append(_row(P0, "h1", "B01", "M1", 300_000))
    rows.append(_row(P2, "h1", "B01", "", 300_000))
    rows.append(_row(P0, "h2", "B01", "M1", 60_000, card="白金卡"))
    rows.append(_row(P1, "h2", "B01", "M1", 60_000, card="白金卡", closed="死亡"))
    rows.append(_row(P0, "h3", "B02", "M3", 2_500_000))
    rows.append(_row(P1, "h3", "B02", "M3", 2_500_000, closed=h3_reason))
    rows.append(_row(P2, "c3", "B02", "M3", 60_000))
    return rows


def write_bank(folder: Path, rank_within: bool = False, h3_reason: str = "转他行") -> tuple[Path, Path]:
    """The extract and the policy file of the bank above (with `rank_within = "manager_role"` when asked; h3's
    close reason `h3_reason`)."""
    folder.mkdir(parents=True, exist_ok=True)
    extract, policy = folder / "assessment.csv", folder / "policy.toml"
    extract.write_text("\n".join([HEADER, *_rows(h3_reason)]) + "\n", encoding="utf-8")
    policy.write_text(POLICY.format(rank_within='rank_within = "manager_role"' if rank_within else ""), "utf-8")
    return extract, policy


def assessment_bank(folder: Path, rank_within: bool = False, h3_reason: str = "转他行") -> duckdb.DuckDBPyConnection:
    """The bank above loaded under its policy."""
    extract, policy = write_bank(folder, rank_within, h3_reason)
    return load(folder / "bank.duckdb", [extract], parse_policy(policy.read_text("utf-8"), "assessment"))
