import csv
import io
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from analytics.ingest.columns import CARD_LEVELS, PRODUCTS, canonical
from tools.demo_bank.simulate import generate_extracts

CUSTOMERS = 3_000
MONTHS = 4
PERIODS = ["2026-06-30", "2026-07-31", "2026-08-31", "2026-09-30"]
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
FLAGS = [f"持有{name}" for name in PRODUCTS.values()]
MONEY = ["金融资产", "月日均", "存款余额", "理财余额", "基金余额", "保险余额"]


def _read(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode("gbk"), newline="")))


@pytest.fixture(scope="module")
def paths(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return generate_extracts(tmp_path_factory.mktemp("seed7"), customers=CUSTOMERS, months=MONTHS)


@pytest.fixture(scope="module")
def months(paths: list[Path]) -> list[list[dict[str, str]]]:
    return [_read(path) for path in paths]


@pytest.fixture(scope="module")
def rows(months: list[list[dict[str, str]]]) -> list[dict[str, str]]:
    return [row for month in months for row in month]


def _check_digit(first17: str) -> str:
    return "10X98765432"[sum(int(digit) * weight for digit, weight in zip(first17, ID_WEIGHTS)) % 11]


def test_generate_extracts_names_files_by_month_end_in_order(paths: list[Path], months) -> None:
    assert [path.name for path in paths] == [f"extract_{period}.csv" for period in PERIODS]
    for period, month in zip(PERIODS, months):
        assert {row["数据日期"] for row in month} == {period}


def test_generate_extracts_rejects_a_day_that_is_not_a_month_end(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        generate_extracts(tmp_path, customers=100, months=1, end=date(2026, 9, 29))


def test_generate_extracts_headers_are_gbk_and_recognised(paths: list[Path]) -> None:
    text = paths[0].read_bytes().decode("gbk")  # strict: raises on anything that is not GBK
    header, *lines = text.splitlines()
    names = [canonical(column) for column in header.split(",")]
    assert None not in names
    assert len(set(names)) == len(names)
    assert {"period", "customer_id", "branch_id", "aum", "product_count"} <= set(names)
    assert {f"has_{code}" for code in PRODUCTS} <= set(names)
    assert all(line.count(",") == header.count(",") for line in lines)


def test_generate_extracts_same_seed_same_bytes_other_seed_differs(paths: list[Path], tmp_path: Path) -> None:
    again = generate_extracts(tmp_path / "again", customers=CUSTOMERS, months=MONTHS)
    other = generate_extracts(tmp_path / "other", customers=CUSTOMERS, months=MONTHS, seed=8)
    assert [p.read_bytes() for p in again] == [p.read_bytes() for p in paths]
    assert other[-1].read_bytes() != paths[-1].read_bytes()


def test_generate_extracts_id_numbers_have_valid_check_digits(rows) -> None:
    for row in rows:
        number = row["证件号码"]
        assert re.fullmatch(r"\d{17}[\dX]", number), number
        assert number[17] == _check_digit(number[:17]), number


def test_generate_extracts_gender_and_birth_date_match_id_number(rows) -> None:
    for row in rows:
        number = row["证件号码"]
        assert row["性别"] == ("男" if int(number[16]) % 2 else "女")
        assert row["出生日期"].replace("-", "") == number[6:14]


def test_generate_extracts_components_sum_to_aum_to_the_cent(rows) -> None:
    for row in rows:
        for column in MONEY:
            assert re.fullmatch(r"\d+\.\d\d", row[column]), (column, row[column])
        parts = sum(Decimal(row[column]) for column in ("存款余额", "理财余额", "基金余额", "保险余额"))
        assert parts == Decimal(row["金融资产"])


def test_generate_extracts_product_count_equals_flags(rows) -> None:
    for row in rows:
        assert {row[flag] for flag in FLAGS} <= {"是", "否"}
        assert int(row["持有产品数"]) == sum(row[flag] == "是" for flag in FLAGS)


def test_generate_extracts_customer_ids_unique_with_leading_zeros(months) -> None:
    for month in months:
        ids = [row["客户号"] for row in month]
        assert len(set(ids)) == len(ids)
        assert all(re.fullmatch(r"\d{10}", cid) for cid in ids)
        assert any(cid.startswith("0") for cid in ids)


def test_generate_extracts_phones_are_mobile_numbers_or_missing(rows) -> None:
    phones = [row["手机号"] for row in rows]
    assert all(phone == "" or re.fullmatch(r"1[3-9]\d{9}", phone) for phone in phones)
    assert 0 < phones.count("") < 0.1 * len(phones)


def test_generate_extracts_maintained_share_is_a_tenth_or_so(months) -> None:
    for month in months:
        active = [Decimal(row["金融资产"]) for row in month if row["状态"] == "正常"]
        share = sum(aum >= 50_000 for aum in active) / len(active)
        assert 0.05 <= share <= 0.20


def test_generate_extracts_ends_with_about_the_requested_customers(months) -> None:
    active = sum(row["状态"] == "正常" for row in months[-1])
    assert 0.95 * CUSTOMERS <= active <= 1.05 * CUSTOMERS


def test_generate_extracts_customers_close_leave_and_arrive(months) -> None:
    closed = {row["客户号"] for month in months for row in month if row["状态"] == "销户"}
    assert closed
    assert all(row["金融资产"] == "0.00" for month in months for row in month if row["状态"] == "销户")
    for before, after in zip(months, months[1:]):
        ids_before = {row["客户号"] for row in before}
        ids_after = {row["客户号"] for row in after}
        closed_before = {row["客户号"] for row in before if row["状态"] == "销户"}
        assert ids_after - ids_before  # new customers
        assert not closed_before & ids_after  # a closed customer does not come back
        assert ids_before - closed_before - ids_after  # others just disappear


def test_generate_extracts_unassigned_customers_have_no_manager(rows) -> None:
    unassigned = [row for row in rows if row["客户经理号"] == ""]
    assert 0 < len(unassigned) < 0.1 * len(rows)
    assert all(row["客户经理"] == "" and row["岗位"] == "" for row in unassigned)


def test_generate_extracts_personal_data_is_stable_per_customer(months) -> None:
    seen: dict[str, tuple[str, ...]] = {}
    for month in months:
        for row in month:
            person = tuple(row[column] for column in ("客户姓名", "证件号码", "出生日期", "开户日期", "网点号"))
            assert seen.setdefault(row["客户号"], person) == person


def test_generate_extracts_card_levels_and_statuses_are_known(rows) -> None:
    assert {row["卡等级"] for row in rows} <= set(CARD_LEVELS)
    assert {row["状态"] for row in rows} == {"正常", "销户"}
