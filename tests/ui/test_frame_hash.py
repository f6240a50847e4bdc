"""The shared caches' key of a frame (ui/frame_hash.py): equal for equal frames however they are laid out in memory,
different for any change of a value, a type, a name, the order or the index."""

from __future__ import annotations

import pickle
from datetime import date
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from ui.frame_hash import frame_digest, series_digest


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unit": pd.array(["B01", "B02", None], dtype="str"),
            "churned": [7, 3, 0],
            "churn_rate": [0.035, 0.015, np.nan],
            "maintained": pd.array([200, 200, pd.NA], dtype="Int64"),
            "small": [False, False, True],
            "aum": [Decimal("1234500.00"), Decimal("20000.10"), None],
            "period": [date(2026, 9, 30)] * 3,
            "at": pd.to_datetime(["2026-09-30", "2026-10-01", "2026-10-02"]),
        }
    )


def test_equal_frames_get_one_key_however_they_are_laid_out():
    frame = _frame()
    key = frame_digest(frame)
    assert frame_digest(_frame()) == key
    assert frame_digest(frame.copy()) == key
    assert frame_digest(pickle.loads(pickle.dumps(frame))) == key  # as st.cache_data hands a result back
    assert frame_digest(frame.iloc[[0, 1, 2]]) == key  # the same labels, no longer a range
    assert frame_digest(pd.concat([frame.iloc[:2], frame.iloc[2:]])) == key  # Arrow columns in two chunks
    assert frame_digest(pd.concat([frame] * 1000, ignore_index=True).iloc[:3]) == key  # a slice of a longer frame
    assert series_digest(frame["unit"].copy()) == series_digest(frame["unit"])


@pytest.mark.parametrize(
    "change",
    [
        lambda f: f.assign(churned=[7, 3, 1]),  # one number
        lambda f: f.assign(unit=pd.array(["B01", "B03", None], dtype="str")),  # one text
        lambda f: f.assign(unit=pd.array(["B01", "B02", ""], dtype="str")),  # empty text is not missing
        lambda f: f.assign(churn_rate=[0.035, 0.015, 0.0]),  # 0 is not missing
        lambda f: f.assign(churned=[7.0, 3.0, 0.0]),  # the same numbers as floats
        lambda f: f.assign(aum=[Decimal("1234500.00"), Decimal("20000.11"), None]),  # one cent
        lambda f: f.assign(maintained=pd.array([200, 200, 0], dtype="Int64")),  # NA is not 0
        lambda f: f.rename(columns={"churned": "lost"}),  # a header
        lambda f: f[["churned", "unit", *f.columns.drop(["churned", "unit"])]],  # the column order
        lambda f: f.iloc[[1, 0, 2]].reset_index(drop=True),  # the row order
        lambda f: f.set_axis([5, 6, 7]),  # the index
        lambda f: f.iloc[:2],  # a row fewer
    ],
)
def test_any_change_gets_another_key(change):
    frame = _frame()
    changed = change(frame)
    assert not changed.equals(frame)
    assert frame_digest(changed) != frame_digest(frame)


def test_a_series_key_follows_its_values_name_and_type():
    series = pd.Series([1, 2, 3], name="churned")
    assert series_digest(series) != series_digest(series.rename("lost"))
    assert series_digest(series) != series_digest(series.astype(float))
    assert series_digest(series) != series_digest(pd.Series([1, 2, 4], name="churned"))
