"""The policy's optional rule tables, read from the parsed TOML: who is maintained (`[maintained]`), the downgrade
buffer (`[tiering]`), and the relationship and product-preference classifications (`[relationship]`,
`[preference]`). design.md §3 gives the keys; every mistake is a PolicyError naming the key."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

# bits of customer_snapshot.maintained_rules: which rules make a customer maintained (0: not maintained)
RULE_BITS: dict[str, int] = {"tier": 1, "card": 2, "spend": 4, "loan": 8, "margin": 16}

# the card levels an extract may carry, lowest first (ingest maps the banks' spellings onto these)
CARD_LEVELS: tuple[str, ...] = ("普卡", "金卡", "白金卡", "钻石卡")

# relationship types (domain.md: the two schemes reconciled) and product-preference types, as stored codes
RELATIONSHIPS = ("general", "potential", "to_win", "vip")
PREFERENCES = ("unknown", "deposit", "balanced", "fee")


class PolicyError(ValueError):
    """A policy file that cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class Maintained:
    from_rank: int
    card_levels: tuple[str, ...] = ()
    credit_card_spend_ytd: Decimal | None = None
    loan_balance: Decimal | None = None
    depository_margin: Decimal | None = None
    age_limits: tuple[tuple[int, int], ...] = ()  # (tier rank, below_age): in that tier the tier rule needs age < it


@dataclass(frozen=True)
class Tiering:
    downgrade_margin: Decimal
    downgrade_after: int


@dataclass(frozen=True)
class Relationship:
    vip_cards: tuple[str, ...]
    near_share: Decimal  # potential: basis at or above this share of the maintained bound
    growth_rate: Decimal  # potential: or basis grown by at least this rate since the previous period


@dataclass(frozen=True)
class Preference:
    deposit_share: Decimal  # deposit-heavy: deposits at least this share of the four balances
    fee_share: Decimal  # fee-business-heavy: wealth + fund + insurance at least this share


@dataclass(frozen=True)
class Accountability:
    high_value_tiers: tuple[str, ...] = ()  # tier codes whose customers HQ holds a manager to account for
    high_value_cards: tuple[str, ...] = ()  # ... and holders of these card levels
    normal_reasons: tuple[str, ...] = ()  # close_reason values of normal churn: listed, not counted


