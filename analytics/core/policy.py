"""The bank's tier policy (data/policy.toml): read from TOML, checked, and fingerprinted."""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from analytics.core.config import DEFAULT_POLICY
from analytics.core.indicators import INDICATORS
from analytics.core.policy_lists import Lists, parse_lists
from analytics.core.policy_rules import (
    Accountability,
    Maintained,
    PolicyError,
    Preference,
    Relationship,
    Tiering,
    money,
    parse_accountability,
    parse_maintained,
    parse_preference,
    parse_relationship,
    parse_tiering,
)

BASES = ("aum", "aum_month_avg", "aum_year_avg")  # month end, 月日均, 年日均


def basis_column(basis: str) -> str:
    """The snapshot column holding the amount a policy tiers on (one of BASES): the only form in which a basis
    is put into SQL text."""
    if basis not in BASES:
        raise ValueError(f"basis {basis!r} must be one of {', '.join(BASES)}")
    return BASES[BASES.index(basis)]


@dataclass(frozen=True)
class Tier:
    rank: int
    code: str
    name_zh: str
    name_en: str
    min_aum: Decimal
    contact_every_days: int | None = None  # the contact standard: a maintained customer contacted this often
    maintained_by: tuple[str, ...] = ()  # the manager roles (manager_role) that maintain this tier; () = any


@dataclass(frozen=True)
class Policy:
    tiers: tuple[Tier, ...]
    basis: str
    maintained_from: str
    coverage_min_products: int
    attrition_floor: Decimal
    weights: dict[str, float]
    targets: dict[str, float] = field(default_factory=dict)
    text: str = ""
    source: str = ""
    maintained: Maintained = Maintained(1)
    tiering: Tiering | None = None
    relationship: Relationship = Relationship(("金卡", "白金卡", "钻石卡"), Decimal("0.8"), Decimal("0.3"))
    preference: Preference = Preference(Decimal("0.7"), Decimal("0.5"))
    rank_within: str | None = None
    accountability: Accountability = Accountability()
    lists: Lists = Lists()

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    @property
    def maintained_rank(self) -> int:
        return self.rank_of(self.maintained_from)

    def rank_of(self, code: str) -> int:
        for tier in self.tiers:
            if tier.code == code:
                return tier.rank
        raise KeyError(code)


def parse_policy(text: str, source: str = "<policy>") -> Policy:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{source}: not valid TOML: {exc}") from None
    tiers_raw = raw.get("tier")
    if not isinstance(tiers_raw, list) or len(tiers_raw) < 2:
        raise PolicyError(f"{source}: needs at least two [[tier]] tables, lowest first")
    tiers: list[Tier] = []
    for rank, item in enumerate(tiers_raw):
        where = f"{source}: tier {rank + 1}"
        missing = [key for key in ("code", "name_zh", "name_en", "min_aum") if key not in item]
        if missing:
            raise PolicyError(f"{where}: missing {', '.join(missing)}")
        code = str(item["code"])
        if not code.isidentifier() or code in ("new", "exited"):
            raise PolicyError(f"{where}: code {code!r} must be a plain identifier other than new/exited")
        if any(t.code == code for t in tiers):
            raise PolicyError(f"{where}: duplicate tier code {code!r}")
        min_aum = money(item["min_aum"], f"{where} ({code}) min_aum")
        if tiers and min_aum <= tiers[-1].min_aum:
            raise PolicyError(
                f"{where} ({code}): thresholds not ascending: min_aum {min_aum} is not above "
                f"{tiers[-1].code}'s {tiers[-1].min_aum}"
            )
        every = item.get("contact_every_days")
        if every is not None and (not isinstance(every, int) or isinstance(every, bool) or not 1 <= every <= 366):
            raise PolicyError(f"{where} ({code}): contact_every_days must be a whole number of days from 1 to 366")
        roles = item.get("maintained_by", [])
        if not isinstance(roles, list) or not all(isinstance(r, str) and r.strip() for r in roles):
            raise PolicyError(f'{where} ({code}): maintained_by must be a list of manager roles, e.g. ["理财经理"]')
        named = tuple(dict.fromkeys(r.strip() for r in roles))
        tiers.append(Tier(rank, code, str(item["name_zh"]), str(item["name_en"]), min_aum, every, named))
    basis = str(raw.get("basis", "aum"))
    if basis not in BASES:
        raise PolicyError(f"{source}: basis {basis!r} must be one of {', '.join(BASES)}")
    ranks = {t.code: t.rank for t in tiers}
    maintained = parse_maintained(raw, source, ranks, tiers[1].code)
    maintained_from = tiers[maintained.from_rank].code
    coverage = raw.get("coverage_min_products", 3)
    if not isinstance(coverage, int) or coverage < 1:
        raise PolicyError(f"{source}: coverage_min_products must be a whole number >= 1")
    floor = money(raw.get("attrition_floor", 100), f"{source}: attrition_floor")
    scorecard = raw.get("scorecard", {})
    weights = {k: float(scorecard.get("weights", {}).get(k, 0.2)) for k in INDICATORS}
    unknown = set(scorecard.get("weights", {})) - set(INDICATORS)
    if unknown or any(w < 0 for w in weights.values()) or sum(weights.values()) <= 0:
        raise PolicyError(f"{source}: scorecard.weights takes non-negative {', '.join(INDICATORS)} with a positive sum")
    targets = {k: float(v) for k, v in scorecard.get("targets", {}).items() if k in INDICATORS}
    rank_within = scorecard.get("rank_within")
    if rank_within not in (None, "manager_role"):
        raise PolicyError(f'{source}: scorecard.rank_within {rank_within!r} must be "manager_role" or absent')
    return Policy(
        tuple(tiers),
        basis,
        maintained_from,
        coverage,
        floor,
        weights,
        targets,
        text,
        source,
        maintained,
        parse_tiering(raw, source),
        parse_relationship(raw, source, maintained.card_levels),
        parse_preference(raw, source),
        rank_within,
        parse_accountability(raw, source, tuple(t.code for t in tiers)),
        parse_lists(raw, source),
    )


def load_policy(path: Path | str | None = None) -> Policy:
    path = Path(path) if path else DEFAULT_POLICY
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyError(f"{path}: cannot read policy: {exc.strerror}") from None
    return parse_policy(text, str(path))
