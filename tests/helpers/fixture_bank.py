"""The hand-made fixture bank of tests/data (its table below) and loading extracts through the real ingest path."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

from analytics.core.config import DEFAULT_POLICY
from analytics.core.policy import Policy, parse_policy
from analytics.store.connection import connect
from analytics.store.load import load_files
from tests.helpers.paths import ROOT

DATA = ROOT / "tests" / "data"
FIXTURE = DATA / "fixture_bank.csv"
P1, P2, P3 = date(2026, 3, 31), date(2026, 6, 30), date(2026, 9, 30)

# The fixture bank, tiers of data/policy.toml (M mass < 5万 <= E emerging < 10万 <= A affluent < 20万 <= W wealth
# < 200万 <= P private; maintained = E and above; covered = maintained with >= 3 products; attrition floor 100).
# Branch/manager (- = unassigned), tier (AUM in CNY, products) at P1 2026-03-31, P2 2026-06-30, P3 2026-09-30;
# "." = no row.
#
#  id   unit          P1                    P2                       P3                       card
#  C01  B01/M1        E (60,000, 3)         A (120,000, 3)           A (130,000, 3)           金卡
#  C02  B01/M1        A (150,000, 2)        M (40,000, 2)            M (45,000, 2)            金卡
#  C03  B01/M1        W (250,000, 4)        W (260,000, 4)           .                        白金卡
#  C04  B01/M1        P (2,500,000, 5)      P (2,600,000, 5)         W (1,500,000, 5)         钻石卡
#  C05  B01/M1        M (30,000, 1)         E (50,000 = bound, 1)    E (55,000, 3)            普卡
#  C06  B01/M1        E (80,000, 2)         closed (0)               .                        白金卡
#  C07  B01/M2        E (90,000, 3)         E (95,000, 3)            W (210,000, 3)           金卡
#  C08  B01/M2        A (120,000, 2)        A (110,000, 2)           M (60 < floor, 1)        金卡
#  C09  B01/M2        M (20,000, 1)         M (20,000, 1)            M (20,000, 1)            普卡, no phone
#  C10  B01/M2        E (70,000, 3)         E (65,000, 3)            E (66,000, 3) now M1     普卡, no phone
#  C11  B01/-         E (55,000, 1)         E (52,000, 1)            M (30,000, 1)            普卡, no phone
#  C12  B01/-         .                     A (150,000, 3)           A (180,000, 2) now M1    金卡
#  C13  B02/M3        W (300,000, 4)        W (320,000, 4)           P (3,000,000, 4)         白金卡, 钻石卡 at P3
#  C14  B02/M3        A (100,000 = bound, 2) E (99,999.99, 2)        A (100,000, 3)           金卡
#  C15  B02/M3        M (50 < floor, 0)     M (50, 0)                .                        普卡
#  C16  B02/M3        E (75,000, 3)         .                        .                        普卡
#  C17  B02/M3        M (40,000, 1)         A (110,000, 2)           M (48,000, 3)            普卡, 金卡 from P2
#  C18  B02/M3        W (200,000, 4)        W (200,000, 4)           A (190,000, 4) now B01/M2 白金卡
#  C19  B02/-         E (60,000, 1)         E (60,000, 1)            E (60,000, 1)            普卡
#  C20  B02/M3        .                     .                        W (500,000, 2)           白金卡


def version_one_policy() -> Policy:
    """data/policy.toml with its [maintained] table replaced by the version-1 key `maintained_from = "emerging"`:
    maintained = emerging and above, the rule the fixture's numbers were worked out by (and a version-1 policy
    file must keep meaning)."""
    text = DEFAULT_POLICY.read_text(encoding="utf-8")
    start = text.index("\n[maintained]")
    end = text.index("\n\n", start + 1)
    return parse_policy('maintained_from = "emerging"\n' + text[:start] + text[end:], "policy-v1.toml")


def load(db: Path | str, paths: list[Path], policy: Policy | None = None) -> duckdb.DuckDBPyConnection:
    """A database with `paths` loaded under `policy` (default: the version-1 policy); fails on any rejected file."""
    con = connect(db)
    results = load_files(con, paths, policy or version_one_policy())
    rejected = [r for r in results if r.outcome == "rejected"]
    assert not rejected, [str(p) for r in rejected for p in r.problems[:5]]
    return con


def fixture_bank(db: Path | str) -> duckdb.DuckDBPyConnection:
    """The hand-made bank of tests/data/fixture_bank.csv (20 customers, 3 quarter ends, 2 branches, 3 managers)."""
    return load(db, [FIXTURE])
