"""The users-file sign-in, step by step: the password, then (for users with a second factor) the 6-digit code.

Each step is refused while the account or the source address is locked (analytics.access.lockout) and counts
as a failure until it succeeds. Every step is audited: `sign_in` when the user is in, `sign_in_failed` with the
reason (wrong password, unknown user, wrong code, locked), and `lockout` when a failure starts a lockout.
"""

from __future__ import annotations

import hmac
import time
from dataclasses import dataclass
from pathlib import Path

import pyotp

from analytics.access.audit import record
from analytics.access.lockout import Attempt, LockoutStore
from analytics.access.users import User, load_users, verify_account

CODE_DIGITS = 6
CODE_WINDOW = 1  # time steps (30 s each) either side of now that a code may come from: clocks drift


@dataclass(frozen=True)
class Outcome:
    user: User | None = None  # the password was right (and, unless needs_code, the user is signed in)
    needs_code: bool = False  # the password was right: now the second factor
    locked_until: float | None = None  # refused without a check: the account or source is locked


def check_password(
    users: Path, store: LockoutStore, username: str, password: str, source: str, audit_file: Path
) -> Outcome:
    """The first step: the user when `password` is theirs (needs_code when they have a second factor)."""
    name = username.strip()
    known = name.casefold() in load_users(users)
    attempt = store.begin(name, source, known=known)
    if not attempt.allowed:
        return _locked(attempt, name if known else None, source, audit_file, "password")
    account = verify_account(users, name, password)
    if account is None:
        reason = "wrong password" if known else "unknown user"
        return _failed(attempt, name if known else None, source, audit_file, "password", reason)
    if account.totp_secret:
        store.succeeded(attempt, complete=False)  # the account's failures stand until the code is right
        return Outcome(account.user, needs_code=True)
    store.succeeded(attempt)
    record("sign_in", account.user, audit_file=audit_file, method="password", source=source)
    return Outcome(account.user)


def check_code(users: Path, store: LockoutStore, username: str, code: str, source: str, audit_file: Path) -> Outcome:
    """The second step, for a user whose password was right: signed in when `code` is their current one-time
    code, not used before."""
    account = load_users(users).get(username.strip().casefold())
    name = account.user.username if account is not None else None
    attempt = store.begin(username, source, known=account is not None)
    if not attempt.allowed:
        return _locked(attempt, name, source, audit_file, "totp")
    step = matching_step(account.totp_secret, code) if account is not None and account.totp_secret else None
    if step is None or not store.first_use(username, step):
        reason = "wrong code" if step is None else "code used before"
        return _failed(attempt, name, source, audit_file, "totp", reason)
    assert account is not None  # a matching step needs the account's secret
    store.succeeded(attempt)
    record("sign_in", account.user, audit_file=audit_file, method="password", factor="totp", source=source)
    return Outcome(account.user)


def matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The time step whose code `code` is (now, or one step either side), else None."""
    code = code.strip()
    if len(code) != CODE_DIGITS or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret, digits=CODE_DIGITS)
    step = int((time.time() if now is None else now) // totp.interval)
    for candidate in range(step - CODE_WINDOW, step + CODE_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(candidate), code):
            return candidate
    return None


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, username: str, issuer: str = "Tier analytics") -> str:
    """The otpauth:// URI an authenticator app reads (as a QR code or typed in)."""
    return pyotp.TOTP(secret, digits=CODE_DIGITS).provisioning_uri(name=username, issuer_name=issuer)


def _failed(attempt: Attempt, name: str | None, source: str, audit_file: Path, step: str, reason: str) -> Outcome:
    # an unknown name may be a password typed in the wrong field: only known names reach the trail
    record("sign_in_failed", name, audit_file=audit_file, method="password", step=step, reason=reason, source=source)
    for lock in attempt.locks:
        record(
            "lockout",
            name if lock.kind == "account" else None,
            audit_file=audit_file,
            subject=lock.kind,
            source=source,
            minutes=lock.minutes,
            lockouts=lock.count,
            until=_iso(lock.until),
        )
    return Outcome()


def _locked(attempt: Attempt, name: str | None, source: str, audit_file: Path, step: str) -> Outcome:
    record(
        "sign_in_failed",
        name,
        audit_file=audit_file,
        method="password",
        step=step,
        reason="locked",
        source=source,
        until=_iso(attempt.retry_at or 0),
    )
    return Outcome(locked_until=attempt.retry_at)


def _iso(moment: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(moment))
