"""The users file: who may sign in, with which role, over which units, with which permissions.

TOML (default data/users.toml, env BANK_USERS) or JSON when the name ends in .json; written only by this
module (atomically, mode 0600), one table per user:

    [[user]]
    username = "wang.li"
    password_hash = "$2b$12$..."          # bcrypt; the password itself is never stored
    role = "region"                       # hq | region | sub_branch | branch | manager
    units = ["华东分行"]                   # region / sub_branch names, branch_ids or manager_ids, by role
    permissions = ["pii"]                 # "pii": may reveal personal data
    email = "wang.li@bank.example"        # optional: the identity an OIDC sign-in is matched by
    totp_secret = "JBSWY3DPEHPK3PXP..."   # optional: the second factor's key (base32), `users add --totp`
    oidc_issuer = "https://sso.bank.example/realms/bank"   # written at the first OIDC sign-in: the identity
    oidc_subject = "f81d4fae-7dec-11d0"   # (issuer, sub) the entry is bound to from then on

Usernames and emails are compared case-insensitively.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import tempfile
import tomllib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from dataclasses import replace as changed
from functools import lru_cache
from pathlib import Path

import bcrypt

from analytics.core.units import LEVELS

ROLES = ("hq", *LEVELS)  # HQ sees every unit; the others see the units of their level
PERMISSIONS = ("pii",)
ROUNDS = 12
MIN_PASSWORD = 8
MAX_PASSWORD_BYTES = 72  # bcrypt reads no further, and bcrypt 5 refuses longer passwords
USERNAME = re.compile(r"[A-Za-z0-9._@+-]{1,64}")
BCRYPT_HASH = re.compile(r"\$2[aby]\$[0-9]{2}\$[./A-Za-z0-9]{53}")
TOTP_SECRET = re.compile(r"[A-Z2-7]{16,128}")
FIELDS = set("username password_hash role units permissions email totp_secret oidc_issuer oidc_subject".split())


class UsersError(ValueError):
    """A request the users file cannot satisfy: invalid input, a user that exists or does not."""


class UsersFileError(UsersError):
    """The users file cannot be read or is malformed; the message names the file and the reason, never a hash."""


@dataclass(frozen=True)
class User:
    username: str
    role: str
    units: tuple[str, ...] = ()
    permissions: frozenset[str] = frozenset()
    email: str | None = None


@dataclass(frozen=True)
class Account:
    user: User
    password_hash: str = field(repr=False)
    totp_secret: str | None = field(default=None, repr=False)
    oidc_issuer: str | None = None
    oidc_subject: str | None = None


def load_users(path: Path | str) -> dict[str, Account]:
    """Every account by casefolded username; {} when the file does not exist yet."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise UsersFileError(f"{path}: cannot read the users file: {exc}") from None
    try:
        data = json.loads(text) if _is_json(path) else tomllib.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UsersFileError(f"{path}: not valid {'JSON' if _is_json(path) else 'TOML'}: {exc}") from None
    entries = data.get("user", []) if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise UsersFileError(f"{path}: expected a list of users under the key 'user'")
    accounts: dict[str, Account] = {}
    emails: set[str] = set()
    for number, entry in enumerate(entries, start=1):
        account = _account(entry, f"{path}: user #{number}")
        key, email = account.user.username.casefold(), (account.user.email or "").casefold()
        if key in accounts:
            raise UsersFileError(f"{path}: user #{number}: username {account.user.username!r} appears twice")
        if email and email in emails:
            raise UsersFileError(f"{path}: user #{number}: email {account.user.email!r} appears twice")
        accounts[key] = account
        emails.add(email)
    return accounts


def list_users(path: Path | str) -> list[User]:
    """The users without their password hashes, by username."""
    return sorted((a.user for a in load_users(path).values()), key=lambda u: u.username.casefold())


