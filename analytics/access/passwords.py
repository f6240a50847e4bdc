"""The password policy of the users file: what `python -m analytics users add` and `users passwd` accept.

A password has at least 10 characters (and at most 72 bytes, all bcrypt reads), is not the username and does not
contain it, and is not one of the common passwords shipped in data/common_passwords.txt (compared without case).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from analytics.access.users import MAX_PASSWORD_BYTES, UsersError
from analytics.core.config import DATA_DIR

MIN_LENGTH = 10
COMMON_FILE = DATA_DIR / "common_passwords.txt"
MIN_NAME_INSIDE = 3  # a username this short is not looked for inside the password (every password would hold "a")


class WeakPassword(UsersError):
    """A password the policy refuses; the message says every rule it breaks, never the password."""


@lru_cache(maxsize=2)
def common_passwords(path: Path = COMMON_FILE) -> frozenset[str]:
    """The shipped common passwords, casefolded; lines starting with # are comments."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().casefold() for line in lines if line.strip() and not line.startswith("#"))


def problems(password: str, username: str) -> list[str]:
    """Every rule of the policy that `password` breaks for `username`, as sentences; [] when it is accepted."""
    found = []
    if len(password) < MIN_LENGTH:
        found.append(f"a password needs at least {MIN_LENGTH} characters (this one has {len(password)})")
    if len(password.encode()) > MAX_PASSWORD_BYTES:
        found.append(f"a password has at most {MAX_PASSWORD_BYTES} bytes")
    if "\x00" in password:
        found.append("a password has no NUL character")
    secret, name = password.casefold(), username.strip().casefold()
    if name and (secret == name or (len(name) >= MIN_NAME_INSIDE and name in secret)):
        found.append("a password must not be or contain the username")
    if secret.strip() in common_passwords():
        found.append("this password is one of the commonest passwords: choose another")
    return found


def check_password(password: str, username: str) -> None:
    """Raise WeakPassword naming every rule `password` breaks for `username`."""
    found = problems(password, username)
    if found:
        raise WeakPassword("; ".join(found))
