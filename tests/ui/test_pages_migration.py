"""层级迁移 Migration page: matrix cells, the customers of a chosen cell or move, the Sankey and the projection."""
from __future__ import annotations

import json
from datetime import date

import pytest

from analytics.lists.migration_cell import migration_customers
from analytics.metrics.migration import migration_matrix
from analytics.core.scope import Scope
from pages_fixture import analytics_connection, app, demo_db, frame_with, no_exception

START, END = date(2026, 6, 30), date(2026, 9, 30)


@pytest.fixture(scope="module")
def db():
    return demo_db()


def cells(con, start, end):
    matrix = migration_matrix(con, start, end, Scope())
    return matrix[matrix["customers"] > 0].reset_index(drop=True)


def test_migration_cells_equal_the_matrix_and_follow_the_periods(db):
    con = analytics_connection(db)
    at = no_exception(app(db, "views/migration.py"))
    shown = frame_with(at, "from_tier", "to_tier", "customers", "row_share")
    assert shown["customers"].tolist() == cells(con, START, END)["customers"].tolist()
    at.selectbox(key="from").set_value(date(2026, 3, 31)).run()
    no_exception(at)
    shown = frame_with(at, "from_tier", "to_tier", "customers", "row_share")
    assert shown["customers"].tolist() == cells(con, date(2026, 3, 31), END)["customers"].tolist()
    assert "2026Q1 → 2026Q3" in at.subheader[0].value


def test_migration_chosen_cell_lists_its_customers(db):
    con = analytics_connection(db)
    at = app(db, "views/migration.py")
    listed = cells(con, START, END)
    row = int(listed.index[(listed["from_tier"] == "emerging") & (listed["to_tier"] == "mass")][0])
    at.session_state["cells_table"] = {"selection": {"rows": [row], "columns": []}}
    no_exception(at.run())
    expected = migration_customers(con, START, END, Scope(), from_tier="emerging", to_tier="mass")
    shown = frame_with(at, "customer_id", "aum_from", "aum_to")
    assert shown["customer_id"].tolist() == expected["customer_id"].tolist()
    assert len(shown) == min(50, listed.loc[row, "customers"])
    assert set(shown["from_tier"]) == {"潜力客户"} and set(shown["to_tier"]) == {"大众客户"}


def test_migration_move_down_lists_the_customers_who_moved_down(db):
    con = analytics_connection(db)
    at = app(db, "views/migration.py")
    at.button_group(key="move").set_value("down").run()
    no_exception(at)
    expected = migration_customers(con, START, END, Scope(), move="down")
    total = expected.attrs["total_rows"]
    assert any(f"共 {total:,} 行" in c.value for c in at.caption)
    assert frame_with(at, "customer_id", "aum_from")["customer_id"].tolist() == expected["customer_id"].tolist()


def test_migration_sankey_nodes_carry_the_period_and_projection_runs(db):
    at = app(db, "views/migration.py")
    at.session_state["tab"] = "迁移流向"
    no_exception(at.run())
    nodes = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]["node"]["label"]
    assert "大众客户 2026Q2" in nodes and "大众客户 2026Q3" in nodes and len(set(nodes)) == len(nodes)
    at.session_state["tab"] = "未来季度层级结构预测"
    no_exception(at.run())
    projection = frame_with(at, "step", "period", "tier", "customers")
    assert sorted(set(projection["step"])) == [0, 1, 2, 3, 4]
