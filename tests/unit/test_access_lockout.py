"""Sign-in lockouts: five failures lock an account and twenty in a burst a source address for 15 minutes, doubling
on each further lockout; shared by processes through one SQLite file, 0600 in a 0700 folder."""

from __future__ import annotations

import stat
import subprocess
import sys
import textwrap

import pytest

from analytics.access.lockout import FILE, Limits, LockoutStore


class Clock:
    def __init__(self, at: float = 1_000_000.0) -> None:
        self.at = at

    def __call__(self) -> float:
        return self.at

    def advance(self, minutes: float) -> None:
        self.at += minutes * 60


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path, clock) -> LockoutStore:
    return LockoutStore(tmp_path / "state", clock=clock)


def fail(store: LockoutStore, times: int, account: str = "east", source: str = "10.0.0.1"):
    return [store.begin(account, source, known=True) for _ in range(times)]


def test_begin_locks_the_account_at_the_fifth_failure_for_15_minutes(store, clock):
    attempts = fail(store, 5, source="10.0.0.1")
    assert [a.allowed for a in attempts] == [True] * 5
    assert [a.locks for a in attempts[:4]] == [()] * 4
    [account] = attempts[4].locks  # five failures from the same address do not lock the address
    assert (account.kind, account.name, account.minutes, account.count) == ("account", "east", 15.0, 1)
    assert account.until == clock.at + 15 * 60
    assert store.begin("west", "10.0.0.1", known=True).allowed


def test_begin_refuses_every_attempt_while_locked_then_allows_again(store, clock):
    fail(store, 5)
    clock.advance(14.9)
    refused = store.begin("east", "10.9.9.9")  # another address: the account itself is locked
    assert not refused.allowed and refused.retry_at == 1_000_000.0 + 15 * 60
    clock.advance(0.2)
    assert store.begin("east", "10.9.9.9").allowed


def test_begin_doubles_the_lockout_on_each_further_lockout(store, clock):
    minutes = []
    for _ in range(4):
        lock = fail(store, 5, source=f"10.0.0.{len(minutes)}")[-1].locks[0]
        minutes.append(lock.minutes)
        clock.advance(lock.minutes + 1)
    assert minutes == [15.0, 30.0, 60.0, 120.0]


def test_begin_forgets_an_account_after_a_quiet_day(store, clock):
    fail(store, 5)
    clock.advance(15 + 24 * 60 + 1)
    attempts = fail(store, 5)
    assert attempts[-1].locks[0].minutes == 15.0 and attempts[-1].locks[0].count == 1


def test_begin_locks_a_source_that_tries_many_accounts_at_the_twentieth_failure(store, clock):
    attempts = [store.begin(f"user{n}", "10.0.0.7") for n in range(20)]
    assert [a.locks for a in attempts[:19]] == [()] * 19
    [lock] = attempts[-1].locks
    assert (lock.kind, lock.name, lock.until) == ("source", "10.0.0.7", clock.at + 15 * 60)
    assert not store.begin("someone.else", "10.0.0.7").allowed
    assert store.begin("someone.else", "10.0.0.8").allowed


def test_an_address_forgets_a_failure_every_three_minutes(store, clock):
    # a branch behind one NAT: a typo every 3 minutes all day never locks it; a burst of twenty does
    for n in range(100):
        assert not store.begin(f"typo{n}", "10.0.0.9").locks
        clock.advance(3)
    for n in range(19):  # the last typo is forgotten 3 minutes on: a burst of 19 does not lock it
        assert not store.begin(f"burst{n}", "10.0.0.9").locks
    clock.advance(2.9)  # nothing of the burst forgotten yet: the 20th locks it
    assert [lock.kind for lock in store.begin("burst.last", "10.0.0.9").locks] == ["source"]


def test_sign_ins_in_flight_at_once_from_one_address_do_not_lock_it(store):
    # a branch signing in together: forty attempts begun before any has been checked, all of them right
    attempts = [store.begin(f"user{n}", "10.0.0.5", known=True) for n in range(40)]
    assert not any(a.locks for a in attempts[:19])
    assert all(a.allowed for a in attempts[:20])
    for attempt in attempts:
        store.succeeded(attempt)
    assert store.begin("late.comer", "10.0.0.5").allowed


def test_succeeded_takes_back_the_failure_and_clears_the_account(store):
    fail(store, 4)
    store.succeeded(store.begin("east", "10.0.0.1", known=True))
    # the account starts again from nothing: four more failures do not lock it
    assert all(not a.locks or a.locks[0].kind == "source" for a in fail(store, 4, source="10.0.0.2"))
    assert store.begin("east", "10.0.0.3", known=True).allowed


def test_succeeded_undoes_a_lockout_its_own_attempt_started(store):
    fifth = fail(store, 5)[-1]
    assert fifth.locks
    store.succeeded(fifth)  # the fifth guess was the right password
    assert store.begin("east", "10.0.0.2", known=True).allowed


def test_succeeded_with_a_code_still_to_come_keeps_the_accounts_failures(store):
    fail(store, 4)
    store.succeeded(store.begin("east", "10.0.0.9", known=True), complete=False)
    fifth = store.begin("east", "10.0.0.10", known=True)  # e.g. a wrong code
    assert [lock.kind for lock in fifth.locks] == ["account"]


def test_status_lists_locked_subjects_first_with_known_names_only(tmp_path, clock):
    store = LockoutStore(tmp_path / "state", Limits(source_failures=5), clock=clock)
    fail(store, 5, account="east", source="10.0.0.1")
    clock.advance(1)
    store.begin("hunter2 typed as a name", "10.0.0.2", known=False)
    found = store.status()
    assert [(s.kind, s.name, s.locked_until is not None) for s in found] == [
        ("account", "east", True),
        ("source", "10.0.0.1", True),
        ("account", None, False),  # an unknown name is kept only as its HMAC
        ("source", "10.0.0.2", False),
    ]
    assert "hunter2" not in (store.folder / FILE).read_bytes().decode("latin-1")


def test_first_use_accepts_each_code_step_once(store):
    assert store.first_use("east", 100) is True
    assert store.first_use("EAST", 100) is False  # names compare without case
    assert store.first_use("east", 99) is False  # an older code after a newer one
    assert store.first_use("east", 101) is True


def test_lockout_store_is_0600_in_a_0700_folder(store):
    fail(store, 1)
    assert stat.S_IMODE(store.folder.stat().st_mode) == 0o700
    for path in store.folder.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name


def test_lockout_store_is_shared_by_processes(tmp_path):
    # two other processes fail 2 and 2 times, this one once more: the fifth failure locks the account
    script = textwrap.dedent(f"""
        from analytics.access.lockout import LockoutStore
        store = LockoutStore({str(tmp_path / "state")!r})
        for n in range(2):
            assert store.begin("east", "10.0.0." + str(n)).allowed
    """)
    workers = [subprocess.Popen([sys.executable, "-c", script]) for _ in range(2)]
    assert [w.wait(timeout=60) for w in workers] == [0, 0]
    fifth = LockoutStore(tmp_path / "state").begin("east", "10.0.0.99")
    assert [lock.kind for lock in fifth.locks] == ["account"]
    assert not LockoutStore(tmp_path / "state").begin("east", "10.0.0.100").allowed