def money(value: object, where: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise PolicyError(f"{where}: {value!r} is not an amount") from None
    if not amount.is_finite() or isinstance(value, bool):
        raise PolicyError(f"{where}: {value!r} is not an amount")
    return amount


def _share(value: object, where: str) -> Decimal:
    share = money(value, where)
    if not 0 <= share <= 1:
        raise PolicyError(f"{where}: {value!r} must be a share between 0 and 1")
    return share


def _tables(raw: dict, key: str, source: str, known: set[str]) -> dict:
    table = raw.get(key, {})
    if not isinstance(table, dict):
        raise PolicyError(f"{source}: [{key}] must be a table")
    unknown = set(table) - known
    if unknown:
        raise PolicyError(f"{source}: [{key}] has unknown key(s) {', '.join(sorted(unknown))}")
    return table


def _cards(value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise PolicyError(f"{where}: must be a list of card levels")
    unknown = [v for v in value if v not in CARD_LEVELS]
    if unknown:
        raise PolicyError(f"{where}: {', '.join(unknown)} is not a card level ({', '.join(CARD_LEVELS)})")
    return tuple(value)


def parse_maintained(raw: dict, source: str, ranks: dict[str, int], default_from: str) -> Maintained:
    keys = {"from_tier", "card_levels", "credit_card_spend_ytd", "loan_balance", "depository_margin", "age_limits"}
    table = _tables(raw, "maintained", source, keys)
    from_tier = str(table.get("from_tier", raw.get("maintained_from", default_from)))
    key = "maintained.from_tier" if "from_tier" in table else "maintained_from"
    if from_tier not in ranks:
        raise PolicyError(f"{source}: {key} {from_tier!r} is not a tier code ({', '.join(ranks)})")
    amounts = {
        name: money(table[name], f"{source}: maintained.{name}") if name in table else None
        for name in ("credit_card_spend_ytd", "loan_balance", "depository_margin")
    }
    limits = []
    for i, item in enumerate(table.get("age_limits", [])):
        where = f"{source}: maintained.age_limits[{i}]"
        if not isinstance(item, dict) or set(item) != {"tier", "below_age"}:
            raise PolicyError(f"{where}: must be {{ tier = <code>, below_age = <years> }}")
        if item["tier"] not in ranks:
            raise PolicyError(f"{where}: tier {item['tier']!r} is not a tier code ({', '.join(ranks)})")
        if not isinstance(item["below_age"], int) or isinstance(item["below_age"], bool) or item["below_age"] < 1:
            raise PolicyError(f"{where}: below_age must be a whole number of years")
        limits.append((ranks[item["tier"]], item["below_age"]))
    cards = _cards(table["card_levels"], f"{source}: maintained.card_levels") if "card_levels" in table else ()
    return Maintained(ranks[from_tier], cards, **amounts, age_limits=tuple(limits))


def parse_tiering(raw: dict, source: str) -> Tiering | None:
    table = _tables(raw, "tiering", source, {"downgrade_margin", "downgrade_after"})
    if not table:
        return None
    margin = _share(table.get("downgrade_margin", 0), f"{source}: tiering.downgrade_margin")
    after = table.get("downgrade_after", 1)
    if not isinstance(after, int) or isinstance(after, bool) or not 1 <= after <= 24:
        raise PolicyError(f"{source}: tiering.downgrade_after must be a whole number of month ends from 1 to 24")
    return Tiering(margin, after)


def parse_relationship(raw: dict, source: str, maintained_cards: tuple[str, ...]) -> Relationship:
    table = _tables(raw, "relationship", source, {"vip_cards", "near_share", "growth_rate"})
    default_cards = maintained_cards or ("金卡", "白金卡", "钻石卡")
    cards = _cards(table["vip_cards"], f"{source}: relationship.vip_cards") if "vip_cards" in table else default_cards
    near = _share(table.get("near_share", "0.8"), f"{source}: relationship.near_share")
    growth = money(table.get("growth_rate", "0.3"), f"{source}: relationship.growth_rate")
    if growth <= 0:
        raise PolicyError(f"{source}: relationship.growth_rate must be above 0")
    return Relationship(cards, near, growth)


def parse_preference(raw: dict, source: str) -> Preference:
    table = _tables(raw, "preference", source, {"deposit_share", "fee_share"})
    deposit = _share(table.get("deposit_share", "0.7"), f"{source}: preference.deposit_share")
    fee = _share(table.get("fee_share", "0.5"), f"{source}: preference.fee_share")
    if deposit + fee <= 1:
        raise PolicyError(f"{source}: preference.deposit_share + fee_share must exceed 1 (the types would overlap)")
    return Preference(deposit, fee)


def parse_accountability(raw: dict, source: str, codes: tuple[str, ...]) -> Accountability:
    table = _tables(raw, "accountability", source, {"high_value_tiers", "high_value_cards", "normal_reasons"})
    tiers = table.get("high_value_tiers", [])
    if not isinstance(tiers, list) or any(t not in codes for t in tiers):
        raise PolicyError(f"{source}: accountability.high_value_tiers must list tier codes ({', '.join(codes)})")
    where = f"{source}: accountability.high_value_cards"
    cards = _cards(table["high_value_cards"], where) if "high_value_cards" in table else ()
    reasons = table.get("normal_reasons", [])
    if not isinstance(reasons, list) or not all(isinstance(r, str) and r.strip() for r in reasons):
        raise PolicyError(f"{source}: accountability.normal_reasons must be a list of close reasons")
    return Accountability(tuple(tiers), cards, tuple(r.strip() for r in reasons))


def maintained_by_sql(rules: str) -> str:
    """The rules that make a customer maintained, as text ('tier,card'; empty when none), from the bit mask
    column `rules`."""
    parts = ", ".join(f"case when {rules} & {bit} > 0 then '{name}' end" for name, bit in RULE_BITS.items())
    return f"concat_ws(',', {parts})"
