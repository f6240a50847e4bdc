"""The demo bank's organisation and staff: regions, sub-branches and outlets (branches), and the managers.

Outlets: about one per 3,300 customers (6 to 60), grouped into 3-12 sub-branches under three regions, each with
a hidden quality score and a weight (its share of the customers). Managers are hired into an outlet with a role
that follows the band group of the customers they serve, and a hidden quality score of their own.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tools.demo_bank import people

REGIONS = ("城东分行", "城西分行", "高新分行")
# manager roles by band group: 0 emerging and mass, 1 affluent, 2 wealth, 3 private (tiers.Tiers.band_group)
ROLES = (("柜员",), ("网点主任", "大堂经理"), ("理财经理",), ("私人银行客户经理", "财富顾问"))


@dataclass
class Org:
    code: list[str]
    name: list[str]
    sub: list[str]  # per outlet, like region
    region: list[str]
    sub_of: np.ndarray
    region_of: np.ndarray
    quality: np.ndarray
    weight: np.ndarray


@dataclass
class Staff:
    ids: list[str]
    names: list[str]
    roles: list[str]
    group: np.ndarray
    branch: np.ndarray
    quality: np.ndarray
    active: np.ndarray

    def hire(self, rng: np.random.Generator, org: Org, group: np.ndarray, branch: np.ndarray) -> np.ndarray:
        first = len(self.ids)
        names = people.person_names(rng, rng.random(len(group)) < 0.5).to_pylist()
        self.names += [name.decode("gbk") for name in names]
        branches = self.branch.tolist()
        for g, b in zip(group.tolist(), branch.tolist()):
            branches.append(b)
            self.roles.append(ROLES[g][int(rng.integers(len(ROLES[g])))])
            self.ids.append(f"{org.code[b]}{branches.count(b):03d}")  # staff number: outlet + hire sequence
        self.branch = np.array(branches, np.int64)
        self.group = np.append(self.group, group)
        self.quality = np.append(self.quality, rng.normal(0.0, 0.4, len(group)))
        self.active = np.append(self.active, np.ones(len(group), bool))
        return np.arange(first, len(self.ids))


def no_staff() -> Staff:
    return Staff([], [], [], np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0), np.zeros(0, bool))


def build_org(rng: np.random.Generator, customers: int) -> Org:
    n_branch = int(np.clip(round(customers / 3300), 6, 60))
    n_sub = int(np.clip(round(n_branch / 5), 3, 12))
    sub_of = np.arange(n_branch) * n_sub // n_branch
    region_of = (np.arange(n_sub) * len(REGIONS) // n_sub)[sub_of]
    seq = np.arange(n_branch) - np.searchsorted(region_of, region_of)
    subs = people.sub_branch_names(n_sub)
    weight = rng.lognormal(0.0, 0.4, n_branch)
    return Org(
        code=[f"{31 + r}{k + 1:02d}" for r, k in zip(region_of.tolist(), seq.tolist())],
        name=people.branch_names(sub_of, subs),
        sub=[subs[s] for s in sub_of.tolist()],
        region=[REGIONS[r] for r in region_of.tolist()],
        sub_of=sub_of,
        region_of=region_of,
        quality=rng.normal(0.0, 0.35, n_branch),
        weight=weight / weight.sum(),
    )
