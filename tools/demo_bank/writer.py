"""One month of the demo bank as the bank's own export: a GBK CSV with the core system's column names.

Balances: 理财/基金/保险 take a personal share of AUM, deposits the rest, so the four add up to AUM to the cent;
a balanced product with a zero balance is not held. A closed customer (销户) has one last row, zero balances,
no products and its 销户原因. Credit-card spend, loan balance and depository margin are empty without the product
(信用卡, 贷款, 三方存管); 年日均 is on every row (ledger).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from analytics.ingest.columns import ALIASES, CARD_LEVELS, PRODUCTS
from tools.demo_bank import people
from tools.demo_bank.customers import GONE, Customers
from tools.demo_bank.ledger import CLOSE_REASONS, CREDIT_CARD, LOAN, THIRD_PARTY, Ledger
from tools.demo_bank.staff import Org, Staff

BALANCED_PRODUCTS = [list(PRODUCTS).index(code) for code in ("wealth", "fund", "insurance")]
# every combination of the product flags, pre-joined with 持有产品数 and the line end, indexed by the flags' bit mask
FLAG_FIELDS = [
    ",".join(["是" if mask >> k & 1 else "否" for k in range(len(PRODUCTS))] + [str(mask.bit_count())]) + "\n"
    for mask in range(1 << len(PRODUCTS))
]
# 卡等级,状态,销户原因 by card level x (正常, then 销户 with each close reason)
STATUSES = 1 + len(CLOSE_REASONS)
CARD_STATUS_FIELDS = [
    f"{card},{status}" for card in CARD_LEVELS for status in ("正常,", *(f"销户,{r}" for r in CLOSE_REASONS))
]
# 数据日期 is how core systems label the snapshot date; the alias table's first spelling is the bare 日期
HEADERS = (
    ["数据日期"]
    + [
        ALIASES[name][0]
        for name in (
            "customer_id",
            "branch_id",
            "branch_name",
            "sub_branch",
            "region",
            "manager_id",
            "manager_name",
            "manager_role",
            "customer_name",
            "id_number",
            "phone",
            "birth_date",
            "gender",
            "address",
            "employer",
            "card_level",
            "status",
            "close_reason",
            "open_date",
            "aum",
            "aum_month_avg",
            "aum_year_avg",
            "deposit_balance",
            "wealth_balance",
            "fund_balance",
            "insurance_balance",
            "depository_margin",
            "credit_card_spend_ytd",
            "loan_balance",
        )
    ]
    + [f"持有{name}" for name in PRODUCTS.values()]
    + [ALIASES["product_count"][0]]
)


def _labels(codes: np.ndarray, labels: Sequence[str]) -> pa.Array:
    return people.gbk(labels).take(pa.array(codes.astype(np.int32)))


def _money(cents: np.ndarray) -> pa.Array:
    """Amounts with two decimals, formatted by arrow from a decimal128(18, 2) built straight from the cents
    (little-endian 128-bit words, the high word the sign)."""
    words = np.empty((len(cents), 2), np.int64)
    words[:, 0] = cents
    words[:, 1] = cents >> 63
    return pa.Array.from_buffers(pa.decimal128(18, 2), len(cents), [None, pa.py_buffer(words)]).cast(pa.string())


def _money_if(cents: np.ndarray, held: np.ndarray) -> pa.Array:
    """_money where `held`, else an empty field (only the held amounts are formatted)."""
    amounts = pa.concat_arrays([_money(cents[held]).cast(pa.binary()), pa.array([b""], pa.binary())])
    return amounts.take(pa.array(np.where(held, np.cumsum(held) - 1, int(held.sum()))))


def _balances(aum: np.ndarray, flags: np.ndarray, mix: np.ndarray) -> np.ndarray:
    """(n, 4) cents of deposit, wealth, fund, insurance: products floor their share, deposits take the rest."""
    weights = mix * np.column_stack([np.ones(len(aum)), flags[:, BALANCED_PRODUCTS]])
    shares = weights / weights.sum(axis=1, keepdims=True)
    products = np.floor(aum[:, None] * shares[:, 1:]).astype(np.int64)
    return np.column_stack([aum - products.sum(axis=1), products])


def month_rows(
    rng: np.random.Generator,
    c: Customers,
    staff: Staff,
    org: Org,
    ledger: Ledger,
    day: np.datetime64,
    closing: np.ndarray,
) -> list[pa.Array]:
    """The month's rows as GBK byte segments in HEADERS order; a segment may hold several comma-joined fields.

    Fields that depend on one code (outlet, manager, card and status, the product flags) come pre-joined from a
    small label list, so a month costs a few takes instead of formatting 41 columns.
    """
    rows = np.flatnonzero((c.state != GONE) | closing)
    closed = closing[rows]
    aum = c.aum[rows]
    month_avg = np.rint((c.prev[rows] + aum) / 2 * rng.lognormal(0, 0.03, len(rows))).astype(np.int64)
    flags = c.flags[rows] & ~closed[:, None]
    parts = _balances(aum, flags, c.mix[rows])
    flags[:, BALANCED_PRODUCTS] = parts[:, 1:] > 0
    manager = np.where(c.manager[rows] >= 0, c.manager[rows], len(staff.ids))
    text = c.text.take(pa.array(rows)).flatten()
    segments = [
        _labels(np.zeros(len(rows)), [str(day)]),
        text[0],
        _labels(c.branch[rows], [",".join(unit) for unit in zip(org.code, org.name, org.sub, org.region)]),
        _labels(manager, [",".join(person) for person in zip(staff.ids, staff.names, staff.roles)] + [",,"]),
        text[1],
        ledger.contact.take(pa.array(rows)),
        _labels(c.card[rows] * STATUSES + np.where(closed, ledger.reason[rows] + 1, 0), CARD_STATUS_FIELDS),
        text[2],
        _money(aum),
        _money(month_avg),
        _money(ledger.year_avg(rows, day)),
        *(_money(parts[:, k]) for k in range(parts.shape[1])),
        _money_if(ledger.margin[rows], flags[:, THIRD_PARTY]),
        _money_if(ledger.spend[rows], flags[:, CREDIT_CARD]),
        _money_if(ledger.loan[rows], flags[:, LOAN]),
        _labels(flags @ (1 << np.arange(len(PRODUCTS))), FLAG_FIELDS),
    ]
    return [segment.cast(pa.large_binary()) for segment in segments]


def write_csv(segments: list[pa.Array], path: Path) -> None:
    """The header line, then the rows of `month_rows`."""
    # a row is its segments joined by commas and the last segment ends the line, so the data buffer of the
    # joined array is the file's body, already GBK
    rows = pc.binary_join_element_wise(*segments, pa.scalar(b",", pa.large_binary()))
    with path.open("wb") as f:
        f.write((",".join(HEADERS) + "\n").encode("gbk"))
        if len(rows):
            _, offsets, data = rows.buffers()
            start, end = np.frombuffer(offsets, np.int64)[[rows.offset, rows.offset + len(rows)]].tolist()
            f.write(data.slice(start, end - start))
