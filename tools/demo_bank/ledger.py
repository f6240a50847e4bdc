"""What the demo bank's other systems add to a customer's month-end row: credit-card spend of the year, personal
loans, third-party depository margin, the year's average AUM, the reason for closing, and contact details.

Drawn from a random stream of their own, so the balances, products and cards of the customers (customers, month)
are the same as without them.

- credit-card spend: holders of the credit card (持有信用卡) spend every month a personal amount that rises with
  the card level, higher at Spring Festival and the November sales; the year's total restarts each January and
  with a new card.
- loans: a holder of the loan product has a mortgage (mostly customers of 25-55) or a consumer loan, amortising
  by a personal share each month; a new holding is a new loan.
- depository margin: holders of 三方存管 keep cash in their securities account, a personal level (somewhat higher
  with AUM) that swings from month to month and is nearly nothing in months they are fully invested.
- year average (年日均): the mean of the year's month-end AUM up to the month, a month before opening counting 0.
  The months of the first period's year before it are not simulated: their AUM is about the first period's,
  and so is their card spend.
- close reasons: on the 销户 row; death mostly for the old, emigration mostly for the young (together ~5%).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from analytics.ingest.columns import PRODUCTS
from tools.demo_bank.contacts import ADDRESS_MISSING, EMPLOYER_MISSING, contact_fields, missing_shares
from tools.demo_bank.customers import GONE, Customers, month_of
from tools.demo_bank.staff import Org

CREDIT_CARD, LOAN, THIRD_PARTY = (list(PRODUCTS).index(code) for code in ("credit_card", "loan", "third_party"))
CARD_SPEND_CNY = np.array([1_500.0, 4_000.0, 9_000.0, 20_000.0])  # median monthly spend by card level (普卡 ..)
SPEND_SEASON = np.array([0.0, 0.22, 0.12, -0.05, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.18, 0.12])  # log, by month
SPEND_SPREAD, SPEND_NOISE = 0.8, 0.35
MARGIN_CNY, MARGIN_SPREAD, MARGIN_NOISE, INVESTED_SHARE = 3_000.0, 1.2, 0.6, 0.15
ORDINARY_REASONS = ("资金转出", "他行竞争", "服务不满意", "长期不用", "工作调动")
ORDINARY_WEIGHTS = np.array([0.38, 0.25, 0.12, 0.15, 0.10])
NORMAL_REASONS = ("死亡", "移民")
CLOSE_REASONS = ORDINARY_REASONS + NORMAL_REASONS


@dataclass
class Ledger:
    spend_level: np.ndarray  # personal log factor on the card level's monthly spend
    spend: np.ndarray  # cents spent this year on the card held now
    loan: np.ndarray  # cents outstanding, 0 without a loan
    repay: np.ndarray  # share of the balance repaid each month
    margin_level: np.ndarray  # log cents
    margin: np.ndarray  # cents
    year_sum: np.ndarray  # cents: the year's month-end AUM so far
    reason: np.ndarray  # index into CLOSE_REASONS, -1 when not closing this month
    contact: pa.Array  # 地址,工作单位
    address_missing: np.ndarray  # per outlet
    employer_missing: np.ndarray

    def year_avg(self, rows: np.ndarray, day: np.datetime64) -> np.ndarray:
        """Cents, rounded half up: the mean of the year's month ends so far."""
        months = month_of(day)
        return (2 * self.year_sum[rows] + months) // (2 * months)

    def advance(
        self, rng: np.random.Generator, c: Customers, org: Org, day: np.datetime64, closing: np.ndarray
    ) -> None:
        """To month end `day`, after the month's moves and arrivals (customers beyond the ledger are new)."""
        self._extend(rng, c, org)
        month = month_of(day)
        age = c.age(day)
        self.year_sum = np.where(month == 1, 0, self.year_sum) + c.aum
        self._spend(rng, c, month, restart=month == 1)
        self._loans(rng, c, age, seasoned=False)
        self._margins(rng, c)
        self.reason = np.full(len(c.aum), -1, np.int8)
        self.reason[closing] = close_reasons(rng, age[closing])

    def _extend(self, rng: np.random.Generator, c: Customers, org: Org) -> None:
        new = np.arange(len(self.spend), len(c.aum))
        n = len(new)
        extra = {
            "spend_level": rng.normal(0, SPEND_SPREAD, n),
            "margin_level": _margin_levels(rng, c.aum[new]),
            "contact": contact_fields(rng, c.branch[new], org, self.address_missing, self.employer_missing),
        }
        for f in fields(self):
            if f.name in ("address_missing", "employer_missing"):
                continue
            old = getattr(self, f.name)
            add = extra.get(f.name, np.zeros(n, old.dtype) if isinstance(old, np.ndarray) else None)
            setattr(
                self, f.name, pa.concat_arrays([old, add]) if isinstance(old, pa.Array) else np.concatenate([old, add])
            )

    def _month_spend(self, rng: np.random.Generator, c: Customers, month: int, who: np.ndarray) -> np.ndarray:
        log_cny = self.spend_level[who] + np.log(CARD_SPEND_CNY[c.card[who]]) + SPEND_SEASON[month]
        return np.rint(np.exp(log_cny + rng.normal(0, SPEND_NOISE, len(who))) * 100).astype(np.int64)

    def _spend(self, rng: np.random.Generator, c: Customers, month: int, restart: bool) -> None:
        held = np.flatnonzero(c.flags[:, CREDIT_CARD] & (c.state != GONE))
        spend = np.zeros(len(c.aum), np.int64)
        spend[held] = (0 if restart else self.spend[held]) + self._month_spend(rng, c, month, held)
        self.spend = spend

    def _loans(self, rng: np.random.Generator, c: Customers, age: np.ndarray, seasoned: bool) -> None:
        held = c.flags[:, LOAN] & (c.state != GONE)
        new = np.flatnonzero(held & (self.loan == 0))
        mortgage = rng.random(len(new)) < np.where((age[new] >= 25) & (age[new] <= 55), 0.3, 0.1)
        amount = np.where(
            mortgage, rng.lognormal(np.log(500_000), 0.45, len(new)), rng.lognormal(np.log(50_000), 0.8, len(new))
        )
        if seasoned:  # the first period's loans were taken out some time ago
            amount *= rng.uniform(0.3, 1.0, len(new))
        repay = np.where(mortgage, rng.uniform(0.003, 0.005, len(new)), rng.uniform(0.015, 0.03, len(new)))
        running = held & (self.loan > 0)
        self.loan = np.where(running, np.floor(self.loan * (1 - self.repay)), 0).astype(np.int64)
        self.loan[new] = np.rint(amount * 100).astype(np.int64)
        self.repay[new] = repay

    def _margins(self, rng: np.random.Generator, c: Customers) -> None:
        held = np.flatnonzero(c.flags[:, THIRD_PARTY] & (c.state != GONE))
        swing = np.exp(self.margin_level[held] + rng.normal(0, MARGIN_NOISE, len(held)))
        swing *= np.where(rng.random(len(held)) < INVESTED_SHARE, rng.uniform(0, 0.05, len(held)), 1.0)
        self.margin = np.zeros(len(c.aum), np.int64)
        self.margin[held] = np.rint(swing)


