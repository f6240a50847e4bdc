"""The tier policy as the demo bank's customers live it: tier bounds in cents and what depends on the tier.

The balances themselves do not follow the tiers (a customer's level is drawn in CNY); what does: volatility
(lower as the tier rises), the monthly churn hazard, which managers serve a customer (band groups) and which
customers may follow a leaving manager out (the maintained ones).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from analytics.core.policy import Policy

# Per tier, lowest first, as for the default policy's five tiers (mass, emerging, affluent, wealth, private).
# Another number of tiers: tier k takes entry min(k, 4), so a policy with fewer tiers uses the first entries and
# tiers above the fifth behave like the fifth (the lowest tiers, where most customers are, keep their values).
SIGMA_BY_TIER = np.array([0.20, 0.10, 0.09, 0.07, 0.05])  # monthly log-AUM volatility
CHURN_BY_TIER = np.array([0.007, 0.006, 0.005, 0.0045, 0.004])  # monthly hazard before the other factors


def _cents(amount: Decimal) -> int:
    """The smallest whole number of cents at or above a CNY bound (a balance of c cents is in the tier iff
    c / 100 >= min_aum)."""
    return math.ceil(amount * 100)


@dataclass(frozen=True)
class Tiers:
    bounds: np.ndarray  # cents: min_aum of every tier above the lowest, ascending
    maintained: int  # cents: min_aum of the policy's maintained_from tier

    @classmethod
    def of(cls, policy: Policy) -> Tiers:
        return cls(
            np.array([_cents(t.min_aum) for t in policy.tiers[1:]], np.int64),
            _cents(policy.tiers[policy.maintained_rank].min_aum) if policy.maintained_rank else 0,
        )

    def rank(self, cents: np.ndarray) -> np.ndarray:
        """The tier rank of each balance (0 = the lowest tier, also below its min_aum)."""
        return np.searchsorted(self.bounds, cents, side="right")

    def per_tier(self, values: np.ndarray, cents: np.ndarray) -> np.ndarray:
        """values[tier of each balance], the rank clipped to the last entry (see SIGMA_BY_TIER)."""
        return values[np.minimum(self.rank(cents), len(values) - 1)]

    def band_group(self, cents: np.ndarray, groups: int) -> np.ndarray:
        """The manager band group of each balance: the two lowest tiers share group 0, each tier above has its
        own, tiers past the last group share it."""
        return np.clip(self.rank(cents) - 1, 0, groups - 1)
