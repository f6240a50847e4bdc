"""Synthetic month-end extracts of a demo retail bank: one GBK CSV per month end, as the bank's core system
would export them.

The bank, all vectorised: its organisation and managers (staff), its customers and their balances, products and
cards (customers), who serves whom (books), each month's departures, moves and arrivals (month), what the
bank's other systems add (ledger: card spend, loans, depository margin, year averages, close reasons; contacts:
addresses and employers), each month's file (writer). The tiers the customers live in are the policy's
(tiers): volatility and churn by tier, managers by band, maintained customers following a leaving manager.

Head count: the bank starts ~3%/year smaller than `customers`; each month's new customers make up churn plus
growth, so the last month has `customers` active customers (plus that month's 销户 rows).
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from analytics.core.policy import Policy, load_policy
from tools.demo_bank.books import allocate_books
from tools.demo_bank.customers import new_customers
from tools.demo_bank.ledger import open_ledger
from tools.demo_bank.month import simulate_month
from tools.demo_bank.staff import build_org
from tools.demo_bank.tiers import Tiers
from tools.demo_bank.writer import month_rows, write_csv

ANNUAL_GROWTH = 1.03
FIRST_CUSTOMER_NUMBER = 10_000


def month_ends(end: date, months: int) -> list[date]:
    """The `months` month ends up to `end`, oldest first; ValueError when `end` is not a month end."""
    if (end + timedelta(days=1)).day != 1:
        raise ValueError(f"{end} is not a month end")
    first = np.datetime64(end, "M") - (months - 1)
    return [(first + k + 1).astype("datetime64[D]").item() - timedelta(days=1) for k in range(months)]


def generate_extracts(
    out_dir: Path,
    customers: int = 200_000,
    months: int = 24,
    end: date = date(2026, 9, 30),
    seed: int = 7,
    policy: Policy | None = None,
) -> list[Path]:
    """Writes `extract_YYYY-MM-DD.csv` (GBK) for the `months` month ends up to `end`; returns them in period order.

    `customers` is the number of active customers in the last month; the first month has ~3%/year fewer.
    `policy` gives the tiers (None: the default policy file, data/policy.toml). The same arguments give the
    same bytes.
    """
    return list(iter_extracts(out_dir, customers, months, end, seed, policy))


def iter_extracts(
    out_dir: Path,
    customers: int = 200_000,
    months: int = 24,
    end: date = date(2026, 9, 30),
    seed: int = 7,
    policy: Policy | None = None,
) -> Iterator[Path]:
    """generate_extracts one month at a time: each path once its file is complete (a loader can start on it
    while the next month is simulated). Wrong arguments raise here, before any month is made."""
    if customers < 1 or months < 1:
        raise ValueError("customers and months must be positive")
    tiers = Tiers.of(policy if policy is not None else load_policy())
    return _simulated_months(Path(out_dir), customers, month_ends(end, months), seed, tiers)


def _simulated_months(out_dir: Path, customers: int, periods: list[date], seed: int, tiers: Tiers) -> Iterator[Path]:
    months = len(periods)
    rng = np.random.default_rng(seed)
    org = build_org(rng, customers)
    targets = np.round(customers / ANNUAL_GROWTH ** ((months - 1 - np.arange(months)) / 12)).astype(int)
    first = np.datetime64(periods[0], "D")
    c = new_customers(rng, int(targets[0]), org, tiers, first, FIRST_CUSTOMER_NUMBER, initial=True)
    staff = allocate_books(rng, c, org, tiers)
    # the ledger's own stream: the columns it adds leave every other column as it would be without them
    other = np.random.default_rng(np.random.SeedSequence(seed).spawn(1)[0])
    ledger = open_ledger(other, c, org, first)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    with ThreadPoolExecutor(max_workers=1) as writer:  # writes month t while month t+1 is simulated
        writing: Future[None] | None = None
        for t, period in enumerate(periods):
            day = np.datetime64(period, "D")
            closing = np.zeros(len(c.aum), bool)
            if t:
                closing = simulate_month(rng, c, staff, org, tiers, day, int(targets[t]))
                ledger.advance(other, c, org, day, closing)
            rows = month_rows(rng, c, staff, org, ledger, day, closing)
            if writing is not None:
                writing.result()
                yield paths[-1]
            paths.append(out_dir / f"extract_{period.isoformat()}.csv")
            writing = writer.submit(write_csv, rows, paths[-1])
        if writing is not None:
            writing.result()
            yield paths[-1]
