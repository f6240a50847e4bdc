"""Synthetic month-end extracts of a demo retail bank: one GBK CSV per month end (design.md section 2).

The model, per customer and month, all vectorised:
- balance: log AUM = personal level + mean-reverting deviation + calendar effect. The level drifts (the customer's
  own trend, manager and branch quality) and jumps now and then; volatility falls as the tier rises.
- churn: a monthly hazard by tier, product count, age, unassigned, branch and manager quality (hidden scores)
  starts a drawdown; the customer leaves that month or a few months later, closing (one last row, 状态 销户,
  zero balances) or simply vanishing. Some maintained customers follow a leaving manager out.
- products drift towards AUM- and age-dependent holding rates, higher under better managers; 理财/基金/保险
  balances take a personal share of AUM, deposits the rest, so the four add up to AUM to the cent.
- card level follows a smoothed AUM: upgrades lag by months, downgrades happen only at the January review.
- managers (~1 per 650 customers) get books of customers sorted by band and branch; each month 1% of a book
  moves, a tenth of the unassigned are allocated, and a leaving manager's book passes to a successor.
- head count: the bank starts ~3%/year smaller than `customers`; each month's new customers make up churn plus
  growth, so the last month has `customers` active customers (plus that month's 销户 rows).
"""
from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, fields
from datetime import date, timedelta
from pathlib import Path
from typing import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from tools.demo_bank import people as people
from analytics.ingest.columns import ALIASES, CARD_LEVELS, PRODUCTS

THRESHOLDS_CENTS = np.array([50_000, 100_000, 200_000, 2_000_000]) * 100  # default policy: mass .. private
CARD_BARS_CNY = np.array([50_000.0, 500_000.0, 6_000_000.0])  # smoothed AUM for 金卡, 白金卡, 钻石卡
CUSTOMERS_PER_MANAGER = 650
UNASSIGNED_SHARE = 0.03
NO_PHONE_SHARE = 0.03
ANNUAL_GROWTH = 1.03
FIRST_CUSTOMER_NUMBER = 10_000
REGIONS = ("城东分行", "城西分行", "高新分行")
# manager roles by band group: 0 emerging and mass, 1 affluent, 2 wealth, 3 private
ROLES = (("柜员",), ("网点主任", "大堂经理"), ("理财经理",), ("私人银行客户经理", "财富顾问"))
# log effect on balances by calendar month (index 1-12): Spring Festival spending, quarter-end and year-end drives
CALENDAR = np.array([0.0, -0.015, -0.035, 0.01, 0.0, 0.0, 0.02, 0.0, 0.0, 0.01, -0.005, 0.0, 0.04])
SIGMA_BY_TIER = np.array([0.20, 0.10, 0.09, 0.07, 0.05])
CHURN_BY_TIER = np.array([0.007, 0.006, 0.005, 0.0045, 0.004])
REVERSION = 0.15
# product -> logit of holding: intercept, per decade of AUM above 1万 CNY, per decade of age above 45
PRODUCT_LOGITS = {
    "time_deposit": (-0.3, 0.8, 0.3), "wealth": (-1.5, 1.2, 0.0), "fund": (-2.0, 0.9, -0.2),
    "insurance": (-2.0, 0.6, 0.1), "precious_metal": (-3.5, 0.7, 0.1), "credit_card": (-0.8, 0.3, -0.3),
    "mobile_banking": (1.0, 0.3, -0.6), "payroll": (-1.0, 0.0, -0.5), "third_party": (-2.5, 0.6, -0.1),
    "loan": (-2.2, 0.1, -0.2),
}
assert tuple(PRODUCT_LOGITS) == tuple(PRODUCTS)
BALANCED_PRODUCTS = [list(PRODUCTS).index(code) for code in ("wealth", "fund", "insurance")]
# asset mix (deposit, wealth, fund, insurance) Dirichlet parameters: deposit-heavy, balanced, fee-business-heavy
MIX_TYPES = np.array([[8.0, 2.0, 1.0, 1.0], [3.0, 3.0, 2.0, 2.0], [1.0, 4.0, 3.0, 2.0]])
MIX_SHARES = np.array([0.6, 0.3, 0.1])
ACTIVE, LEAVING, GONE = 0, 1, 2
# every combination of the product flags, pre-joined with 持有产品数 and the line end, indexed by the flags' bit mask
FLAG_FIELDS = [
    ",".join(["是" if mask >> k & 1 else "否" for k in range(len(PRODUCTS))] + [str(mask.bit_count())]) + "\n"
    for mask in range(1 << len(PRODUCTS))
]

