"""The demo bank's customers: their state from month to month, and how new ones are drawn.

Balances: log AUM = personal level + mean-reverting deviation + calendar effect; the level is drawn by age (a
third of the book are "invalid" accounts holding pocket money), the deviation's volatility falls as the tier
rises. Products: held with AUM- and age-dependent odds. Card level: from a smoothed AUM against the card bars.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import pyarrow as pa

from analytics.ingest.columns import PRODUCTS
from tools.demo_bank import people
from tools.demo_bank.staff import Org
from tools.demo_bank.tiers import SIGMA_BY_TIER, Tiers

CARD_BARS_CNY = np.array([50_000.0, 500_000.0, 6_000_000.0])  # smoothed AUM for 金卡, 白金卡, 钻石卡
NO_PHONE_SHARE = 0.03
# log effect on balances by calendar month (index 1-12): Spring Festival spending, quarter-end and year-end drives
CALENDAR = np.array([0.0, -0.015, -0.035, 0.01, 0.0, 0.0, 0.02, 0.0, 0.0, 0.01, -0.005, 0.0, 0.04])
REVERSION = 0.15
# product -> logit of holding: intercept, per decade of AUM above 1万 CNY, per decade of age above 45
PRODUCT_LOGITS = {
    "time_deposit": (-0.3, 0.8, 0.3),
    "wealth": (-1.5, 1.2, 0.0),
    "fund": (-2.0, 0.9, -0.2),
    "insurance": (-2.0, 0.6, 0.1),
    "precious_metal": (-3.5, 0.7, 0.1),
    "credit_card": (-0.8, 0.3, -0.3),
    "mobile_banking": (1.0, 0.3, -0.6),
    "payroll": (-1.0, 0.0, -0.5),
    "third_party": (-2.5, 0.6, -0.1),
    "loan": (-2.2, 0.1, -0.2),
}
assert tuple(PRODUCT_LOGITS) == tuple(PRODUCTS)
# asset mix (deposit, wealth, fund, insurance) Dirichlet parameters: deposit-heavy, balanced, fee-business-heavy
MIX_TYPES = np.array([[8.0, 2.0, 1.0, 1.0], [3.0, 3.0, 2.0, 2.0], [1.0, 4.0, 3.0, 2.0]])
MIX_SHARES = np.array([0.6, 0.3, 0.1])
ACTIVE, LEAVING, GONE = 0, 1, 2


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

    def age(self, day: np.datetime64) -> np.ndarray:
        return (day - self.birth).astype(np.int64) / 365.25


def cents(log_cny: np.ndarray) -> np.ndarray:
    return np.rint(np.exp(np.minimum(log_cny, 20.0)) * 100).astype(np.int64)


def month_of(day: np.datetime64) -> int:
    return int(day.astype("datetime64[M]").astype(np.int64) % 12 + 1)


def card_target(smooth: np.ndarray, bar: np.ndarray) -> np.ndarray:
    return (smooth[:, None] >= CARD_BARS_CNY * bar[:, None]).sum(axis=1).astype(np.int8)


def product_odds(aum: np.ndarray, age: np.ndarray, manager_quality: np.ndarray, product: np.ndarray) -> np.ndarray:
    """Probability of holding `product` (an index into PRODUCTS) at `aum` cents; the arguments broadcast."""
    a, b, c = np.array(list(PRODUCT_LOGITS.values())).T
    x = np.log10(aum / 100 + 1) - 4
    logit = a[product] + b[product] * x + c[product] * (age - 45) / 10 + 0.4 * manager_quality
    return 1 / (1 + np.exp(-logit))


def new_customers(
    rng: np.random.Generator, n: int, org: Org, tiers: Tiers, day: np.datetime64, first_number: int, initial: bool
) -> Customers:
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
    sigma = tiers.per_tier(SIGMA_BY_TIER, cents(level)) / np.sqrt(1 - (1 - REVERSION) ** 2)
    dev = rng.normal(0, 1, n) * sigma
    aum = cents(level + dev + CALENDAR[month_of(day)])
    smooth = aum / 100 * (rng.lognormal(0, 0.2, n) if initial else 1.0)
    card_bar = rng.lognormal(0, 0.3, n)
    card = card_target(smooth, card_bar)
    if initial:  # not yet downgraded at a review
        card = np.where((card < 2) & (rng.random(n) < 0.05), card + 1, card).astype(np.int8)
    mix = rng.gamma(MIX_TYPES[rng.choice(len(MIX_TYPES), n, p=MIX_SHARES)])
    number = first_number + np.cumsum(rng.integers(1, 30, n))
    return Customers(
        number=number,
        branch=rng.choice(len(org.code), n, p=org.weight).astype(np.int16),
        birth=birth,
        level=level,
        dev=dev,
        trend=rng.normal(0.004, 0.005, n),
        aum=aum,
        prev=(aum * (rng.lognormal(0, 0.1, n) if initial else rng.random(n))).astype(np.int64),
        smooth=smooth,
        card_bar=card_bar,
        card=card,
        flags=rng.random((n, len(PRODUCTS)))
        < product_odds(aum[:, None], age[:, None], np.zeros((n, 1)), np.arange(len(PRODUCTS))),
        mix=mix / mix.sum(axis=1, keepdims=True),
        manager=np.full(n, -1, np.int32),
        state=np.full(n, ACTIVE, np.int8),
        text=pa.StructArray.from_arrays(
            [
                people.digit_text(number, 10),
                people.person_fields(rng, birth, male, NO_PHONE_SHARE),
                pa.array(opened).cast(pa.string()).cast(pa.binary()),
            ],
            names=["number", "person", "opened"],
        ),
    )
