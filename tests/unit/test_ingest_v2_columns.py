"""The extract columns of the second version: 年日均 (also a tier basis), 三方存管保证金, 销户原因, 地址, 工作单位."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from analytics.core.config import DEFAULT_POLICY
from analytics.core.masking import mask_address, mask_employer, mask_value
from analytics.core.policy import parse_policy
from analytics.core.scope import Scope
from analytics.lists.actions import upgrade_candidates
from analytics.store.connection import connect
from analytics.store.load import load_files
from tests.helpers.extracts import write_csv

HEADER = [
    "数据日期",
    "客户号",
    "网点号",
    "金融资产",
    "年日均",
    "三方存管保证金",
    "销户原因",
    "地址",
    "工作单位",
    "状态",
]
ROWS = [
    # customer 1: 3万 at the month end, 6万 on the year's daily average; customer 2: 12万 and 9万
    ["2026-09-30", "0001", "B1", "30,000.00", "60,000.00", "12,500.50", "", "北京市海淀区中关村大街1号", "华为技术有限公司", "正常"],
    ["2026-09-30", "0002", "B1", "120000", "90000", "", "", "", "", "正常"],
    ["2026-09-30", "0003", "B1", "0", "0", "", "移民", "上海市浦东新区世纪大道100号", "", "销户"],
]  # fmt: skip


def test_load_files_keeps_the_second_version_columns_from_a_gbk_extract(db, tmp_path):
    path = write_csv(tmp_path / "m.csv", [HEADER, *ROWS], encoding="gbk")
    (result,) = load_files(db, [path])
    assert result.outcome == "loaded", [str(p) for p in result.problems]
    rows = db.execute("""
        select customer_id, aum_year_avg, depository_margin, close_reason, address, employer, status
        from customer_snapshot order by customer_id
    """).fetchall()
    assert rows == [
        (
            "0001",
            Decimal("60000.00"),
            Decimal("12500.50"),
            None,
            "北京市海淀区中关村大街1号",
            "华为技术有限公司",
            "active",
        ),
        ("0002", Decimal("90000.00"), None, None, None, None, "active"),
        ("0003", Decimal("0.00"), None, "移民", "上海市浦东新区世纪大道100号", None, "closed"),
    ]


def test_load_files_tiers_on_the_year_daily_average_when_the_policy_says_so(db, tmp_path):
    # by month-end AUM 0001 (3万) is mass and 0002 (12万) affluent; by 年日均 0001 (6万) is emerging, 0002 (9万) too
    path = write_csv(tmp_path / "m.csv", [HEADER, *ROWS], encoding="gbk")
    text = DEFAULT_POLICY.read_text(encoding="utf-8")
    by_year = parse_policy(text.replace('basis = "aum"', 'basis = "aum_year_avg"'), "year.toml")
    load_files(db, [path], policy=by_year)
    tiers = db.execute("""
        select c.customer_id, d.code from customer_snapshot c join tier_def d on d.rank = c.tier order by 1
    """).fetchall()
    assert tiers == [("0001", "emerging"), ("0002", "emerging")]
    # the upgrade list measures the gap on the same basis: 0002's 9万 is 1万 (10%) short of affluent's 10万,
    # 0001's 6万 is 40% short; its month-end 12万 would put it past the bound
    (candidate,) = upgrade_candidates(db, date(2026, 9, 30), Scope(), within=0.1).itertuples()
    assert (candidate.customer_id, candidate.amount, candidate.gap) == ("0002", 90_000, 10_000)


def test_load_files_rejects_a_year_average_that_is_no_amount_naming_line_and_column(db, tmp_path):
    bad = [row[:] for row in ROWS]
    bad[1][4] = "9万"
    path = write_csv(tmp_path / "m.csv", [HEADER, *bad], encoding="gbk")
    (result,) = load_files(db, [path])
    assert result.outcome == "rejected"
    assert [(p.line, p.column) for p in result.problems] == [(3, "aum_year_avg")]
    assert db.execute("select count(*) from customer_snapshot").fetchone() == (0,)


def test_addresses_and_employers_are_masked_like_the_other_personal_data():
    assert mask_address("北京市海淀区中关村大街1号") == "北京市海淀区*******"
    assert mask_employer("华为技术有限公司") == "华为******"
    assert mask_value("address", "上海市浦东新区世纪大道100号") == "上海市浦东新*********"
    assert mask_address("") == "" and mask_employer(None) is None


def test_connect_adds_the_new_columns_to_a_database_written_before_them(tmp_path):
    path = tmp_path / "old.duckdb"
    con = connect(path)
    for column in ("aum_year_avg", "depository_margin", "close_reason", "address", "employer"):
        con.execute(f"alter table customer_snapshot drop column {column}")  # the first layout
    con.close()
    con = connect(path)
    names = {row[0] for row in con.execute("select column_name from (describe customer_snapshot)").fetchall()}
    assert {"aum_year_avg", "depository_margin", "close_reason", "address", "employer"} <= names
    con.close()
