"""Which manager serves which customer: the first allocation of books and every later assignment."""

from __future__ import annotations

import numpy as np

from tools.demo_bank.customers import GONE, Customers
from tools.demo_bank.staff import ROLES, Org, Staff, no_staff
from tools.demo_bank.tiers import Tiers

CUSTOMERS_PER_MANAGER = 650
UNASSIGNED_SHARE = 0.03


def _pick(rng: np.random.Generator, keys: np.ndarray, values: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """For each wanted key a random value among those with that key, or -1 if there is none."""
    order = np.argsort(keys, kind="stable")
    lo = np.searchsorted(keys[order], wanted, side="left")
    count = np.searchsorted(keys[order], wanted, side="right") - lo
    chosen = np.minimum(lo + (rng.random(len(wanted)) * count).astype(np.int64), len(keys) - 1)
    return np.where(count > 0, values[order][chosen], -1)


def assign(rng: np.random.Generator, c: Customers, staff: Staff, org: Org, tiers: Tiers, who: np.ndarray) -> np.ndarray:
    """Managers for customers `who`: one of their band in their outlet, else sub-branch, region, bank, else a lower
    band; of two random candidates the one with the smaller book, which keeps the books even."""
    group, branch = tiers.band_group(c.aum[who], len(ROLES)), c.branch[who]
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


def allocate_books(rng: np.random.Generator, c: Customers, org: Org, tiers: Tiers) -> Staff:
    """Cuts the customers, sorted by band (highest first) and outlet, into books of 500-800."""
    group = tiers.band_group(c.aum, len(ROLES))
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
    staff = no_staff()
    staff.hire(rng, org, role, home.astype(np.int64))
    c.manager[served] = book
    return staff
