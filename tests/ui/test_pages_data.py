"""数据 Data page: quality and history equal the catalog; an upload loads, reports and refreshes the filters;
an empty database shows the empty state with a demo-bank button on every page.

The key numbers are also checked against the extracts recounted with pandas (tests/helpers/recount.py).
"""

from __future__ import annotations

from datetime import date

import pytest

from analytics.store.catalog import load_history, period_quality
from tests.helpers.pages import analytics_connection, app, frame_with, no_exception
from tools.demo_bank.simulate import generate_extracts


def test_data_quality_and_history_equal_the_catalog(demo_db, demo_bank, extract_rows):
    con = analytics_connection(demo_db)
    at = no_exception(app(demo_db, "views/data.py"))
    quality = frame_with(at, "months_missing_before", "rows")
    assert quality["rows"].tolist() == period_quality(con)["rows"].tolist()
    history = frame_with(at, "load_id", "outcome")
    assert history["load_id"].tolist() == load_history(con)["load_id"].tolist()
    # by hand: each extract file's data rows (pandas), its 金融资产 total in 万元; one load per file plus the policy
    counted = extract_rows.groupby("period").agg(rows=("customer_id", "size"), aum=("aum", "sum"))
    assert dict(zip(quality["period"].dt.date, quality["rows"])) == counted["rows"].to_dict()
    assert dict(zip(quality["period"].dt.date, quality["aum_total"])) == pytest.approx(
        (counted["aum"] / 10_000).to_dict()
    )
    files = history[history["file_name"].str.endswith(".csv")]
    assert dict(zip(files["file_name"], files["rows"])) == {
        str(path): len(extract_rows[extract_rows["period"] == day])
        for path, day in zip(demo_bank.extracts, counted.index)
    }
    assert len(history) == len(demo_bank.extracts) + 1
    assert frame_with(at, "tier", "min_aum")["tier"].tolist()[0] == "大众客户"  # the tier as a word, not its code
    # the policy's codes as words: the demo policy tiers by month-end AUM and maintains from 潜力客户 (its rank 1)
    assert any("分层依据 月末资产余额（AUM）；维护起点 潜力客户" in c.value for c in at.caption)
    assert any("无缺失月份" in s.value for s in at.success)


def test_data_upload_reports_each_file_and_refreshes_the_quarters(tmp_path, demo_copy):
    db = demo_copy("upload")
    new_month = generate_extracts(tmp_path, customers=200, months=1, end=date(2026, 10, 31))[0]
    bad = ("bad.csv", "客户号,金融资产\n001,12\n".encode(), "text/csv")
    at = app(db, "views/data.py")
    assert at.selectbox(key="q").options == ["2026Q3", "2026Q2"]
    at.file_uploader[0].set_value([(new_month.name, new_month.read_bytes(), "text/csv"), bad])
    at.run()
    at.button[0].click().run()
    no_exception(at)
    assert any("已加载 200 行" in s.value and "2026-10-31" in s.value for s in at.success)
    assert any("bad\\.csv" in e.value and "被拒绝" in e.value for e in at.error)  # a file name is escaped markdown
    problems = frame_with(at, "file", "reason")
    assert set(problems["file"]) == {"bad.csv"}
    assert at.selectbox(key="q").options == ["2026Q4", "2026Q3", "2026Q2"]
    # the load history names each upload as it was sent, not by the scratch folder it was saved in
    history = frame_with(at, "file_name", "sha256")
    assert set(history["file_name"].head(2)) == {new_month.name, "bad.csv"}


def test_empty_database_shows_the_empty_state_and_builds_the_demo_bank(tmp_path, monkeypatch):
    monkeypatch.setenv("BANK_DEMO_CUSTOMERS", "300")
    monkeypatch.setenv("BANK_DEMO_MONTHS", "4")
    at = no_exception(app(tmp_path / "empty.duckdb"))
    assert "尚未加载数据" in at.info[0].value and "make run" in at.info[0].value
    for page in ("views/tiers.py", "views/scorecard.py", "views/data.py"):
        at.switch_page(page).run()
        no_exception(at)
        assert "尚未加载数据" in at.info[0].value
    at.button(key="build_demo").click().run()
    no_exception(at)
    at.switch_page("views/overview.py").run()
    no_exception(at)
    assert [m.value for m in at.metric][0] == "300"
