"""The simulator's policies written as TOML read back to the same rules."""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal

import pytest

from analytics.core.policy import PolicyError, load_policy, parse_policy
from analytics.core.policy_rules import Tiering
from analytics.core.policy_text import policy_toml

FIELDS = ("tiers", "basis", "maintained_from", "coverage_min_products", "attrition_floor", "weights", "targets",
          "maintained", "tiering", "relationship", "preference", "rank_within")  # fmt: skip


@pytest.mark.parametrize("buffer", [None, Tiering(Decimal("0.15"), 3)])
def test_policy_toml_reads_back_to_the_same_rules(buffer):
    policy = replace(load_policy(), tiering=buffer)
    again = parse_policy(policy_toml(policy), "simulated.toml")
    for name in FIELDS:
        assert getattr(again, name) == getattr(policy, name), name


@pytest.mark.parametrize(
    ("snippet", "message"),
    [
        ('[maintained]\nfrom_tier = "gold"\n', "maintained.from_tier 'gold' is not a tier code"),
        ('[maintained]\ncard_levels = ["黑卡"]\n', "黑卡 is not a card level"),
        ("[maintained]\nloan = 1\n", "[maintained] has unknown key(s) loan"),
        ("[tiering]\ndowngrade_margin = 1.5\n", "tiering.downgrade_margin: 1.5 must be a share between 0 and 1"),
        ("[tiering]\ndowngrade_after = 0\n", "tiering.downgrade_after must be a whole number"),
        ('[maintained]\nage_limits = [{ tier = "emerging" }]\n', "maintained.age_limits[0]: must be"),
    ],
)
def test_parse_policy_names_the_key_of_a_mistake(snippet, message):
    text = load_policy().text.split("# Who is individually maintained")[0]
    with pytest.raises(PolicyError, match=re.escape(message)):
        parse_policy(text + snippet, "p.toml")
