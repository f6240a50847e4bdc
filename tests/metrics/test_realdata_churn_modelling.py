"""Real public data: the Kaggle Churn Modelling customers load with the counts its README publishes."""

from __future__ import annotations

import csv
from decimal import Decimal

from analytics.store.load import load_files
from tests.helpers.extracts import write_csv
from tests.helpers.realdata import REALDATA, needs_realdata

pytestmark = needs_realdata


def test_load_files_churn_modelling_counts_match_the_published_figures(db, tmp_path):
    with open(REALDATA / "Churn_Modelling.csv", encoding="utf-8", newline="") as handle:
        source = list(csv.DictReader(handle))
    rows = [["数据日期", "客户号", "网点号", "金融资产", "客户姓名", "性别", "年龄", "持有产品数", "状态"]]
    rows += [
        [
            "2026-09-30",
            r["CustomerId"],
            r["Geography"],
            r["Balance"],
            r["Surname"],
            "男" if r["Gender"] == "Male" else "女",
            r["Age"],
            r["NumOfProducts"],
            "销户" if r["Exited"] == "1" else "正常",
        ]
        for r in source
    ]
    path = write_csv(tmp_path / "churn_modelling_gbk.csv", rows, encoding="gb18030")
    (result,) = load_files(db, [path])
    assert result.outcome == "loaded", [str(p) for p in result.problems[:5]]
    # README: 10,000 customers, 2,037 exited; France 810/5,014, Germany 814/2,509, Spain 413/2,477
    assert result.rows == 10_000
    by_branch = db.execute("""
        select branch_id, count(*), count(*) filter (where status = 'closed')
        from customer_snapshot group by branch_id order by branch_id
    """).fetchall()
    assert by_branch == [("France", 5014, 810), ("Germany", 2509, 814), ("Spain", 2477, 413)]
    # the AUM total to the cent, summed independently from the source with Decimal
    assert result.aum_total == sum(Decimal(r["Balance"]) for r in source)
    # present customers in the derived tier table: 10,000 - 2,037 = 7,963
    assert db.execute("select sum(customers) from tier_summary").fetchall() == [(7963,)]
