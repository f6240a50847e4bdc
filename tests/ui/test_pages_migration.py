"""层级迁移 Migration page: matrix cells, the customers of a chosen cell or move, the Sankey and the projection.

The key numbers are also checked against the extracts recounted with pandas (tests/helpers/recount.py).
"""

from __future__ import annotations

import json
from datetime import date

from analytics.core.scope import Scope
from analytics.lists.migration_cell import migration_customers
from analytics.metrics.migration import migration_matrix
from tests.helpers import recount
from tests.helpers.pages import analytics_connection, app, frame_with, no_exception
from ui import charts_matrix

START, END = date(2026, 6, 30), date(2026, 9, 30)


def cells(con, start, end):
    matrix = migration_matrix(con, start, end, Scope())
    return matrix[matrix["customers"] > 0].reset_index(drop=True)


def both_ends(rows, start, end):
    """By hand: customers present at both ends, with their tier at each (tier, tier_end)."""
    return recount.at(rows, start)[["tier"]].merge(
        recount.at(rows, end)[["tier"]], left_index=True, right_index=True, suffixes=("", "_end")
    )


def assert_matrix_recounted(shown, rows, start, end):
    """Tier-to-tier cells, row totals (exits included) and the whole matrix (new customers included), by hand."""
    name = dict(enumerate(recount.TIER_NAMES))
    moved = both_ends(rows, start, end).groupby(["tier", "tier_end"]).size()
    tiers = shown[shown["from_tier"].isin(name.values()) & shown["to_tier"].isin(name.values())]
    assert dict(zip(zip(tiers["from_tier"], tiers["to_tier"]), tiers["customers"])) == {
        (name[a], name[b]): n for (a, b), n in moved.items()
    }
    first, last = recount.at(rows, start), recount.at(rows, end)
    rows_shown = shown[shown["from_tier"].isin(name.values())].groupby("from_tier")["customers"].sum()
    assert rows_shown.to_dict() == {name[t]: n for t, n in first["tier"].value_counts().items()}
    assert shown["customers"].sum() == len(first.index.union(last.index))


def test_migration_cells_equal_the_matrix_and_follow_the_periods(demo_db, extract_rows):
    con = analytics_connection(demo_db)
    at = no_exception(app(demo_db, "views/migration.py"))
    shown = frame_with(at, "from_tier", "to_tier", "customers", "row_share")
    assert shown["customers"].tolist() == cells(con, START, END)["customers"].tolist()
    assert_matrix_recounted(shown, extract_rows, START, END)
    at.selectbox(key="from").set_value(date(2026, 3, 31)).run()
    no_exception(at)
    shown = frame_with(at, "from_tier", "to_tier", "customers", "row_share")
    assert shown["customers"].tolist() == cells(con, date(2026, 3, 31), END)["customers"].tolist()
    assert "2026Q1 → 2026Q3" in at.subheader[0].value
    assert_matrix_recounted(shown, extract_rows, date(2026, 3, 31), END)


def test_migration_chosen_cell_lists_its_customers(demo_db, extract_rows):
    con = analytics_connection(demo_db)
    at = app(demo_db, "views/migration.py")
    listed = cells(con, START, END)
    row = int(listed.index[(listed["from_tier"] == "emerging") & (listed["to_tier"] == "mass")][0])
    at.session_state["cells_table"] = {"selection": {"rows": [row], "columns": []}}
    no_exception(at.run())
    expected = migration_customers(con, START, END, Scope(), from_tier="emerging", to_tier="mass")
    shown = frame_with(at, "customer_id", "aum_from", "aum_to")
    assert shown["customer_id"].tolist() == expected["customer_id"].tolist()
    assert len(shown) == min(50, listed.loc[row, "customers"])
    assert set(shown["from_tier"]) == {"潜力客户"} and set(shown["to_tier"]) == {"大众客户"}
    # by hand: emerging (5万-10万) at 2026-06-30 and mass (< 5万) at 2026-09-30
    pairs = both_ends(extract_rows, START, END)
    fell = set(pairs.index[(pairs["tier"] == 1) & (pairs["tier_end"] == 0)])
    assert len(shown) == min(50, len(fell)) and set(shown["customer_id"]) <= fell


