"""One month of the demo bank: departures, balances, products, cards, managers, then the month's new customers.

- churn: a monthly hazard by tier, product count, age, unassigned, branch and manager quality (hidden scores)
  starts a drawdown; the customer leaves that month or a few months later, closing (one last row, 状态 销户,
  zero balances) or simply vanishing. Some maintained customers follow a leaving manager out.
- balances: the level drifts (the customer's own trend, manager and branch quality) and jumps now and then; the
  deviation reverts to it with the tier's volatility.
- products drift towards the current holding odds, higher under better managers.
- card level follows a smoothed AUM: upgrades lag by months, downgrades happen only at the January review.
- managers: each month 1% of a book moves, a tenth of the unassigned are allocated, and a leaving manager's book
  passes to a successor.
"""

from __future__ import annotations

import numpy as np

from tools.demo_bank.books import assign
from tools.demo_bank.customers import (
    ACTIVE,
    CALENDAR,
    GONE,
    LEAVING,
    REVERSION,
    Customers,
    card_target,
    cents,
    month_of,
    new_customers,
    product_odds,
)
from tools.demo_bank.staff import Org, Staff
from tools.demo_bank.tiers import CHURN_BY_TIER, SIGMA_BY_TIER, Tiers


def _start_leaving(rng: np.random.Generator, c: Customers, mask: np.ndarray) -> None:
    c.state[mask] = LEAVING
    c.level[mask] -= rng.uniform(0.5, 3.0, int(mask.sum()))  # money moves out before the customer does


def _churn(
    rng: np.random.Generator,
    c: Customers,
    org: Org,
    tiers: Tiers,
    month: int,
    age: np.ndarray,
    manager_quality: np.ndarray,
) -> np.ndarray:
    """Starts and ends departures; returns the mask of customers closing this month."""
    n = len(c.aum)
    hazard = (
        tiers.per_tier(CHURN_BY_TIER, c.aum)
        * np.exp(-0.2 * (c.flags.sum(axis=1) - 3) - org.quality[c.branch] - manager_quality)
        * (1 + 0.6 * (age < 28) + 0.5 * (age > 75))
        * np.where(c.manager < 0, 1.4, 1.0)
    )
    hazard *= 1.3 if month in (2, 3) else 1.0  # competitors' post-Spring-Festival campaigns
    _start_leaving(rng, c, (c.state == ACTIVE) & (rng.random(n) < hazard))
    leave = (c.state == LEAVING) & (rng.random(n) < 0.45)
    c.state[leave] = GONE
    return leave & (rng.random(n) < 0.4)


def _move_balances(
    rng: np.random.Generator, c: Customers, org: Org, tiers: Tiers, month: int, manager_quality: np.ndarray
) -> None:
    n = len(c.aum)
    jump = np.abs(rng.normal(0.7, 0.4, n))
    u = rng.random(n)
    c.level += c.trend + 0.004 * manager_quality + 0.002 * org.quality[c.branch]
    c.level += np.where(u < 0.006, jump, np.where(u > 0.993, -jump, 0.0))  # windfalls, house purchases
    c.dev = (1 - REVERSION) * c.dev + tiers.per_tier(SIGMA_BY_TIER, c.aum) * rng.normal(0, 1, n)
    c.prev = c.aum
    c.aum = cents(c.level + c.dev + CALENDAR[month])
    rebalance = np.flatnonzero(rng.random(n) < 0.1)
    c.mix[rebalance] *= rng.lognormal(0, 0.3, (len(rebalance), c.mix.shape[1]))


def _update_products(rng: np.random.Generator, c: Customers, age: np.ndarray, manager_quality: np.ndarray) -> None:
    """Each month 6% of all holdings are reconsidered, so holdings drift towards the current odds."""
    rows, product = np.nonzero(rng.random(c.flags.shape) < 0.06)
    odds = product_odds(c.aum[rows], age[rows], manager_quality[rows], product)
    c.flags[rows, product] = rng.random(len(rows)) < odds


def _update_cards(rng: np.random.Generator, c: Customers, month: int) -> None:
    c.smooth = 0.8 * c.smooth + 0.2 * c.aum / 100
    target = card_target(c.smooth, c.card_bar)
    review = 0.6 if month == 1 else 0.0
    n = len(c.aum)
    change = ((target > c.card) & (rng.random(n) < 0.3)) | ((target < c.card) & (rng.random(n) < review))
    c.card = np.where(change, target, c.card)


def _manage(rng: np.random.Generator, c: Customers, staff: Staff, org: Org, tiers: Tiers) -> None:
    alive = c.state != GONE
    leavers = np.flatnonzero(staff.active & (rng.random(len(staff.ids)) < 0.005))
    if leavers.size:
        followers = alive & np.isin(c.manager, leavers) & (c.aum >= tiers.maintained)
        _start_leaving(rng, c, followers & (c.state == ACTIVE) & (rng.random(len(c.aum)) < 0.1))
        successors = staff.hire(rng, org, staff.group[leavers], staff.branch[leavers])
        staff.active[leavers] = False
        handover = np.arange(len(staff.ids))
        handover[leavers] = successors
        c.manager = np.where(c.manager >= 0, handover[c.manager], -1).astype(np.int32)
    moving = np.flatnonzero(alive & (rng.random(len(c.aum)) < np.where(c.manager >= 0, 0.01, 0.10)))
    c.manager[moving] = assign(rng, c, staff, org, tiers, moving)


def simulate_month(
    rng: np.random.Generator, c: Customers, staff: Staff, org: Org, tiers: Tiers, day: np.datetime64, target: int
) -> np.ndarray:
    """Advances the bank to month end `day` with `target` customers present; returns the mask of customers
    closing this month."""
    month = month_of(day)
    age = c.age(day)
    manager_quality = np.where(c.manager >= 0, staff.quality[c.manager], 0.0)
    closing = _churn(rng, c, org, tiers, month, age, manager_quality)
    _move_balances(rng, c, org, tiers, month, manager_quality)
    c.aum[closing] = 0
    _update_products(rng, c, age, manager_quality)
    _update_cards(rng, c, month)
    _manage(rng, c, staff, org, tiers)
    arrivals = max(0, target - int(np.sum(c.state != GONE)))
    known = len(c.aum)
    c.extend(new_customers(rng, arrivals, org, tiers, day, int(c.number[-1]), initial=False))
    served = known + np.flatnonzero(rng.random(arrivals) >= 0.25)  # the rest wait to be allocated
    c.manager[served] = assign(rng, c, staff, org, tiers, served)
    return np.concatenate([closing, np.zeros(arrivals, bool)])
