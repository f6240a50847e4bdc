"""Charts are built once per distinct input (ui/figure_cache.py): the same frame and texts give the figure built
before, another frame or another language a figure of its own."""

from __future__ import annotations

import pandas as pd

from ui import charts


def _tiers(customers: list[int]) -> pd.DataFrame:
    return pd.DataFrame(
        {"period": ["2026-06-30", "2026-06-30", "2026-09-30", "2026-09-30"], "tier": ["大众", "潜力"] * 2,
         "customers": customers}
    )  # fmt: skip


def test_equal_inputs_share_one_figure_and_other_inputs_get_their_own():
    first = charts.stacked_area(_tiers([10, 2, 11, 3]), "period", "customers", "tier", ["大众", "潜力"], "客户", "人")
    again = charts.stacked_area(_tiers([10, 2, 11, 3]), "period", "customers", "tier", ["大众", "潜力"], "客户", "人")
    assert again is first
    other = charts.stacked_area(_tiers([10, 2, 11, 4]), "period", "customers", "tier", ["大众", "潜力"], "客户", "人")
    english = charts.stacked_area(_tiers([10, 2, 11, 3]), "period", "customers", "tier", ["大众", "潜力"], "Cust", "n")
    assert other is not first and english is not first
    by_tier = {trace.name: list(trace.y) for trace in other.data}
    assert by_tier == {"大众": [10, 11], "潜力": [2, 4]}  # the changed frame's numbers, not the first figure's
    assert english.layout.title.text == "Cust" and first.layout.title.text == "客户"