def add_user(
    path: Path | str,
    username: str,
    password: str,
    role: str,
    units: Iterable[str] = (),
    permissions: Iterable[str] = (),
    *,
    email: str | None = None,
    replace: bool = False,
    rounds: int | None = None,
    totp_secret: str | None = None,
) -> User:
    """Add a user (or, with replace, overwrite one, dropping its OIDC binding); raises UsersError on invalid input
    or an existing user. `totp_secret` (base32) turns on the second factor for the password sign-in."""
    user = User(username, role, tuple(u.strip() for u in units), frozenset(permissions), (email or "").strip() or None)
    _check_new(user, password)
    if totp_secret is not None and not TOTP_SECRET.fullmatch(totp_secret):
        raise UsersError("a TOTP secret is 16 to 128 base32 characters (A-Z, 2-7)")
    hashed = _hash(password, rounds)
    with _locked(Path(path)) as accounts:
        if username.casefold() in accounts and not replace:
            raise UsersError(f"user {username!r} exists (use replace to overwrite)")
        accounts[username.casefold()] = Account(user, hashed, totp_secret)
        clash = [
            a.user.username
            for k, a in accounts.items()
            if k != username.casefold() and user.email and (a.user.email or "").casefold() == user.email.casefold()
        ]
        if clash:
            raise UsersError(f"email {user.email!r} belongs to user {clash[0]!r}")
    return user


def remove_user(path: Path | str, username: str) -> bool:
    """Remove a user; False when there was none of that name."""
    if not Path(path).exists():
        return False
    with _locked(Path(path)) as accounts:
        return accounts.pop(username.casefold(), None) is not None


def set_password(path: Path | str, username: str, password: str, *, rounds: int | None = None) -> User:
    """Give an existing user a new password (everything else kept); raises UsersError when there is no such user."""
    _check_secret(password)
    hashed = _hash(password, rounds)
    with _locked(Path(path)) as accounts:
        account = accounts.get(username.casefold())
        if account is None:
            raise UsersError(f"no user {username!r}")
        accounts[username.casefold()] = changed(account, password_hash=hashed)
    return account.user


def bind_oidc(path: Path | str, username: str, issuer: str, subject: str) -> Account:
    """Bind a user to the OIDC identity (issuer, sub) that signed in as them, once: raises UsersError when the
    user is gone or already bound to another identity (a binding is only ever removed by `users add --replace`)."""
    if not issuer or not subject:
        raise UsersError("an OIDC binding needs an issuer and a subject")
    with _locked(Path(path)) as accounts:
        account = accounts.get(username.casefold())
        if account is None:
            raise UsersError(f"no user {username!r}")
        if account.oidc_subject is not None and (account.oidc_issuer, account.oidc_subject) != (issuer, subject):
            raise UsersError(f"user {username!r} is bound to another identity")
        taken = [
            a.user.username
            for k, a in accounts.items()
            if k != username.casefold() and (a.oidc_issuer, a.oidc_subject) == (issuer, subject)
        ]
        if taken:
            raise UsersError(f"that identity is bound to user {taken[0]!r}")
        bound = accounts[username.casefold()] = changed(account, oidc_issuer=issuer, oidc_subject=subject)
    return bound


def verify_password(path: Path | str, username: str, password: str) -> User | None:
    """The user when the password is theirs, else None; raises UsersFileError when the file is broken."""
    account = verify_account(path, username, password)
    return account.user if account is not None else None


def verify_account(path: Path | str, username: str, password: str) -> Account | None:
    """The account when the password is theirs, else None; raises UsersFileError when the file is broken.

    An unknown username costs the same bcrypt work as a known one, so timing does not tell which names exist.
    """
    accounts = load_users(path)
    account = accounts.get(username.casefold())
    hashed = account.password_hash if account else _dummy_hash(_rounds_in(accounts))
    matches = _check_password(password, hashed)
    return account if account is not None and matches else None


# ---- checks and (de)serialisation -----------------------------------------------------------------


def _check_new(user: User, password: str) -> None:
    if not USERNAME.fullmatch(user.username):
        raise UsersError("a username is 1 to 64 letters, digits or . _ @ + -")
    if user.role not in ROLES:
        raise UsersError(f"unknown role {user.role!r}: expected one of {', '.join(ROLES)}")
    if user.role == "hq" and user.units:
        raise UsersError("an hq user sees every unit: give no units")
    if user.role != "hq" and (not user.units or not all(user.units)):
        raise UsersError(f"a {user.role} user needs at least one unit, none of them blank")
    unknown = user.permissions - set(PERMISSIONS)
    if unknown:
        raise UsersError(f"unknown permissions {sorted(unknown)}: expected some of {', '.join(PERMISSIONS)}")
    _check_secret(password)


def _check_secret(password: str) -> None:
    size = len(password.encode())
    if len(password) < MIN_PASSWORD or size > MAX_PASSWORD_BYTES or "\x00" in password:
        raise UsersError(f"a password has {MIN_PASSWORD} to {MAX_PASSWORD_BYTES} bytes and no NUL character")


