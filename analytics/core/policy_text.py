"""A policy written back as TOML (design.md §3): what the policy simulator edits and offers for download, and
what `load --policy` then reads. parse_policy(policy_toml(p)) holds the same rules as p."""

from __future__ import annotations

import json
from decimal import Decimal

from analytics.core.policy import Policy


def _value(value: object) -> str:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)  # strings, numbers, booleans: valid TOML literals


def policy_toml(policy: Policy) -> str:
    codes = {t.rank: t.code for t in policy.tiers}
    rules = policy.maintained
    lines = [
        "# written by the policy simulator",
        f"basis = {_value(policy.basis)}",
        f"coverage_min_products = {policy.coverage_min_products}",
        f"attrition_floor = {_value(policy.attrition_floor)}",
    ]
    for tier in policy.tiers:
        lines += ["", "[[tier]]", f"code = {_value(tier.code)}", f"name_zh = {_value(tier.name_zh)}"]
        lines += [f"name_en = {_value(tier.name_en)}", f"min_aum = {_value(tier.min_aum)}"]
        if tier.contact_every_days is not None:
            lines.append(f"contact_every_days = {tier.contact_every_days}")
        if tier.maintained_by:
            lines.append(f"maintained_by = {_value(tier.maintained_by)}")
    lines += ["", "[maintained]", f"from_tier = {_value(codes[rules.from_rank])}"]
    if rules.card_levels:
        lines.append(f"card_levels = {_value(rules.card_levels)}")
    for key in ("credit_card_spend_ytd", "loan_balance", "depository_margin"):
        if getattr(rules, key) is not None:
            lines.append(f"{key} = {_value(getattr(rules, key))}")
    if rules.age_limits:
        limits = ", ".join(f"{{ tier = {_value(codes[r])}, below_age = {age} }}" for r, age in rules.age_limits)
        lines.append(f"age_limits = [{limits}]")
    if policy.tiering is not None:
        lines += ["", "[tiering]", f"downgrade_margin = {_value(policy.tiering.downgrade_margin)}"]
        lines.append(f"downgrade_after = {policy.tiering.downgrade_after}")
    relationship, preference = policy.relationship, policy.preference
    lines += ["", "[relationship]", f"vip_cards = {_value(relationship.vip_cards)}"]
    lines += [f"near_share = {_value(relationship.near_share)}", f"growth_rate = {_value(relationship.growth_rate)}"]
    lines += ["", "[preference]", f"deposit_share = {_value(preference.deposit_share)}"]
    lines += [f"fee_share = {_value(preference.fee_share)}", "", "[scorecard]"]
    if policy.rank_within:
        lines.append(f"rank_within = {_value(policy.rank_within)}")
    lines += ["", "[scorecard.weights]", *(f"{k} = {v}" for k, v in policy.weights.items())]
    if policy.targets:
        lines += ["", "[scorecard.targets]", *(f"{k} = {v}" for k, v in policy.targets.items())]
    return "\n".join(lines) + "\n"