def test_migration_chosen_cell_is_in_the_url_and_a_shared_url_reopens_its_customers(demo_db, extract_rows):
    con = analytics_connection(demo_db)
    at = app(demo_db, "views/migration.py")
    listed = cells(con, START, END)
    row = int(listed.index[(listed["from_tier"] == "emerging") & (listed["to_tier"] == "mass")][0])
    at.session_state["cells_table"] = {"selection": {"rows": [row], "columns": []}}
    no_exception(at.run())
    assert at.query_params["cell"] == "潜力客户 → 大众客户"  # the picked row is the URL's cell
    shared = no_exception(app(demo_db, "views/migration.py", query={"cell": "潜力客户 → 大众客户"}))
    shown = frame_with(shared, "customer_id", "aum_from", "aum_to")
    # by hand: emerging (5万-10万) at 2026-06-30 and mass (< 5万) at 2026-09-30
    pairs = both_ends(extract_rows, START, END)
    fell = set(pairs.index[(pairs["tier"] == 1) & (pairs["tier_end"] == 0)])
    assert len(shown) == min(50, len(fell)) and set(shown["customer_id"]) <= fell
    assert shown["customer_id"].tolist() == frame_with(at, "customer_id", "aum_from")["customer_id"].tolist()


def test_migration_move_down_lists_the_customers_who_moved_down(demo_db, extract_rows):
    con = analytics_connection(demo_db)
    at = app(demo_db, "views/migration.py")
    at.button_group(key="move").set_value("down").run()
    no_exception(at)
    expected = migration_customers(con, START, END, Scope(), move="down")
    total = expected.attrs["total_rows"]
    assert any(f"共 {total:,} 行" in c.value for c in at.caption)
    assert frame_with(at, "customer_id", "aum_from")["customer_id"].tolist() == expected["customer_id"].tolist()
    pairs = both_ends(extract_rows, START, END)
    down = (pairs["tier_end"] < pairs["tier"]).sum()  # by hand: present at both ends, in a lower tier at the end
    assert any(f"共 {down:,} 行" in c.value for c in at.caption)


def test_migration_sankey_has_a_column_per_period_in_tier_order_and_projection_runs(demo_db):
    at = app(demo_db, "views/migration.py")
    at.session_state["tab"] = "迁移流向"
    no_exception(at.run())
    figure = json.loads(at.get("plotly_chart")[0].proto.spec)
    node = figure["data"][0]["node"]
    columns = [note["text"] for note in figure["layout"]["annotations"]]
    assert columns == ["<b>2026Q2</b>", "<b>2026Q3</b>"]  # one column per period
    # the five tiers, highest first, at each period; new enters under the start and exited leaves under the end
    tiers = ["私行/财富客户", "理财客户", "中端客户", "潜力客户", "大众客户"]
    assert node["label"] == [*tiers, "新增", *tiers, "流失离行"]
    start = node["y"][:5]
    assert start == sorted(start)  # top to bottom in tier order
    link = figure["data"][0]["link"]
    assert all(node["label"][s] != node["label"][t] for s, t in zip(link["source"], link["target"]))  # mass hidden
    # a link's colour is its move: up (to a higher tier) green, down red
    rank = {name: r for r, name in enumerate(reversed(tiers))}
    for s, t, colour in zip(link["source"], link["target"], link["color"]):
        a, b = node["label"][s], node["label"][t]
        if a in rank and b in rank:
            assert colour == charts_matrix.MOVE_COLOURS["up" if rank[b] > rank[a] else "down"], (a, b)
    at.session_state["tab"] = "未来季度层级结构预测"
    no_exception(at.run())
    projection = frame_with(at, "step", "period", "tier", "customers")
    assert sorted(set(projection["step"])) == [0, 1, 2, 3, 4]