def _account(entry: object, where: str) -> Account:
    if not isinstance(entry, dict):
        raise UsersFileError(f"{where}: expected a table of fields")
    unknown = set(entry) - FIELDS
    if unknown:
        raise UsersFileError(f"{where}: unknown fields {sorted(unknown)}")
    for name in ("username", "password_hash", "role"):
        if not isinstance(entry.get(name), str) or not entry[name]:
            raise UsersFileError(f"{where}: {name} is missing or not text")
    lists = {name: entry.get(name, []) for name in ("units", "permissions")}
    for name, values in lists.items():
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise UsersFileError(f"{where}: {name} must be a list of text values")
    for name in ("email", "totp_secret", "oidc_issuer", "oidc_subject"):
        if entry.get(name) is not None and not isinstance(entry[name], str):
            raise UsersFileError(f"{where}: {name} must be text")
    if not BCRYPT_HASH.fullmatch(entry["password_hash"]):
        raise UsersFileError(f"{where}: password_hash is not a bcrypt hash")
    if entry.get("totp_secret") and not TOTP_SECRET.fullmatch(entry["totp_secret"]):
        raise UsersFileError(f"{where}: totp_secret is not a base32 key")
    if bool(entry.get("oidc_issuer")) != bool(entry.get("oidc_subject")):
        raise UsersFileError(f"{where}: oidc_issuer and oidc_subject go together")
    email = entry.get("email")
    user = User(entry["username"], entry["role"], tuple(lists["units"]), frozenset(lists["permissions"]), email or None)
    binding = (entry.get("oidc_issuer") or None, entry.get("oidc_subject") or None)
    return Account(user, entry["password_hash"], entry.get("totp_secret") or None, *binding)


def _is_json(path: Path) -> bool:
    return path.suffix.lower() == ".json"


def _record(account: Account) -> dict[str, object]:
    user = account.user
    record: dict[str, object] = {
        "username": user.username,
        "password_hash": account.password_hash,
        "role": user.role,
        "units": list(user.units),
        "permissions": sorted(user.permissions),
    }
    if user.email:
        record["email"] = user.email
    optional = {"totp_secret": account.totp_secret, "oidc_issuer": account.oidc_issuer}
    optional["oidc_subject"] = account.oidc_subject
    record.update({k: v for k, v in optional.items() if v})
    return record


def _toml_value(value: object) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    # a TOML basic string: escape quotes, backslashes and control characters as \u escapes (four hex digits)
    text = str(value)
    return '"' + "".join(c if c >= " " and c not in '"\\\x7f' else f"\\u{ord(c):04x}" for c in text) + '"'


def _serialise(path: Path, accounts: Iterable[Account]) -> str:
    records = [_record(a) for a in sorted(accounts, key=lambda a: a.user.username.casefold())]
    if _is_json(path):
        return json.dumps({"user": records}, ensure_ascii=False, indent=2) + "\n"
    tables = ["[[user]]\n" + "".join(f"{k} = {_toml_value(v)}\n" for k, v in r.items()) for r in records]
    return "# Users who may sign in: edit with `python -m analytics users`.\n\n" + "\n".join(tables)


@contextmanager
def _locked(path: Path) -> Iterator[dict[str, Account]]:
    """The accounts, to change in place; written back atomically (temp file, fsync, rename) on success."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        accounts = load_users(path)
        yield accounts
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # mkstemp creates it 0600
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(_serialise(path, accounts.values()))
                out.flush()
                os.fsync(out.fileno())
            os.replace(temp, path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise


def _hash(password: str, rounds: int | None) -> str:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds or ROUNDS)).decode("ascii")


def _check_password(password: str, hashed: str) -> bool:
    secret = password.encode()
    if not secret or len(secret) > MAX_PASSWORD_BYTES:
        return False
    try:
        return bcrypt.checkpw(secret, hashed.encode("ascii"))
    except ValueError:
        return False


def _rounds_in(accounts: dict[str, Account]) -> int:
    first = next(iter(accounts.values()), None)
    return int(first.password_hash[4:6]) if first else ROUNDS


@lru_cache(maxsize=4)
def _dummy_hash(rounds: int) -> str:
    return bcrypt.hashpw(b"no such user", bcrypt.gensalt(rounds)).decode("ascii")
