"""`report list <name>` on the workbench bank (tests/helpers/workbench_bank.py), at 2026-09-30, and `report pack`
on the demo bank."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from analytics.cli.main import main
from tests.helpers.workbench_bank import workbench_bank


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli_lists")
    workbench_bank(folder).close()
    return folder / "bank.duckdb"


@pytest.fixture(autouse=True)
def no_log(tmp_path, monkeypatch):
    monkeypatch.setenv("BANK_FOLLOWUP_DB", str(tmp_path / "none.sqlite"))  # nobody contacted


def _json(capsys, *argv: str) -> pd.DataFrame:
    assert main(["report", "list", *argv, "--format", "json"]) == 0
    return pd.read_json(io.StringIO(capsys.readouterr().out), dtype=False)


def test_report_list_red_and_unassigned_print_masked_customers(db, capsys):
    # K05 (B01, no manager, no phone, affluent 150,000) is the only one of each list
    for name in ("red", "unassigned"):
        frame = _json(capsys, name, "--db", str(db))
        assert frame["customer_id"].tolist() == ["K05"] and frame["aum"].tolist() == [150_000]
        assert frame["customer_name"].tolist() == ["钱*"]


def test_report_list_load_per_manager_and_per_branch(db, capsys):
    frame = _json(capsys, "load", "--db", str(db))
    # M1: K01, K02, K08, K09 (K09 no longer maintained); M2: K03; M3: K06, K07 (K07 mass); B01's unassigned: K05
    rows = {
        (r.branch_id, r.manager_id if isinstance(r.manager_id, str) else None): (r.customers, r.maintained, r.load)
        for r in frame.itertuples()
    }
    assert rows == {
        ("B01", "M1"): (4, 3, "under"),
        ("B01", "M2"): (1, 1, "under"),
        ("B01", None): (1, 1, "unassigned"),
        ("B02", "M3"): (2, 1, "under"),
    }
    by_branch = _json(capsys, "load", "--by", "branch", "--db", str(db))
    assert by_branch[["branch_id", "managers", "customers", "maintained"]].values.tolist() == [
        ["B01", 2, 6, 5],
        ["B02", 1, 2, 1],
    ]


def test_report_list_calls_by_branch_sums_the_aum_at_stake(db, capsys):
    # with no contact logged: B01 K02 1,900,000 + K04 300,000 + K01 250,000 + K05 150,000 + K03 120,000
    # + K09 60,000; B02 K06 520,000 + K07 47,000
    assert main(["report", "list", "calls", "--by", "branch", "--format", "csv", "--db", str(db)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "branch_id,branch_name,customers,aum",
        "B01,城东网点,6,2780000.00",
        "B02,城西网点,2,567000.00",
    ]


def test_report_list_calls_lists_every_reason_without_id_numbers(db, capsys):
    frame = _json(capsys, "calls", "--db", str(db))
    assert frame["customer_id"].tolist() == ["K02", "K06", "K04", "K01", "K05", "K03", "K09", "K07"]
    assert "id_number" not in frame and frame.set_index("customer_id").loc["K04", "reasons"] == "churned"


def test_report_list_without_a_list_name_is_a_usage_error(db, capsys):
    assert main(["report", "list", "--db", str(db)]) == 2
    assert "report list needs one of red, unassigned, load, handover, outflow, birthday" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["report", "list", "everyone", "--db", str(db)])


def test_report_list_unassigned_suggests_a_maintainer(db, capsys):
    # K05 (affluent, B01): M2 (大堂经理, the role whose book is all affluent, 1 customer) rather than M1 (理财经理)
    frame = _json(capsys, "unassigned", "--db", str(db))
    assert frame[["suggested_manager_id", "suggested_role"]].values.tolist() == [["M2", "大堂经理"]]


def test_report_list_outflow_and_birthday_use_the_policy_thresholds(db, capsys):
    # 10万 and a fall of 5万: K01 (-60,000) and K02 (-50,000); 100万 born in the month after today's
    assert _json(capsys, "outflow", "--db", str(db))["customer_id"].tolist() == ["K01", "K02"]
    assert main(["report", "list", "outflow", "--by", "manager", "--format", "csv", "--db", str(db)]) == 0
    # per manager: their AUM now, 190,000 + 1,850,000
    assert capsys.readouterr().out.splitlines()[1:] == ["B01,M1,王芳,2,2040000.00"]
    assert main(["report", "list", "birthday", "--format", "json", "--db", str(db)]) == 0


def test_report_list_handover_per_customer_and_per_unit(db, capsys):
    frame = _json(capsys, "handover", "--db", str(db))
    assert frame["customer_id"].tolist() == ["K05", "K08", "K09"] and frame["outcome"].tolist()[-1] == "churned"
    by = _json(capsys, "handover", "--by", "manager", "--db", str(db)).set_index("unit")
    assert by.loc["M2", ["reassigned", "reassigned_churned", "kept", "kept_churned"]].tolist() == [3, 1, 2, 1]
    # --from / --to give the two month ends; a month end to itself hands nothing over
    assert _json(capsys, "handover", "--from", "2026-09-30", "--to", "2026-09-30", "--db", str(db)).empty


def test_report_list_unit_lists_default_to_branches(db, capsys):
    completeness = _json(capsys, "completeness", "--db", str(db))
    assert completeness[["unit", "maintained", "complete"]].values.tolist() == [["B01", 5, 2], ["B02", 1, 0]]
    products = _json(capsys, "products", "--by", "manager", "--db", str(db))
    m3 = products[products["unit"] == "M3"]
    assert m3[["tier", "product", "holders", "customers"]].values.tolist() == [
        ["wealth", "fund", 1, 1],
        ["wealth", "wealth", 0, 1],
    ]
    # nobody contacted (an empty log): every wealth customer is outside the standard
    coverage = _json(capsys, "coverage", "--db", str(db))
    assert coverage[["unit", "maintained", "contacted"]].values.tolist() == [["B01", 2, 0], ["B02", 1, 0]]
