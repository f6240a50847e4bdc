"""Users resolved to scopes over a small loaded bank; anything unclear sees nothing."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from analytics.access.roles import can_reveal_pii, find_user, local_demo_user, scope_for
from analytics.access.users import User, add_user
from analytics.core.scope import Scope
from analytics.store.generations import open_reader, writing
from analytics.store.load import load_files
from tests.helpers.extracts import write_csv

HEADER = ["period", "customer_id", "branch_id", "region", "sub_branch", "manager_id", "aum"]
# Two regions, three branches, four managers. At 2026-06-30 branch B02 still belonged to 华北分行; by
# 2026-09-30 (the latest period) it has moved to 华东分行.
JUNE = [
    ["2026-06-30", "C01", "B01", "华东分行", "上海支行", "M1", "1000"],
    ["2026-06-30", "C04", "B02", "华北分行", "天津支行", "M3", "4000"],
]
SEPTEMBER = [
    ["2026-09-30", "C01", "B01", "华东分行", "上海支行", "M1", "1000"],
    ["2026-09-30", "C02", "B01", "华东分行", "上海支行", "M1", "2000"],
    ["2026-09-30", "C03", "B01", "华东分行", "上海支行", "M2", "3000"],
    ["2026-09-30", "C04", "B02", "华东分行", "杭州支行", "M3", "4000"],
    ["2026-09-30", "C05", "B02", "华东分行", "杭州支行", "M3", "5000"],
    ["2026-09-30", "C06", "B03", "华北分行", "北京支行", "M4", "6000"],
    ["2026-09-30", "C07", "B03", "华北分行", "北京支行", "", "7000"],
]


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bank")
    files = [write_csv(folder / "june.csv", [HEADER, *JUNE]), write_csv(folder / "september.csv", [HEADER, *SEPTEMBER])]
    with writing(folder / "bank.duckdb") as writer:
        assert [r.outcome for r in load_files(writer, files)] == ["loaded", "loaded"]
    reader = open_reader(folder / "bank.duckdb")
    yield reader
    reader.close()


def _customers(con, scope: Scope, period: date | None = None) -> list[str]:
    condition, params = scope.sql()
    if period is not None:
        condition += " and period = $period"
        params["period"] = period
    rows = (
        con.cursor()
        .execute(f"select customer_id from customer_snapshot where {condition} order by 1", params)
        .fetchall()
    )
    return [r[0] for r in rows]


def test_scope_for_hq_sees_everything(con):
    assert scope_for(con, User("boss", "hq")) == Scope()


def test_scope_for_region_takes_the_branches_of_the_latest_period(con):
    # B02 was in 华北分行 in June but is in 华东分行 at 2026-09-30
    assert scope_for(con, User("east", "region", ("华东分行",))) == Scope(branches=frozenset({"B01", "B02"}))
    assert scope_for(con, User("north", "region", ("华北分行",))) == Scope(branches=frozenset({"B03"}))


def test_scope_for_sub_branch_takes_its_branches(con):
    user = User("hz", "sub_branch", ("杭州支行", "北京支行"))
    assert scope_for(con, user) == Scope(branches=frozenset({"B02", "B03"}))


def test_scope_for_branch_keeps_the_branches_that_exist(con):
    assert scope_for(con, User("b", "branch", ("B03", "B99"))) == Scope(branches=frozenset({"B03"}))


def test_scope_for_manager_sees_only_their_own_customers(con):
    scope = scope_for(con, User("m1", "manager", ("M1",)))
    assert scope == Scope(managers=frozenset({"M1"}))
    # M1 manages C01 and C02 at 2026-09-30, and C01 also in June: 3 rows in all
    assert _customers(con, scope, date(2026, 9, 30)) == ["C01", "C02"]
    assert _customers(con, scope) == ["C01", "C01", "C02"]


def test_scope_for_region_limits_customers_to_its_branches(con):
    scope = scope_for(con, User("north", "region", ("华北分行",)))
    assert _customers(con, scope) == ["C06", "C07"]


@pytest.mark.parametrize(
    "user",
    [
        None,
        User("x", "admin", ("B01",)),  # unknown role
        User("x", "branch", ()),  # no units
        User("x", "branch", ("  ",)),  # blank units
        User("x", "region", ("华南分行",)),  # a region that matches nothing
        User("x", "sub_branch", ("华东分行",)),  # a region name given as a sub-branch
        User("x", "manager", ("M9",)),  # unknown manager
    ],
)
def test_scope_for_denies_by_default(con, user):
    assert scope_for(con, user) == Scope.nothing()
    assert _customers(con, scope_for(con, user)) == []


def test_scope_for_denies_before_anything_is_loaded(tmp_path):
    with writing(tmp_path / "empty.duckdb"):
        pass
    reader = open_reader(tmp_path / "empty.duckdb")
    assert scope_for(reader, User("b", "branch", ("B01",))) == Scope.nothing()
    assert scope_for(reader, User("boss", "hq")) == Scope()
    reader.close()
    assert scope_for(duckdb.connect(), User("b", "branch", ("B01",))) == Scope.nothing()  # no tables at all


def test_find_user_maps_an_oidc_email_or_username(tmp_path):
    path = tmp_path / "users.toml"
    add_user(path, "wang", "a password", "branch", ["B01"], email="Wang@Bank.example", rounds=4)
    assert find_user(path, "wang@bank.example").username == "wang"
    assert find_user(path, None, "WANG").username == "wang"
    assert find_user(path, "li@bank.example") is None
    assert find_user(path, None, "  ") is None


def test_find_user_denies_an_identity_two_users_match(tmp_path):
    path = tmp_path / "users.toml"
    add_user(path, "wang", "a password", "branch", ["B01"], email="w@bank.example", rounds=4)
    add_user(path, "w@bank.example", "a password", "hq", rounds=4)
    assert find_user(path, "w@bank.example") is None


def test_find_user_denies_everyone_when_the_users_file_is_broken(tmp_path, con):
    path = tmp_path / "users.toml"
    path.write_text("[[user]\nusername = 'wang'\n")
    assert find_user(path, "wang") is None
    assert scope_for(con, find_user(path, "wang")) == Scope.nothing()


def test_can_reveal_pii_needs_the_permission_and_a_known_role():
    assert can_reveal_pii(User("a", "branch", ("B01",), frozenset({"pii"})))
    assert not can_reveal_pii(User("a", "branch", ("B01",)))
    assert not can_reveal_pii(User("a", "admin", (), frozenset({"pii"})))
    assert not can_reveal_pii(None)


def test_local_demo_user_is_hq_without_pii(con):
    user = local_demo_user()
    assert scope_for(con, user) == Scope() and not can_reveal_pii(user)