# 数据日期 is how core systems label the snapshot date; the alias table's first spelling is the bare 日期
HEADERS = (
    ["数据日期"]
    + [ALIASES[name][0] for name in (
        "customer_id", "branch_id", "branch_name", "sub_branch", "region", "manager_id", "manager_name",
        "manager_role", "customer_name", "id_number", "phone", "birth_date", "gender", "card_level", "status",
        "open_date", "aum", "aum_month_avg", "deposit_balance", "wealth_balance", "fund_balance",
        "insurance_balance")]
    + [f"持有{name}" for name in PRODUCTS.values()]
    + [ALIASES["product_count"][0]]
)


@dataclass
class Org:
    code: list[str]
    name: list[str]
    sub: list[str]  # per outlet, like region
    region: list[str]
    sub_of: np.ndarray
    region_of: np.ndarray
    quality: np.ndarray
    weight: np.ndarray


@dataclass
class Staff:
    ids: list[str]
    names: list[str]
    roles: list[str]
    group: np.ndarray
    branch: np.ndarray
    quality: np.ndarray
    active: np.ndarray

    def hire(self, rng: np.random.Generator, org: Org, group: np.ndarray, branch: np.ndarray) -> np.ndarray:
        first = len(self.ids)
        names = people.person_names(rng, rng.random(len(group)) < 0.5).to_pylist()
        self.names += [name.decode("gbk") for name in names]
        branches = self.branch.tolist()
        for g, b in zip(group.tolist(), branch.tolist()):
            branches.append(b)
            self.roles.append(ROLES[g][int(rng.integers(len(ROLES[g])))])
            self.ids.append(f"{org.code[b]}{branches.count(b):03d}")  # staff number: outlet + hire sequence
        self.branch = np.array(branches, np.int64)
        self.group = np.append(self.group, group)
        self.quality = np.append(self.quality, rng.normal(0.0, 0.4, len(group)))
        self.active = np.append(self.active, np.ones(len(group), bool))
        return np.arange(first, len(self.ids))


@dataclass
class Customers:
    number: np.ndarray
    branch: np.ndarray
    birth: np.ndarray  # datetime64[D]
    level: np.ndarray  # log CNY the balance reverts to
    dev: np.ndarray
    trend: np.ndarray
    aum: np.ndarray  # cents
    prev: np.ndarray  # last month's cents, for the month's daily average
    smooth: np.ndarray  # smoothed AUM in CNY, the card review's basis
    card_bar: np.ndarray  # personal factor on the card bars: branches bend the rules
    card: np.ndarray
    flags: np.ndarray  # (n, products)
    mix: np.ndarray  # (n, 4)
    manager: np.ndarray  # staff index, -1 unassigned
    state: np.ndarray
    text: pa.StructArray  # the fields that never change: 客户号; 客户姓名 .. 性别; 开户日期

    def extend(self, other: Customers) -> None:
        for f in fields(self):
            a, b = getattr(self, f.name), getattr(other, f.name)
            setattr(self, f.name, pa.concat_arrays([a, b]) if isinstance(a, pa.Array) else np.concatenate([a, b]))


def _tier(cents: np.ndarray) -> np.ndarray:
    return np.searchsorted(THRESHOLDS_CENTS, cents, side="right")


