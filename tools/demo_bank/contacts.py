"""The demo bank's contact details: home addresses and employers, each missing for a share of customers that
varies by outlet (better-run outlets keep their customers' records more complete).

Addresses lie mostly in the districts the customer's region serves; the bank's city (苏州) is not written. Text is GBK bytes, pre-joined as the
extract's 地址,工作单位 (an empty field where the bank has none).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from tools.demo_bank import people
from tools.demo_bank.staff import Org

ADDRESS_MISSING = 0.10  # bank-wide share without an address (the outlets' shares scatter around it)
EMPLOYER_MISSING = 0.25
DISTRICTS = ("姑苏区", "工业园区", "相城区", "虎丘区", "吴中区", "吴江区", "常熟市", "张家港市", "昆山市", "太仓市")
# per region of staff.REGIONS (城东, 城西, 高新): the districts most of its customers live in
HOME_DISTRICTS = ((0, 1, 2), (0, 3, 4), (3, 4, 5))
HOME_SHARE = 0.85
ROADS = (
    "人民路", "干将路", "十全街", "凤凰街", "三香路", "竹辉路", "东环路", "南环路", "金鸡湖大道", "星湖街",
    "现代大道", "苏州大道", "长江路", "狮山路", "塔园路", "珠江路", "东吴北路", "宝带路", "木渎中山路", "阳澄湖大道",
    "中山北路", "虞山路", "港城大道", "前进路", "上海东路",
)  # fmt: skip
ESTATES = (
    "金色家园", "翠苑新村", "星湖花园", "东港新村", "滨江苑", "湖畔天城", "府前花园", "锦绣江南", "桂花新村",
    "盛世名门", "新城花园", "玲珑湾", "水香七村", "莲花新村", "彩香二村",
)  # fmt: skip
CITIES = ("苏州", "苏州工业园区", "昆山", "江苏", "张家港")
BRANDS = (
    "恒达", "华瑞", "金诚", "新宇", "博远", "中科", "联创", "天合", "东方", "永信", "盛泰", "汇通", "鼎力", "瑞康",
    "宏图", "佳禾", "信达", "正泰", "远航", "明德",
)  # fmt: skip
TRADES = (
    "科技", "电子", "精密机械", "贸易", "建设工程", "物流", "生物医药", "纺织", "食品", "信息技术", "汽车零部件", "置业",
)  # fmt: skip
FORMS = ("有限公司", "有限公司", "股份公司", "集团")
INSTITUTIONS = (
    "苏州市立医院", "苏州大学", "苏州市第一中学", "苏州市姑苏区人民政府", "苏州市公安局", "国网苏州供电公司",
    "苏州轨道交通集团有限公司", "中国移动苏州分公司", "苏州工业园区管理委员会", "苏州科技大学", "苏州市中医医院",
    "个体经营",
)  # fmt: skip
INSTITUTION_SHARE = 0.2
EMPTY = pa.scalar(b"", pa.binary())


def missing_shares(rng: np.random.Generator, org: Org, bank_share: float, spread: float) -> np.ndarray:
    """Per outlet, the share of customers without the detail: scattered by `spread` (log scale), lower where the
    outlet is better run, `bank_share` over the bank's customers (outlets weighted by their share)."""
    raw = np.exp(rng.normal(0, spread, len(org.code)) - 0.8 * org.quality)
    return np.clip(bank_share * raw / (raw @ org.weight), 0.01, 0.6)


def _pick(rng: np.random.Generator, labels: Sequence[str], n: int) -> pa.Array:
    return people.gbk(labels).take(pa.array(rng.integers(0, len(labels), n)))


def _constant(label: str, n: int) -> pa.Array:
    return people.gbk([label]).take(pa.array(np.zeros(n, np.int32)))


def _number(values: np.ndarray) -> pa.Array:
    return pa.array(values).cast(pa.string()).cast(pa.binary())


def _join(*parts: pa.Array) -> pa.Array:
    return pc.binary_join_element_wise(*parts, EMPTY)


def addresses(rng: np.random.Generator, region: np.ndarray) -> pa.Array:
    """District and either an estate's building and flat (工业园区翠苑新村3幢502室) or a road and number (姑苏区人民路12号);
    the city goes without saying, as in the bank's own records."""
    n = len(region)
    home = np.asarray(HOME_DISTRICTS)[region, rng.integers(0, 3, n)]
    district = np.where(rng.random(n) < HOME_SHARE, home, rng.integers(0, len(DISTRICTS), n))
    flat = _join(
        _pick(rng, ESTATES, n),
        _number(rng.integers(1, 40, n)),
        _constant("幢", n),
        _number(rng.integers(1, 28, n) * 100 + rng.integers(1, 5, n)),
        _constant("室", n),
    )
    street = _join(_pick(rng, ROADS, n), _number(rng.integers(1, 600, n)), _constant("号", n))
    return _join(
        people.gbk(DISTRICTS).take(pa.array(district)), pc.if_else(pa.array(rng.random(n) < 0.7), flat, street)
    )


def employers(rng: np.random.Generator, n: int) -> pa.Array:
    """A company (brand + trade + legal form, a few with their city) or, for a fifth, a public institution or
    个体经营."""
    city = pc.if_else(pa.array(rng.random(n) < 0.2), _pick(rng, CITIES, n), EMPTY)
    company = _join(city, _pick(rng, BRANDS, n), _pick(rng, TRADES, n), _pick(rng, FORMS, n))
    return pc.if_else(pa.array(rng.random(n) < INSTITUTION_SHARE), _pick(rng, INSTITUTIONS, n), company)


def contact_fields(
    rng: np.random.Generator, branch: np.ndarray, org: Org, address_missing: np.ndarray, employer_missing: np.ndarray
) -> pa.Array:
    """地址,工作单位 of customers at outlets `branch`, each empty with the outlet's missing share."""
    n = len(branch)
    address = pc.if_else(
        pa.array(rng.random(n) < address_missing[branch]), EMPTY, addresses(rng, org.region_of[branch])
    )
    employer = pc.if_else(pa.array(rng.random(n) < employer_missing[branch]), EMPTY, employers(rng, n))
    return pc.binary_join_element_wise(address, employer, pa.scalar(b",", pa.binary()))
