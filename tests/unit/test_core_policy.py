"""The policy file is checked: each mistake a bank could make gets a clear error."""

from __future__ import annotations

from decimal import Decimal

import pytest

from analytics.core.policy import PolicyError, load_policy, parse_policy


def _edited(old: str, new: str) -> str:
    text = load_policy().text
    assert old in text
    return text.replace(old, new, 1)


def test_parse_policy_version_one_maintained_from_still_sets_the_maintained_tier():
    text = _edited("[maintained]\n", "[maintained_v2_off]\n").replace("[maintained_v2_off]", "[unused]")
    start = text.index("[unused]")
    text = 'maintained_from = "affluent"\n' + text[:start] + text[text.index("\n\n", start) :]
    policy = parse_policy(text, "v1.toml")
    assert policy.maintained_rank == 2 and policy.maintained.card_levels == ()
    with pytest.raises(PolicyError, match="maintained_from 'gold' is not a tier code"):
        parse_policy(text.replace('maintained_from = "affluent"', 'maintained_from = "gold"'), "v1.toml")


def test_load_policy_default_matches_the_domain_brief():
    policy = load_policy()
    assert [(t.code, t.min_aum) for t in policy.tiers] == [
        ("mass", 0),
        ("emerging", 50000),
        ("affluent", 100000),
        ("wealth", 200000),
        ("private", 2000000),
    ]
    assert policy.maintained_rank == 1 and policy.attrition_floor == Decimal(100)
    assert policy.coverage_min_products == 3 and sum(policy.weights.values()) == pytest.approx(1.0)


@pytest.mark.parametrize(
    "old, new, message",
    [
        ("min_aum = 100000", "min_aum = 40000", "thresholds not ascending"),
        ('code = "affluent"', 'code = "emerging"', "duplicate tier code 'emerging'"),
        ('from_tier = "emerging"', 'from_tier = "gold"', "maintained.from_tier 'gold' is not a tier code"),
        ('basis = "aum"', 'basis = "balance"', "basis 'balance'"),
        ("coverage_min_products = 3", "coverage_min_products = 0", "coverage_min_products"),
        ("churn = 0.2", "churn = -1", "scorecard.weights"),
        ('name_en = "Mass"', "", "missing name_en"),
        ("contact_every_days = 30 ", "contact_every_days = 0 ", "contact_every_days must be a whole number"),
        ("contact_every_days = 30 ", 'contact_every_days = "monthly" ', "tier 4 .wealth.: contact_every_days"),
        ("outflow_drop = 50000", "outflow_drop = -1", "lists.outflow_drop must be a positive amount"),
        ("birthday_min = 1000000", "birthday_min = 1000000\nbirthday = 1", "lists. has unknown keys birthday"),
    ],
)
def test_parse_policy_rejects_mistakes_with_a_clear_error(old, new, message):
    with pytest.raises(PolicyError, match=message.replace("(", r"\(")):
        parse_policy(_edited(old, new), "bank.toml")


def test_parse_policy_rejects_broken_toml_naming_the_file():
    with pytest.raises(PolicyError, match="bank.toml: not valid TOML"):
        parse_policy("[[tier]\ncode=", "bank.toml")


def test_parse_policy_reads_the_contact_standard_per_tier():
    # data/policy.toml: none for mass, then 90, 60, 30 (20万 and more: monthly) and 14 days
    assert [t.contact_every_days for t in load_policy().tiers] == [None, 90, 60, 30, 14]
    policy = parse_policy(_edited("contact_every_days = 90 ", "# none "), "bank.toml")
    assert [t.contact_every_days for t in policy.tiers] == [None, None, 60, 30, 14]


def test_parse_policy_reads_the_list_thresholds_with_defaults():
    policy = load_policy()
    assert (policy.lists.outflow_min, policy.lists.outflow_drop, policy.lists.birthday_min) == (
        100_000,
        50_000,
        1_000_000,
    )
    policy = parse_policy(
        _edited("outflow_min = 100000\n", "").replace("[lists]", "[lists]\noutflow_min = 200000"), "b"
    )
    assert policy.lists.outflow_min == 200_000 and policy.lists.outflow_drop == 50_000
