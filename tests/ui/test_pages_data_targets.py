"""数据 Data page, the targets upload: HQ loads the targets file the CLI takes (audited), a bad file is rejected
naming line and column, and nobody but HQ sees or uses it. On the bank of tests/helpers/assessment_bank.py."""

from __future__ import annotations

import pytest

import ui.session
from analytics.access.users import User
from analytics.cli.targets import load_target_files
from analytics.core.scope import Scope
from analytics.metrics.scorecard import quarter_scorecard
from analytics.store.generations import open_reader
from tests.helpers.assessment_bank import assessment_bank
from tests.helpers.pages import app, frame_with, no_exception
from tests.helpers.security import events

GOOD = "季度,层级,单位,指标,目标\n2026Q2,manager,M1,churn,0.5\n2026Q2,branch,B02,growth,0.1\n"
BAD = "quarter,level,unit,indicator,target\n2026Q2,manager,M1,churn,0.5\n2026Q2,manager,M9,churn,x\n"


@pytest.fixture
def bank(tmp_path, monkeypatch):
    assessment_bank(tmp_path).close()
    monkeypatch.setenv("BANK_AUDIT", str(tmp_path / "audit.jsonl"))
    return tmp_path


def _upload(at, name: str, text: str):
    at.file_uploader(key="targets_upload").set_value([(name, text.encode("utf-8"), "text/csv")])
    at.run()
    return no_exception(at.button(key="targets_load").click().run())


def test_data_targets_upload_loads_the_file_and_records_it(bank):
    at = _upload(app(bank / "bank.duckdb", "views/data.py"), "targets.csv", GOOD)
    assert any("已加载 2 个目标（2026Q2）" in s.value for s in at.success)
    loads = [e for e in events(bank / "audit.jsonl", "load") if e["details"].get("kind") == "targets"]
    assert [(e["user"], e["details"]["outcome"], e["details"]["rows"]) for e in loads] == [("local", "loaded", 2)]
    con = open_reader(bank / "bank.duckdb")
    managers = quarter_scorecard(con, "2026Q2", "manager", Scope()).set_index("unit")
    # M1's own churn target 0.5 against churn 1/4: 2 (capped); M2 keeps the bank-wide 0.05
    assert managers.loc["M1", ["churn_target", "churn_attainment"]].tolist() == [0.5, 2.0]
    assert managers.loc["M2", "churn_target"] == 0.05
    # B02's growth target 0.1 against Q2 growth (5 - 5) / 5 = 0: attainment 0
    branches = quarter_scorecard(con, "2026Q2", "branch", Scope()).set_index("unit")
    assert branches.loc["B02", ["growth_target", "growth_attainment"]].tolist() == [0.1, 0.0]


def test_data_targets_upload_rejects_a_bad_file_naming_line_and_column(bank):
    at = _upload(app(bank / "bank.duckdb", "views/data.py"), "bad=targets.csv", BAD)
    assert any("bad=targets" in e.value and "2 个问题" in e.value for e in at.error)
    problems = frame_with(at, "file", "line", "column", "reason")
    assert problems[["line", "column"]].values.tolist() == [[3, "unit"], [3, "target"]]
    assert set(problems["file"]) == {"bad=targets.csv"}
    assert problems["reason"].tolist() == ["“M9”不是已加载数据中该层级的单位", "“x”不是数字"]
    # nothing of the file was loaded: M1 keeps the bank-wide target
    con = open_reader(bank / "bank.duckdb")
    assert quarter_scorecard(con, "2026Q2", "manager", Scope()).set_index("unit").loc["M1", "churn_target"] == 0.05
    loads = [e for e in events(bank / "audit.jsonl", "load") if e["details"].get("kind") == "targets"]
    assert [(e["details"]["outcome"], e["details"]["problems"]) for e in loads] == [("rejected", 2)]


def test_data_targets_upload_is_hq_only(bank, monkeypatch):
    branch = User("b02", "branch", ("B02",))
    # the page checks the role itself (the Data page is also out of other roles' navigation)
    monkeypatch.setattr(ui.session, "current_user", lambda: branch)
    at = no_exception(app(bank / "bank.duckdb", "views/data.py"))
    assert not [u for u in at.get("file_uploader") if u.proto.id.endswith("targets_upload")]
    assert not [b for b in at.button if b.key == "targets_load"]
    # and the loader refuses: nothing read, nothing recorded
    target = bank / "t.csv"
    target.write_text(GOOD, encoding="utf-8")
    with pytest.raises(PermissionError, match="only HQ"):
        load_target_files(bank / "bank.duckdb", [(target, "t.csv")], branch, bank / "audit.jsonl")
    assert not events(bank / "audit.jsonl", "load")
    con = open_reader(bank / "bank.duckdb")
    assert quarter_scorecard(con, "2026Q2", "manager", Scope()).set_index("unit").loc["M1", "churn_target"] == 0.05
