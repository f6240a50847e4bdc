"""The rulebook fixture bank: five month ends, one customer per rule of data/policy.toml's rulebook, small enough
to follow by eye; and the rulebook policy with the downgrade buffer on.

Tiers: M mass < 5万 <= E emerging < 10万 <= A affluent < 20万 <= W wealth < 200万 <= P private. Maintained: tier
E or above (in E only under 60), or a 金卡/白金卡/钻石卡, or card spend >= 5万, or a loan >= 30万, or a margin
>= 1万. Buffer: a customer keeps last month's tier while the basis is >= 90% of its bound; below that they move
down at the 2nd month end in a row (strikes).

 id   rule                 aum at 01-31 / 02-28 / 03-31 / 04-30 / 05-31 (. = no row)   tier path with the buffer
 R01  金卡 under 5万       30,000 all months                                            M M M M M, maintained (card)
 R02  65 at 7万            70,000 all months, age 65                                    E E E E E, not maintained
 R03  59 at 7万            70,000 all months, age 59                                    E E E E E, maintained (tier)
 R04  within the margin    120,000 / 95,000 / 105,000 / 120,000 / 120,000              A A A A A  (95,000 >= 90,000)
 R05  strike, recovery     120,000 / 80,000 / 110,000 / 85,000 / 110,000               A A A A A  (strikes 0 1 0 1 0)
 R06  two strikes, down    120,000 / 80,000 / 80,000 / 80,000 / 40,000                 A A E E E  (strikes 0 1 0 0 1)
 R07  two tiers down       250,000 / 60,000 / 60,000 / 60,000 / 60,000                 W W E E E
 R08  gap month            120,000 / . / 80,000 / 80,000 / 80,000                      A . E E E  (no row before)
 R09  dormant both ends    50 all months                                                M M M M M, never active
 R10  card spend           20,000 all months, spend 60,000                             M, maintained (spend)
 R11  loan                 10,000 all months, loan 350,000                             M, maintained (loan)
 R12  margin               5,000 all months, margin 12,000 / 9,999 / 12,000 ...        M, maintained but at 02-28
 R13  age unknown at 7万   70,000 all months, no age                                    E, maintained (tier)
 R14  growing fast         10,000 / 15,000 / 15,000 / 15,000 / 15,000                  M, potential at 02-28 only
Without the buffer the raw tiers hold: R04 A E A A A, R05 A E A E A, R06 A E E E M, R07 W E E E E, R08 A . E E E.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from analytics.core.config import DEFAULT_POLICY
from analytics.core.policy import Policy, parse_policy
from analytics.store.connection import connect
from analytics.store.load import load_files
from tests.helpers.extracts import write_csv

PERIODS = [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30), date(2026, 5, 31)]
HEADER = ["period", "customer_id", "branch_id", "manager_id", "age", "card_level", "aum", "credit_card_spend_ytd",
          "loan_balance", "depository_margin", "deposit_balance", "wealth_balance"]  # fmt: skip
# id -> (age, card, aum per period (None = no row), spend, loan, margin per period, deposit share of aum)
CUSTOMERS: dict[str, tuple] = {
    "R01": (40, "金卡", [30_000] * 5, None, None, None, 0.3),
    "R02": (65, "普卡", [70_000] * 5, None, None, None, 1.0),
    "R03": (59, "普卡", [70_000] * 5, None, None, None, 1.0),
    "R04": (45, "普卡", [120_000, 95_000, 105_000, 120_000, 120_000], None, None, None, 1.0),
    "R05": (45, "普卡", [120_000, 80_000, 110_000, 85_000, 110_000], None, None, None, 1.0),
    "R06": (45, "普卡", [120_000, 80_000, 80_000, 80_000, 40_000], None, None, None, 1.0),
    "R07": (45, "普卡", [250_000, 60_000, 60_000, 60_000, 60_000], None, None, None, 1.0),
    "R08": (45, "普卡", [120_000, None, 80_000, 80_000, 80_000], None, None, None, 1.0),
    "R09": (45, "普卡", [50] * 5, None, None, None, 1.0),
    "R10": (45, "普卡", [20_000] * 5, 60_000, None, None, 1.0),
    "R11": (45, "普卡", [10_000] * 5, None, 350_000, None, 1.0),
    "R12": (45, "普卡", [5_000] * 5, None, None, [12_000, 9_999, 12_000, 12_000, 12_000], 1.0),
    "R13": (None, "普卡", [70_000] * 5, None, None, None, 4 / 7),
    "R14": (45, "普卡", [10_000, 15_000, 15_000, 15_000, 15_000], None, None, None, 1.0),
}
BUFFER = "\n[tiering]\ndowngrade_margin = 0.10\ndowngrade_after = 2\n"


def rulebook_policy(buffer: bool = True) -> Policy:
    """data/policy.toml (the rulebook's maintained rules; its buffer is a comment), with the buffer on or off."""
    text = DEFAULT_POLICY.read_text(encoding="utf-8")
    return parse_policy(text + (BUFFER if buffer else ""), "rulebook.toml")


def month_rows(period: date) -> list[list[object]]:
    i = PERIODS.index(period)
    rows = []
    for cid, (age, card, aums, spend, loan, margins, deposit_share) in CUSTOMERS.items():
        if aums[i] is None:
            continue
        deposit = round(aums[i] * deposit_share, 2)
        margin = margins[i] if margins else None
        rows.append([period.isoformat(), cid, "B01", "M1", age, card, aums[i], spend, loan, margin, deposit,
                     round(aums[i] - deposit, 2)])  # fmt: skip
    return rows


def write_months(folder: Path, periods: list[date] = PERIODS) -> list[Path]:
    """One CSV per month end, in the order given."""
    return [write_csv(folder / f"{p.isoformat()}.csv", [HEADER, *month_rows(p)]) for p in periods]


def load_months(folder: Path, policy: Policy, order: list[date] = PERIODS):
    """A database in `folder` (made if missing) with the months loaded in `order` under `policy`; fails on any
    rejected file."""
    folder.mkdir(parents=True, exist_ok=True)
    con = connect(folder / "bank.duckdb")
    results = load_files(con, write_months(folder, order), policy)
    assert all(r.outcome == "loaded" for r in results), [str(p) for r in results for p in r.problems]
    return con