def _band_group(cents: np.ndarray) -> np.ndarray:
    return np.maximum(_tier(cents) - 1, 0)


def _cents(log_cny: np.ndarray) -> np.ndarray:
    return np.rint(np.exp(np.minimum(log_cny, 20.0)) * 100).astype(np.int64)


def _month_of(day: np.datetime64) -> int:
    return int(day.astype("datetime64[M]").astype(np.int64) % 12 + 1)


def _card_target(smooth: np.ndarray, bar: np.ndarray) -> np.ndarray:
    return (smooth[:, None] >= CARD_BARS_CNY * bar[:, None]).sum(axis=1).astype(np.int8)


def _product_odds(cents: np.ndarray, age: np.ndarray, manager_quality: np.ndarray, product: np.ndarray) -> np.ndarray:
    """Probability of holding `product` (an index into PRODUCTS); the arguments broadcast."""
    a, b, c = np.array(list(PRODUCT_LOGITS.values())).T
    x = np.log10(cents / 100 + 1) - 4
    logit = a[product] + b[product] * x + c[product] * (age - 45) / 10 + 0.4 * manager_quality
    return 1 / (1 + np.exp(-logit))


def _age(c: Customers, day: np.datetime64) -> np.ndarray:
    return (day - c.birth).astype(np.int64) / 365.25


