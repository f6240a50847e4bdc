import csv
import io
import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from statistics import median

import numpy as np
import pytest

from analytics.ingest.columns import CARD_LEVELS, PRODUCTS, canonical
from tools.demo_bank.ledger import CLOSE_REASONS, close_reasons
from tools.demo_bank.simulate import generate_extracts

CUSTOMERS = 3_000
MONTHS = 5
END = date(2026, 2, 28)  # the months span a new year: the year's figures restart in January
PERIODS = ["2025-10-31", "2025-11-30", "2025-12-31", "2026-01-31", "2026-02-28"]
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
FLAGS = [f"持有{name}" for name in PRODUCTS.values()]
MONEY = ["金融资产", "月日均", "年日均", "存款余额", "理财余额", "基金余额", "保险余额"]


def _read(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode("gbk"), newline="")))


@pytest.fixture(scope="module")
def paths(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return generate_extracts(tmp_path_factory.mktemp("seed7"), customers=CUSTOMERS, months=MONTHS, end=END)


@pytest.fixture(scope="module")
def months(paths: list[Path]) -> list[list[dict[str, str]]]:
    return [_read(path) for path in paths]


@pytest.fixture(scope="module")
def rows(months: list[list[dict[str, str]]]) -> list[dict[str, str]]:
    return [row for month in months for row in month]


def _by_customer(month: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    return {row["客户号"]: row for row in month}


def _cents(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal("0.01"), ROUND_HALF_UP)


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
    added = {"aum_year_avg", "credit_card_spend_ytd", "loan_balance", "depository_margin", "close_reason", "address"}
    assert added | {"employer"} <= set(names)
    assert all(line.count(",") == header.count(",") for line in lines)


def test_generate_extracts_same_seed_same_bytes_other_seed_differs(paths: list[Path], tmp_path: Path) -> None:
    again = generate_extracts(tmp_path / "again", customers=CUSTOMERS, months=MONTHS, end=END)
    other = generate_extracts(tmp_path / "other", customers=CUSTOMERS, months=MONTHS, end=END, seed=8)
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
            person = tuple(
                row[column] for column in ("客户姓名", "证件号码", "出生日期", "开户日期", "网点号", "地址", "工作单位")
            )
            assert seen.setdefault(row["客户号"], person) == person


def test_generate_extracts_card_levels_and_statuses_are_known(rows) -> None:
    assert {row["卡等级"] for row in rows} <= set(CARD_LEVELS)
    assert {row["状态"] for row in rows} == {"正常", "销户"}


def test_generate_extracts_year_average_is_the_mean_of_the_years_month_ends(months) -> None:
    # 年日均 at month m of a year = (sum of that year's month-end AUM up to m, 0 before opening) / m, to the cent
    oct_, nov, dec, jan, feb = (_by_customer(month) for month in months)
    aum = [{cid: Decimal(row["金融资产"]) for cid, row in month.items()} for month in (nov, dec, jan, feb)]
    opened_in_november = [cid for cid in nov if cid not in oct_]
    assert opened_in_november and all(nov[cid]["开户日期"].startswith("2025-11") for cid in opened_in_november)
    opened_in_october = [cid for cid, row in oct_.items() if row["开户日期"].startswith("2025-10")]
    assert opened_in_october  # the first month: the simulated bank's history has nothing before the opening
    assert all(Decimal(oct_[cid]["年日均"]) == _cents(Decimal(oct_[cid]["金融资产"]) / 10) for cid in opened_in_october)
    for cid in opened_in_november:  # the bank's months before November count 0
        assert Decimal(nov[cid]["年日均"]) == _cents(aum[0][cid] / 11)
        if cid in dec:
            assert Decimal(dec[cid]["年日均"]) == _cents((aum[0][cid] + aum[1][cid]) / 12)
    assert all(Decimal(row["年日均"]) == aum[2][cid] for cid, row in jan.items())  # January: its own month end
    assert any(cid not in jan for cid in feb)
    for cid, row in feb.items():
        assert Decimal(row["年日均"]) == _cents((aum[2].get(cid, Decimal(0)) + aum[3][cid]) / 2)
    sample = next(cid for cid in feb if cid in jan and aum[2][cid] != aum[3][cid])
    assert Decimal(feb[sample]["年日均"]) == _cents((aum[2][sample] + aum[3][sample]) / 2)


def _amounts(month: dict[str, dict[str, str]], column: str) -> dict[str, Decimal]:
    return {cid: Decimal(row[column]) for cid, row in month.items() if row[column]}


def test_generate_extracts_card_spend_grows_within_the_year_and_restarts_in_january(months, rows) -> None:
    assert all((row["信用卡年累计消费"] != "") == (row["持有信用卡"] == "是") for row in rows)
    nov, dec, jan, feb = (_amounts(_by_customer(month), "信用卡年累计消费") for month in months[1:])
    for before, after in ((nov, dec), (jan, feb)):
        held = before.keys() & after.keys()
        assert held and all(after[cid] > before[cid] for cid in held)
    new_year = dec.keys() & jan.keys()
    # December holds about twelve months of spend, January one (a festive one): about a tenth
    assert sum(jan[cid] for cid in new_year) < Decimal("0.25") * sum(dec[cid] for cid in new_year)
    assert sum(jan[cid] < dec[cid] for cid in new_year) >= 0.9 * len(new_year)


def test_generate_extracts_card_spend_rises_with_card_level(months) -> None:
    december = [row for row in months[2] if row["信用卡年累计消费"]]
    by_card = {card: [Decimal(r["信用卡年累计消费"]) for r in december if r["卡等级"] == card] for card in CARD_LEVELS}
    assert median(by_card["普卡"]) < median(by_card["金卡"]) < median(by_card["白金卡"])
    # a few percent of customers under 5万 reach the maintained bar of 5万 a year without a gold card
    under = [row for row in months[2] if row["状态"] == "正常" and Decimal(row["金融资产"]) < 50_000]
    spenders = [row for row in under if row["信用卡年累计消费"] and Decimal(row["信用卡年累计消费"]) >= 50_000]
    assert 0.01 <= len(spenders) / len(under) <= 0.06
    assert any(row["卡等级"] == "普卡" for row in spenders)


def test_generate_extracts_loans_are_held_by_borrowers_and_amortise_slowly(months, rows) -> None:
    assert all((row["贷款余额"] != "") == (row["持有贷款"] == "是") for row in rows)
    for before, after in zip(months, months[1:]):
        old, new = (_amounts(_by_customer(month), "贷款余额") for month in (before, after))
        held = old.keys() & new.keys()
        assert held and all(Decimal("0.97") * old[cid] - 1 <= new[cid] < old[cid] for cid in held)
    assert any(Decimal(row["贷款余额"] or 0) >= 300_000 and Decimal(row["金融资产"]) < 50_000 for row in rows)


def test_generate_extracts_depository_margin_for_a_few_securities_investors(months, rows) -> None:
    margins = [row for row in rows if row["三方存管保证金"]]
    assert all((row["三方存管保证金"] != "") == (row["持有三方存管"] == "是") for row in rows)
    assert 0.01 <= len(margins) / len(rows) <= 0.10
    assert any(Decimal(row["三方存管保证金"]) >= 10_000 and Decimal(row["金融资产"]) < 50_000 for row in margins)
    old, new = (_amounts(_by_customer(month), "三方存管保证金") for month in months[-2:])
    held = old.keys() & new.keys()
    assert sum(old[cid] != new[cid] for cid in held) >= 0.9 * len(held)


def test_generate_extracts_close_reason_only_on_closed_rows(rows) -> None:
    assert all((row["销户原因"] != "") == (row["状态"] == "销户") for row in rows)
    reasons = {row["销户原因"] for row in rows} - {""}
    assert "资金转出" in reasons and reasons <= set(CLOSE_REASONS)


def test_close_reasons_death_for_the_old_emigration_for_the_young() -> None:
    # 死亡 1% below 70 and 25% from 70; 移民 3% below 60 and 1% from 60 (20,000 draws: +-0.1% to +-0.3%)
    rng = np.random.default_rng(1)
    young, old = (close_reasons(rng, np.full(20_000, age)) for age in (30.0, 80.0))
    death, emigration = CLOSE_REASONS.index("死亡"), CLOSE_REASONS.index("移民")
    assert abs(np.mean(young == death) - 0.01) < 0.003 and abs(np.mean(young == emigration) - 0.03) < 0.005
    assert abs(np.mean(old == death) - 0.25) < 0.015 and abs(np.mean(old == emigration) - 0.01) < 0.003


def test_generate_extracts_addresses_and_employers_missing_more_at_some_branches(months) -> None:
    last = [row for row in months[-1] if row["状态"] == "正常"]
    assert 0.05 <= sum(row["地址"] == "" for row in last) / len(last) <= 0.16
    assert 0.17 <= sum(row["工作单位"] == "" for row in last) / len(last) <= 0.33
    branches = {row["网点号"] for row in last}
    missing = [
        sum(r["地址"] == "" for r in last if r["网点号"] == b) / sum(r["网点号"] == b for r in last) for b in branches
    ]
    assert max(missing) - min(missing) >= 0.05
    addresses = [row["地址"] for row in last if row["地址"]]
    # a district, then an estate's building and flat or a road and number
    assert all(re.fullmatch(r"\w+?[区市](\w+?\d+幢\d+室|\w+?[路街道]\d+号)", address) for address in addresses)
    assert any(address.endswith("室") for address in addresses) and any(a.endswith("号") for a in addresses)
