"""How a unit's composite score is made: per indicator its percentile rank, its weight and the points it adds."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.core.indicators import INDICATORS
from analytics.core.policy import Policy
from analytics.core.stats import percentile_rank


def score_parts(
    frame: pd.DataFrame, ranked: np.ndarray, policy: Policy, classes: np.ndarray | None = None
) -> pd.DataFrame:
    """Per indicator of each ranked unit: <indicator>_percentile (share of the compared units doing no better,
    itself included; churn: lower is better), <indicator>_weight (the policy's weight renormalised over the
    indicators the unit has, so a unit's weights add up to 1) and <indicator>_points = 100 x percentile x weight.
    The points add up to the score. With `classes` (one label per unit), units are compared only with units of
    the same class. NaN for units not ranked and for indicators a unit lacks (their points are 0)."""
    shares = {indicator: np.full(len(frame), np.nan) for indicator in INDICATORS}
    labels = np.zeros(len(frame), dtype=object) if classes is None else np.asarray(classes, dtype=object)
    for label in pd.unique(labels[ranked]) if len(frame) else []:
        pool = ranked & (labels == label)
        for indicator, (column, higher_is_better) in INDICATORS.items():
            values = frame[column].to_numpy(dtype=float, na_value=np.nan)
            share = percentile_rank(values, pool, higher_is_better)
            shares[indicator] = np.where(pool, share, shares[indicator])
    total = np.zeros(len(frame))
    for indicator, share in shares.items():
        total += ~np.isnan(share) * policy.weights.get(indicator, 0.0)
    columns: dict[str, np.ndarray] = {}
    has = ranked & (total > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        for indicator, share in shares.items():
            weight = np.where(has, ~np.isnan(share) * policy.weights.get(indicator, 0.0) / total, np.nan)
            columns[f"{indicator}_percentile"] = share
            columns[f"{indicator}_weight"] = weight
            columns[f"{indicator}_points"] = np.where(has, 100 * np.nan_to_num(share) * weight, np.nan)
    return pd.DataFrame(columns, index=frame.index)  # built at once: one column at a time costs a copy each


def rank_of(score: np.ndarray, classes: np.ndarray | None = None) -> pd.Series:
    """1 + the number of units with a higher score (within the unit's class when given); ties share the best
    rank; null where the score is NaN."""
    labels = np.zeros(len(score), dtype=object) if classes is None else np.asarray(classes, dtype=object)
    scores = pd.Series(np.asarray(score, dtype=float))
    rank = scores.groupby(labels, dropna=False, sort=False).rank(method="min", ascending=False, na_option="keep")
    return rank.astype("Int64")