def _build_org(rng: np.random.Generator, customers: int) -> Org:
    n_branch = int(np.clip(round(customers / 3300), 6, 60))
    n_sub = int(np.clip(round(n_branch / 5), 3, 12))
    sub_of = np.arange(n_branch) * n_sub // n_branch
    region_of = (np.arange(n_sub) * len(REGIONS) // n_sub)[sub_of]
    seq = np.arange(n_branch) - np.searchsorted(region_of, region_of)
    subs = people.sub_branch_names(n_sub)
    weight = rng.lognormal(0.0, 0.4, n_branch)
    return Org(
        code=[f"{31 + r}{k + 1:02d}" for r, k in zip(region_of.tolist(), seq.tolist())],
        name=people.branch_names(sub_of, subs), sub=[subs[s] for s in sub_of.tolist()],
        region=[REGIONS[r] for r in region_of.tolist()], sub_of=sub_of, region_of=region_of,
        quality=rng.normal(0.0, 0.35, n_branch), weight=weight / weight.sum(),
    )


def _new_customers(rng: np.random.Generator, n: int, org: Org, day: np.datetime64, first_number: int,
                   initial: bool) -> Customers:
    """`initial`: the bank's book at the first period, opened since 1995; else customers opened in `day`'s month."""
    age = np.clip(rng.normal(45, 16, n), 18, 88) if initial else np.clip(18 + rng.gamma(2.0, 8.0, n), 18, 88)
    birth = day - (age * 365.25).astype("timedelta64[D]")
    if initial:
        earliest = np.maximum(birth + np.timedelta64(6575, "D"), np.datetime64("1995-01-01"))
        opened = earliest + (rng.random(n) * (day - earliest).astype(np.int64)).astype("timedelta64[D]")
        order = np.argsort(opened, kind="stable")  # customer numbers rise with the opening date
        age, birth, opened = age[order], birth[order], opened[order]
    else:
        month_days = (day - day.astype("datetime64[M]")).astype(np.int64) + 1
        opened = day - rng.integers(0, month_days, n).astype("timedelta64[D]")
    male = rng.random(n) < 0.5
    tiny = rng.random(n) < (0.30 if initial else 0.20)  # "invalid" accounts holding pocket money
    typical = np.log(8_000 if initial else 3_000) + 0.035 * (np.clip(age, 25, 65) - 45)
    level = np.where(tiny, np.log(30) + rng.normal(0, 1.2, n), typical + rng.normal(0, 1.85, n))
    sigma = SIGMA_BY_TIER[_tier(_cents(level))] / np.sqrt(1 - (1 - REVERSION) ** 2)
    dev = rng.normal(0, 1, n) * sigma
    aum = _cents(level + dev + CALENDAR[_month_of(day)])
    smooth = aum / 100 * (rng.lognormal(0, 0.2, n) if initial else 1.0)
    card_bar = rng.lognormal(0, 0.3, n)
    card = _card_target(smooth, card_bar)
    if initial:  # not yet downgraded at a review
        card = np.where((card < 2) & (rng.random(n) < 0.05), card + 1, card).astype(np.int8)
    mix = rng.gamma(MIX_TYPES[rng.choice(len(MIX_TYPES), n, p=MIX_SHARES)])
    number = first_number + np.cumsum(rng.integers(1, 30, n))
    return Customers(
        number=number, branch=rng.choice(len(org.code), n, p=org.weight).astype(np.int16),
        birth=birth, level=level, dev=dev, trend=rng.normal(0.004, 0.005, n), aum=aum,
        prev=(aum * (rng.lognormal(0, 0.1, n) if initial else rng.random(n))).astype(np.int64),
        smooth=smooth, card_bar=card_bar, card=card,
        flags=rng.random((n, len(PRODUCTS))) < _product_odds(
            aum[:, None], age[:, None], np.zeros((n, 1)), np.arange(len(PRODUCTS))),
        mix=mix / mix.sum(axis=1, keepdims=True), manager=np.full(n, -1, np.int32),
        state=np.full(n, ACTIVE, np.int8),
        text=pa.StructArray.from_arrays([
            people.digit_text(number, 10),
            people.person_fields(rng, birth, male, NO_PHONE_SHARE),
            pa.array(opened).cast(pa.string()).cast(pa.binary()),
        ], names=["number", "person", "opened"]),
    )


def _pick(rng: np.random.Generator, keys: np.ndarray, values: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """For each wanted key a random value among those with that key, or -1 if there is none."""
    order = np.argsort(keys, kind="stable")
    lo = np.searchsorted(keys[order], wanted, side="left")
    count = np.searchsorted(keys[order], wanted, side="right") - lo
    chosen = np.minimum(lo + (rng.random(len(wanted)) * count).astype(np.int64), len(keys) - 1)
    return np.where(count > 0, values[order][chosen], -1)


def _assign(rng: np.random.Generator, c: Customers, staff: Staff, org: Org, who: np.ndarray) -> np.ndarray:
    """Managers for customers `who`: one of their band in their outlet, else sub-branch, region, bank, else a lower
    band; of two random candidates the one with the smaller book, which keeps the books even."""
    group, branch = _band_group(c.aum[who]), c.branch[who]
    load = np.bincount(c.manager[(c.state != GONE) & (c.manager >= 0)], minlength=len(staff.ids))
    out = np.full(len(who), -1, np.int64)
    working = np.flatnonzero(staff.active)
    units = (np.arange(len(org.code)), org.sub_of, org.region_of, np.zeros(len(org.code), np.int64))
    for shift in range(len(ROLES)):
        for unit in units:
            todo = np.flatnonzero(out < 0)
            if todo.size == 0:
                return out
            staff_keys = staff.group[working] * 1000 + unit[staff.branch[working]]
            wanted = (group[todo] - shift) % len(ROLES) * 1000 + unit[branch[todo]]
            first, second = (_pick(rng, staff_keys, working, wanted) for _ in range(2))
            out[todo] = np.where(load[second] < load[first], second, first)
    return out


def _allocate_books(rng: np.random.Generator, c: Customers, org: Org) -> Staff:
    """Cuts the customers, sorted by band (highest first) and outlet, into books of 500-800."""
    group = _band_group(c.aum)
    served = np.flatnonzero(rng.random(len(group)) >= UNASSIGNED_SHARE)
    served = served[np.lexsort((c.branch[served], -group[served]))]
    managers = max(1, round(len(served) / CUSTOMERS_PER_MANAGER))
    sizes = rng.integers(500, 801, managers)
    ends = np.round(np.cumsum(sizes) / sizes.sum() * len(served)).astype(np.int64)
    starts = np.concatenate([[0], ends[:-1]])
    book = np.repeat(np.arange(managers), ends - starts)
    counts = np.zeros((managers, len(ROLES)))
    np.add.at(counts, (book, group[served]), 1)
    # a book's role is the highest band making up a quarter of it (the tail of a book may be lower)
    share_ok = counts >= 0.25 * np.maximum(counts.sum(axis=1, keepdims=True), 1)
    role = len(ROLES) - 1 - np.argmax(share_ok[:, ::-1], axis=1)
    home = c.branch[served[np.minimum((starts + ends) // 2, max(len(served) - 1, 0))]]
    staff = Staff([], [], [], np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0), np.zeros(0, bool))
    staff.hire(rng, org, role, home.astype(np.int64))
    c.manager[served] = book
    return staff


def _start_leaving(rng: np.random.Generator, c: Customers, mask: np.ndarray) -> None:
    c.state[mask] = LEAVING
    c.level[mask] -= rng.uniform(0.5, 3.0, int(mask.sum()))  # money moves out before the customer does


def _churn(rng: np.random.Generator, c: Customers, org: Org, month: int, age: np.ndarray,
           manager_quality: np.ndarray) -> np.ndarray:
    """Starts and ends departures; returns the mask of customers closing this month."""
    n = len(c.aum)
    hazard = CHURN_BY_TIER[_tier(c.aum)] * np.exp(
        -0.2 * (c.flags.sum(axis=1) - 3) - org.quality[c.branch] - manager_quality
    ) * (1 + 0.6 * (age < 28) + 0.5 * (age > 75)) * np.where(c.manager < 0, 1.4, 1.0)
    hazard *= 1.3 if month in (2, 3) else 1.0  # competitors' post-Spring-Festival campaigns
    _start_leaving(rng, c, (c.state == ACTIVE) & (rng.random(n) < hazard))
    leave = (c.state == LEAVING) & (rng.random(n) < 0.45)
    c.state[leave] = GONE
    return leave & (rng.random(n) < 0.4)


def _move_balances(rng: np.random.Generator, c: Customers, org: Org, month: int, manager_quality: np.ndarray) -> None:
    n = len(c.aum)
    jump = np.abs(rng.normal(0.7, 0.4, n))
    u = rng.random(n)
    c.level += c.trend + 0.004 * manager_quality + 0.002 * org.quality[c.branch]
    c.level += np.where(u < 0.006, jump, np.where(u > 0.993, -jump, 0.0))  # windfalls, house purchases
    c.dev = (1 - REVERSION) * c.dev + SIGMA_BY_TIER[_tier(c.aum)] * rng.normal(0, 1, n)
    c.prev = c.aum
    c.aum = _cents(c.level + c.dev + CALENDAR[month])
    rebalance = np.flatnonzero(rng.random(n) < 0.1)
    c.mix[rebalance] *= rng.lognormal(0, 0.3, (len(rebalance), c.mix.shape[1]))


def _update_products(rng: np.random.Generator, c: Customers, age: np.ndarray, manager_quality: np.ndarray) -> None:
    """Each month 6% of all holdings are reconsidered, so holdings drift towards the current odds."""
    rows, product = np.nonzero(rng.random(c.flags.shape) < 0.06)
    odds = _product_odds(c.aum[rows], age[rows], manager_quality[rows], product)
    c.flags[rows, product] = rng.random(len(rows)) < odds


def _update_cards(rng: np.random.Generator, c: Customers, month: int) -> None:
    c.smooth = 0.8 * c.smooth + 0.2 * c.aum / 100
    target = _card_target(c.smooth, c.card_bar)
    review = 0.6 if month == 1 else 0.0
    n = len(c.aum)
    change = ((target > c.card) & (rng.random(n) < 0.3)) | ((target < c.card) & (rng.random(n) < review))
    c.card = np.where(change, target, c.card)


def _manage(rng: np.random.Generator, c: Customers, staff: Staff, org: Org) -> None:
    alive = c.state != GONE
    leavers = np.flatnonzero(staff.active & (rng.random(len(staff.ids)) < 0.005))
    if leavers.size:
        followers = alive & np.isin(c.manager, leavers) & (c.aum >= THRESHOLDS_CENTS[0])
        _start_leaving(rng, c, followers & (c.state == ACTIVE) & (rng.random(len(c.aum)) < 0.1))
        successors = staff.hire(rng, org, staff.group[leavers], staff.branch[leavers])
        staff.active[leavers] = False
        handover = np.arange(len(staff.ids))
        handover[leavers] = successors
        c.manager = np.where(c.manager >= 0, handover[c.manager], -1).astype(np.int32)
    moving = np.flatnonzero(alive & (rng.random(len(c.aum)) < np.where(c.manager >= 0, 0.01, 0.10)))
    c.manager[moving] = _assign(rng, c, staff, org, moving)


def _simulate_month(rng: np.random.Generator, c: Customers, staff: Staff, org: Org, day: np.datetime64,
                    target: int) -> np.ndarray:
    """Advances the bank to month end `day`; returns the mask of customers closing this month."""
    month = _month_of(day)
    age = _age(c, day)
    manager_quality = np.where(c.manager >= 0, staff.quality[c.manager], 0.0)
    closing = _churn(rng, c, org, month, age, manager_quality)
    _move_balances(rng, c, org, month, manager_quality)
    c.aum[closing] = 0
    _update_products(rng, c, age, manager_quality)
    _update_cards(rng, c, month)
    _manage(rng, c, staff, org)
    arrivals = max(0, target - int(np.sum(c.state != GONE)))
    known = len(c.aum)
    c.extend(_new_customers(rng, arrivals, org, day, int(c.number[-1]), initial=False))
    served = known + np.flatnonzero(rng.random(arrivals) >= 0.25)  # the rest wait to be allocated
    c.manager[served] = _assign(rng, c, staff, org, served)
    return np.concatenate([closing, np.zeros(arrivals, bool)])


def _labels(codes: np.ndarray, labels: Sequence[str]) -> pa.Array:
    return people.gbk(labels).take(pa.array(codes.astype(np.int32)))


def _money(cents: np.ndarray) -> pa.Array:
    """Amounts with two decimals, formatted by arrow from a decimal128(18, 2) built straight from the cents
    (little-endian 128-bit words, the high word the sign)."""
    words = np.empty((len(cents), 2), np.int64)
    words[:, 0] = cents
    words[:, 1] = cents >> 63
    return pa.Array.from_buffers(pa.decimal128(18, 2), len(cents), [None, pa.py_buffer(words)]).cast(pa.string())


def _balances(aum: np.ndarray, flags: np.ndarray, mix: np.ndarray) -> np.ndarray:
    """(n, 4) cents of deposit, wealth, fund, insurance: products floor their share, deposits take the rest."""
    weights = mix * np.column_stack([np.ones(len(aum)), flags[:, BALANCED_PRODUCTS]])
    shares = weights / weights.sum(axis=1, keepdims=True)
    products = np.floor(aum[:, None] * shares[:, 1:]).astype(np.int64)
    return np.column_stack([aum - products.sum(axis=1), products])


def _frame(rng: np.random.Generator, c: Customers, staff: Staff, org: Org, day: np.datetime64,
           closing: np.ndarray) -> list[pa.Array]:
    """The month's rows as GBK byte segments in HEADERS order; a segment may hold several comma-joined fields.

    Fields that depend on one code (outlet, manager, card and status, the product flags) come pre-joined from a
    small label list, so a month costs a few takes instead of formatting 35 columns.
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
        _labels(np.zeros(len(rows)), [str(day)]), text[0],
        _labels(c.branch[rows], [",".join(unit) for unit in zip(org.code, org.name, org.sub, org.region)]),
        _labels(manager, [",".join(person) for person in zip(staff.ids, staff.names, staff.roles)] + [",,"]),
        text[1],
        _labels(c.card[rows] * 2 + closed, [f"{card},{status}" for card in CARD_LEVELS for status in ("正常", "销户")]),
        text[2], _money(aum), _money(month_avg), *(_money(parts[:, k]) for k in range(parts.shape[1])),
        _labels(flags @ (1 << np.arange(len(PRODUCTS))), FLAG_FIELDS),
    ]
    return [segment.cast(pa.large_binary()) for segment in segments]


def _write_csv(segments: list[pa.Array], path: Path) -> None:
    # a row is its segments joined by commas and the last segment ends the line, so the data buffer of the
    # joined array is the file's body, already GBK
    rows = pc.binary_join_element_wise(*segments, pa.scalar(b",", pa.large_binary()))
    with path.open("wb") as f:
        f.write((",".join(HEADERS) + "\n").encode("gbk"))
        if len(rows):
            _, offsets, data = rows.buffers()
            start, end = np.frombuffer(offsets, np.int64)[[rows.offset, rows.offset + len(rows)]].tolist()
            f.write(data.slice(start, end - start))


def month_ends(end: date, months: int) -> list[date]:
    if (end + timedelta(days=1)).day != 1:
        raise ValueError(f"{end} is not a month end")
    first = np.datetime64(end, "M") - (months - 1)
    return [(first + k + 1).astype("datetime64[D]").item() - timedelta(days=1) for k in range(months)]


def generate_extracts(out_dir: Path, customers: int = 200_000, months: int = 24,
                      end: date = date(2026, 9, 30), seed: int = 7) -> list[Path]:
    """Writes `extract_YYYY-MM-DD.csv` (GBK) for the `months` month ends up to `end`; returns them in period order.

    `customers` is the number of active customers in the last month; the first month has ~3%/year fewer.
    The same arguments give the same bytes.
    """
    return list(iter_extracts(out_dir, customers, months, end, seed))


def iter_extracts(out_dir: Path, customers: int = 200_000, months: int = 24,
                  end: date = date(2026, 9, 30), seed: int = 7, policy: object = None) -> Iterator[Path]:
    """generate_extracts one month at a time: each path once its file is complete (a loader can start on it
    while the next month is simulated). Wrong arguments raise here, before any month is made."""
    if customers < 1 or months < 1:
        raise ValueError("customers and months must be positive")
    return _simulated_months(Path(out_dir), customers, month_ends(end, months), seed)


def _simulated_months(out_dir: Path, customers: int, periods: list[date], seed: int) -> Iterator[Path]:
    months = len(periods)
    rng = np.random.default_rng(seed)
    org = _build_org(rng, customers)
    targets = np.round(customers / ANNUAL_GROWTH ** ((months - 1 - np.arange(months)) / 12)).astype(int)
    first = np.datetime64(periods[0], "D")
    c = _new_customers(rng, int(targets[0]), org, first, FIRST_CUSTOMER_NUMBER, initial=True)
    staff = _allocate_books(rng, c, org)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    with ThreadPoolExecutor(max_workers=1) as writer:  # writes month t while month t+1 is simulated
        writing: Future[None] | None = None
        for t, period in enumerate(periods):
            day = np.datetime64(period, "D")
            closing = _simulate_month(rng, c, staff, org, day, int(targets[t])) if t else np.zeros(len(c.aum), bool)
            frame = _frame(rng, c, staff, org, day, closing)
            if writing is not None:
                writing.result()
                yield paths[-1]
            paths.append(out_dir / f"extract_{period.isoformat()}.csv")
            writing = writer.submit(_write_csv, frame, paths[-1])
        if writing is not None:
            writing.result()
            yield paths[-1]
