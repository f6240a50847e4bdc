"""A small bank for the workbench and the follow-up log: two month ends, every reason to call once or more.

Policy: data/policy.toml with the downgrade buffer on (10%, 2 month ends) and, instead of its own contact standards,
30 days on wealth and private. All cards 普卡, so only the tier rule maintains (mass < 5万 <= emerging < 10万 <= affluent <
20万 <= wealth < 200万 <= private). Today is Wednesday 2026-10-14: the week starts Monday 2026-10-12, the birthday
month is November, the 30-day standard needs a contact after 2026-09-14.

 id   unit     2026-08-31   2026-09-30   born        contacts      reasons (at_stake)
 K01  B01/M1   250,000 W    190,000 W*   1970-11-05  -             down (strike), outflow (-60,000), contact (250,000)
 K02  B01/M1   1,900,000 W  1,850,000 W  1960-11-20  2026-09-20    up, outflow (-50,000), birthday (1,900,000)
 K03  B01/M2   120,000 A    105,000 A    1980-01-01  2026-10-12    down (< 110,000): followed up this week, hidden
 K04  B01/M2   300,000 W    .            1975-03-03  -             churned (300,000)
 K05  B01/-    150,000 A    150,000 A    1985-05-05  -             unassigned (150,000); no phone (red list)
 K06  B02/M3   500,000 W    520,000 W    1990-11-11  2026-08-01    contact (520,000); birthday needs 100万
 K07  B02/M3   30,000 M     47,000 M     1995-02-02  -             up (>= 45,000) (47,000)
 K08  B01/M2>M1 150,000 A   150,000 A    1988-11-30  -             none (handed over from M2 to M1)
 K09  B01/M2>M1 60,000 E    60,000 E     1966-09-15  -             churned (60,000): turned 60, the emerging band
                                                                   maintains under-60s only; handed over to M1
 (* held at wealth by the buffer: 190,000 >= 90% of 200,000, one strike)
 K05 was M2's at 2026-08-31 (M2 left it unassigned). Managers' roles: M1 and M3 理财经理, M2 大堂经理.

Key information and products at both month ends (maintained at 2026-09-30: K01 K02 K03 K05 K06 K08):
 no phone K05; no address K03, K07; no employer K02, K05, K06; has_wealth K01 K02 K05; has_fund K02 K06 K07.
Gender: 女 K02 K03 K06 K09, the others 男.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import duckdb

from analytics.core.policy import load_policy, parse_policy
from tests.helpers.extracts import write_csv
from tests.helpers.fixture_bank import load

P0, P1 = date(2026, 8, 31), date(2026, 9, 30)
TODAY = date(2026, 10, 14)
CONTACTS = {"K02": date(2026, 9, 20), "K03": date(2026, 10, 12), "K06": date(2026, 8, 1)}
_NAMES = {
    "K01": "张三",
    "K02": "李四",
    "K03": "王五",
    "K04": "赵六",
    "K05": "钱七",
    "K06": "孙八",
    "K07": "周九",
    "K08": "吴十",
    "K09": "郑十一",
}
_UNITS = {
    "K01": ("B01", "M1"),
    "K02": ("B01", "M1"),
    "K03": ("B01", "M2"),
    "K04": ("B01", "M2"),
    "K05": ("B01", ""),
    "K06": ("B02", "M3"),
    "K07": ("B02", "M3"),
    "K08": ("B01", "M1"),
    "K09": ("B01", "M1"),
}
_BEFORE = {"K05": "M2", "K08": "M2", "K09": "M2"}  # manager at 2026-08-31 where it differs
_ROLES = {"M1": "理财经理", "M2": "大堂经理", "M3": "理财经理"}
NO_ADDRESS, NO_EMPLOYER = {"K03", "K07"}, {"K02", "K05", "K06"}
PRODUCTS = {"wealth": {"K01", "K02", "K05"}, "fund": {"K02", "K06", "K07"}}
FEMALE = {"K02", "K03", "K06", "K09"}
_BORN = {
    "K01": "1970-11-05",
    "K02": "1960-11-20",
    "K03": "1980-01-01",
    "K04": "1975-03-03",
    "K05": "1985-05-05",
    "K06": "1990-11-11",
    "K07": "1995-02-02",
    "K08": "1988-11-30",
    "K09": "1966-09-15",
}
_AUM = {
    P0: {
        "K01": 250_000,
        "K02": 1_900_000,
        "K03": 120_000,
        "K04": 300_000,
        "K05": 150_000,
        "K06": 500_000,
        "K07": 30_000,
        "K08": 150_000,
        "K09": 60_000,
    },
    P1: {
        "K01": 190_000,
        "K02": 1_850_000,
        "K03": 105_000,
        "K05": 150_000,
        "K06": 520_000,
        "K07": 47_000,
        "K08": 150_000,
        "K09": 60_000,
    },
}
_MANAGERS = {"M1": "王芳", "M2": "刘强", "M3": "陈静"}
_BRANCHES = {"B01": "城东网点", "B02": "城西网点"}


def workbench_policy_text() -> str:
    text = re.sub(r"\ncontact_every_days = [^\n]*", "", load_policy().text)  # the fixture's own standard
    text = text.replace(
        "# [tiering]\n# downgrade_margin = 0.10\n# downgrade_after = 2",
        "[tiering]\ndowngrade_margin = 0.10\ndowngrade_after = 2",
    )
    for code in ("wealth", "private"):
        text = text.replace(f'code = "{code}"\n', f'code = "{code}"\ncontact_every_days = 30\n')
    return text


def workbench_bank(folder: Path) -> duckdb.DuckDBPyConnection:
    """The bank above, loaded into folder/bank.duckdb through the real ingest path (the connection stays open)."""
    header = [
        "period",
        "customer_id",
        "branch_id",
        "branch_name",
        "manager_id",
        "manager_name",
        "manager_role",
        "customer_name",
        "id_number",
        "phone",
        "birth_date",
        "card_level",
        "gender",
        "status",
        "aum",
        "product_count",
        "address",
        "employer",
        *(f"has_{product}" for product in PRODUCTS),
    ]
    rows: list[list[object]] = [header]
    for period, amounts in _AUM.items():
        for n, (cid, aum) in enumerate(amounts.items(), start=1):
            branch, manager = _UNITS[cid]
            manager = _BEFORE.get(cid, manager) if period == P0 else manager
            rows.append(
                [
                    period.isoformat(),
                    cid,
                    branch,
                    _BRANCHES[branch],
                    manager,
                    _MANAGERS.get(manager, ""),
                    _ROLES.get(manager, ""),
                    _NAMES[cid],
                    f"11010119800101{n:04d}",
                    "" if cid == "K05" else f"1390000{n:04d}",
                    _BORN[cid],
                    "普卡",
                    "女" if cid in FEMALE else "男",
                    "active",
                    aum,
                    2,
                    "" if cid in NO_ADDRESS else f"幸福路{n}号",
                    "" if cid in NO_EMPLOYER else "某公司",
                    *("1" if cid in holders else "0" for holders in PRODUCTS.values()),
                ]
            )
    policy_file = folder / "policy.toml"
    policy_file.write_text(workbench_policy_text(), encoding="utf-8")
    path = write_csv(folder / "workbench.csv", rows)
    return load(folder / "bank.duckdb", [path], parse_policy(policy_file.read_text(encoding="utf-8"), str(policy_file)))