def _margin_levels(rng: np.random.Generator, aum: np.ndarray) -> np.ndarray:
    """Log cents: 3,000 CNY at 1万 of AUM, scaled by AUM^0.35, scattered."""
    return (
        np.log(MARGIN_CNY * 100)
        + 0.35 * (np.log(aum / 100 + 1) - np.log(10_000))
        + rng.normal(0, MARGIN_SPREAD, len(aum))
    )


def close_reasons(rng: np.random.Generator, age: np.ndarray) -> np.ndarray:
    """An index into CLOSE_REASONS per customer: 死亡 with 25% from 70 (1% below), 移民 with 3% below 60 (1% from
    60), else an ordinary reason by ORDINARY_WEIGHTS."""
    n = len(age)
    death = np.where(age >= 70, 0.25, 0.01)
    emigration = np.where(age < 60, 0.03, 0.01)
    u = rng.random(n)
    ordinary = rng.choice(len(ORDINARY_REASONS), n, p=ORDINARY_WEIGHTS / ORDINARY_WEIGHTS.sum())
    dead, gone_abroad = len(ORDINARY_REASONS), len(ORDINARY_REASONS) + 1
    return np.where(u < death, dead, np.where(u < death + emigration, gone_abroad, ordinary))


def _opened(c: Customers) -> np.ndarray:
    text = c.text.field("opened").cast(pa.string())
    return pc.cast(text, pa.date32()).to_numpy(zero_copy_only=False).astype("datetime64[D]")


def open_ledger(rng: np.random.Generator, c: Customers, org: Org, day: np.datetime64) -> Ledger:
    """The ledger at the first period `day`, with a history back to January for the year's figures."""
    empty = np.zeros(0, np.int64)
    ledger = Ledger(
        np.zeros(0), empty, empty, np.zeros(0), np.zeros(0), empty, empty, np.zeros(0, np.int8), pa.array([], pa.binary()),
        missing_shares(rng, org, ADDRESS_MISSING, 0.5), missing_shares(rng, org, EMPLOYER_MISSING, 0.3),
    )  # fmt: skip
    ledger._extend(rng, c, org)
    month = month_of(day)
    # month ends of this year before `day` the customer was with the bank (opened in month k: from k's month end)
    opened = _opened(c).astype("datetime64[M]")
    year_start = day.astype("datetime64[Y]").astype("datetime64[M]")
    before = month - 1 - np.clip((opened - year_start).astype(np.int64), 0, month - 1)
    ledger.year_sum = c.aum + np.rint(before * c.aum * rng.lognormal(0, 0.08, len(c.aum))).astype(np.int64)
    held = np.flatnonzero(c.flags[:, CREDIT_CARD])
    spent = ledger._month_spend(rng, c, month, held)
    # the months before: each about an average month's spend (cents) at today's card level
    usual = np.exp(ledger.spend_level[held] + np.log(CARD_SPEND_CNY[c.card[held]]) + 0.06) * 100
    earlier = np.rint(before[held] * usual * rng.lognormal(0, 0.2, len(held))).astype(np.int64)
    ledger.spend = np.zeros(len(c.aum), np.int64)
    ledger.spend[held] = spent + earlier
    ledger._loans(rng, c, c.age(day), seasoned=True)
    ledger._margins(rng, c)
    ledger.reason = np.full(len(c.aum), -1, np.int8)
    return ledger
