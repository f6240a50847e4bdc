"""Rates, their confidence intervals and percentile ranks: the small statistics the metrics share."""

from __future__ import annotations

from statistics import NormalDist

import numpy as np
import pandas as pd

SMALL_SAMPLE = 30  # a rate over fewer customers than this is flagged as not reliable


def rate(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """numerator / denominator as floats; null (NaN) where the denominator is 0, never 0."""
    num = pd.to_numeric(numerator).astype(float)
    den = pd.to_numeric(denominator).astype(float)
    return (num / den.where(den != 0)).astype(float)


def wilson_interval(successes, trials, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of successes/trials (arrays); NaN where trials is 0.

    Unlike the normal approximation it stays inside [0, 1] and is sensible for rates near 0 or 1 and small n.
    """
    k = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / n
        denominator = 1 + z * z / n
        centre = (p + z * z / (2 * n)) / denominator
        half = z / denominator * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
        low = np.where(n > 0, np.where(k <= 0, 0.0, np.clip(centre - half, 0, 1)), np.nan)
        high = np.where(n > 0, np.where(k >= n, 1.0, np.clip(centre + half, 0, 1)), np.nan)
    return low, high


def add_rate(frame: pd.DataFrame, name: str, successes: str, trials: str, confidence: float = 0.95) -> None:
    """Add columns <name>, <name>_low, <name>_high (Wilson interval) to `frame` in place."""
    frame[name] = rate(frame[successes], frame[trials])
    frame[f"{name}_low"], frame[f"{name}_high"] = wilson_interval(frame[successes], frame[trials], confidence)


def percentile_rank(values: np.ndarray, ranked: np.ndarray, higher_is_better: bool = True) -> np.ndarray:
    """Share of the ranked units with a value whose value is no better than each one's, itself included (ties
    share the larger share; best = 1). NaN for units not ranked or without a value; they count in no share."""
    better = values if higher_is_better else -values
    counted = ranked & ~np.isnan(better)
    result = np.full(len(values), np.nan)
    ordered = np.sort(better[counted])
    result[counted] = np.searchsorted(ordered, better[counted], side="right") / max(len(ordered), 1)
    return result
