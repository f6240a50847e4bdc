"""The shortcuts of the cell rules read every cell as the general rule does."""

from __future__ import annotations

import duckdb
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.core.sql import used_params
from analytics.ingest import cell_rules as R

DATE_LIKE = st.one_of(
    st.text(alphabet="0123456789-/.年月日 T:", min_size=0, max_size=12),
    st.dates().map(lambda d: d.isoformat()),
    st.dates().map(lambda d: f"{d.isoformat()} 00:00:00"),
    st.builds(lambda y, m, d: f"{y:04d}-{m:02d}-{d:02d}", st.integers(0, 9999), st.integers(0, 99), st.integers(0, 99)),
)


@settings(max_examples=100, deadline=None)
@given(st.lists(DATE_LIKE, min_size=1, max_size=50))
def test_a_date_cell_reads_the_same_through_the_iso_shortcut_as_through_every_spelling(cells):
    value, _ = R._date("cell", "v_cell")
    assert "$iso_date)::date else" in value  # the shortcut is there to be compared
    sql = f"select cell, {value} as shortcut, {R.any_date('cell')} as general from (select unnest($cells) as cell)"
    rows = duckdb.connect().execute(sql, used_params(sql, R.parameters(None) | {"cells": cells})).fetchall()
    assert [(cell, general) for cell, _, general in rows] == [(cell, shortcut) for cell, shortcut, _ in rows]


AMOUNT_LIKE = st.one_of(
    st.text(alphabet="0123456789.,-+()¥￥ e", min_size=0, max_size=22),
    st.decimals(min_value=-(10**17), max_value=10**17, places=2, allow_nan=False).map(str),
    st.integers(0, 10**18).map(str),
    st.builds(lambda n, d: f"{n}.{d}", st.integers(0, 10**17), st.integers(0, 999)),
)


@settings(max_examples=100, deadline=None)
@given(st.lists(AMOUNT_LIKE, min_size=1, max_size=50))
def test_a_money_cell_reads_the_same_through_the_plain_shortcut_as_through_every_spelling(cells):
    value, _ = R._money("cell", "v_cell", required=True)
    assert "then try_cast(cell as decimal(18,2)) else" in value  # the shortcut is there to be compared
    sql = f"select cell, {value} as shortcut, {R.any_amount('cell')} as general from (select unnest($cells) as cell)"
    rows = duckdb.connect().execute(sql, used_params(sql, R.parameters(None) | {"cells": cells})).fetchall()
    assert [(cell, general) for cell, _, general in rows] == [(cell, shortcut) for cell, shortcut, _ in rows]
