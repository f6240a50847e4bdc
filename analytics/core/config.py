"""Where things live: the project's folders, the default files, and the environment variables that move them.

BANK_DB (the dashboard's database), BANK_USERS (the users file), BANK_AUDIT (the audit trail),
BANK_DEMO_CUSTOMERS / BANK_DEMO_MONTHS (the demo bank the empty dashboard offers to build),
BANK_SIGNIN_STATE (the folder of the sign-in lockouts), BANK_FOLLOWUP_DB (the follow-up log),
BANK_IDLE_MINUTES / BANK_SESSION_HOURS (when a signed-in session ends),
BANK_AUDIT_KEY_FILE / BANK_AUDIT_ANCHOR / BANK_AUDIT_ANCHOR_EVERY (the audit trail's key and anchor).
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = PROJECT_ROOT / "data"
DEFAULT_DB = DATA_DIR / "bank.duckdb"
DEFAULT_POLICY = DATA_DIR / "policy.toml"
DEFAULT_USERS = DATA_DIR / "users.toml"
READER_SPILL_PREFIX = "bank-reader-spill-"  # each process spills into a private temporary folder of its own
DEMO_SIZE = (20_000, 12)  # customers, months of the demo bank the empty dashboard builds
IDLE_MINUTES = 15.0  # a signed-in session ends after this long without a click
SESSION_HOURS = 8.0  # and this long after its sign-in, whatever the clicks


def database_path() -> Path:
    """$BANK_DB, else data/bank.duckdb."""
    return Path(os.environ.get("BANK_DB") or DEFAULT_DB)


def users_path() -> Path:
    """$BANK_USERS, else data/users.toml."""
    return Path(os.environ.get("BANK_USERS") or DEFAULT_USERS)


def users_file_named() -> bool:
    """Whether $BANK_USERS names a users file (a missing named file then signs nobody in)."""
    return bool(os.environ.get("BANK_USERS"))


def signin_state_path(users: Path | str | None = None) -> Path:
    """$BANK_SIGNIN_STATE, else the folder `<users file>.state` beside the users file (lockouts, used codes)."""
    if os.environ.get("BANK_SIGNIN_STATE"):
        return Path(os.environ["BANK_SIGNIN_STATE"])
    users = Path(users) if users else users_path()
    return users.with_name(users.name + ".state")


def idle_minutes() -> float:
    """$BANK_IDLE_MINUTES (a positive number), else 15."""
    return _positive("BANK_IDLE_MINUTES", IDLE_MINUTES)


def session_hours() -> float:
    """$BANK_SESSION_HOURS (a positive number), else 8."""
    return _positive("BANK_SESSION_HOURS", SESSION_HOURS)


def _positive(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name) or default)
    except ValueError:
        return default
    return value if value > 0 else default


def followup_path() -> Path:
    """$BANK_FOLLOWUP_DB, else data/followup.sqlite (the follow-up log: kept apart from the database a load replaces)."""
    return Path(os.environ.get("BANK_FOLLOWUP_DB") or DATA_DIR / "followup.sqlite")


def audit_path(db: Path | str | None = None) -> Path:
    """$BANK_AUDIT, else audit.jsonl beside the database (default data/audit.jsonl)."""
    if os.environ.get("BANK_AUDIT"):
        return Path(os.environ["BANK_AUDIT"])
    return Path(db or DEFAULT_DB).with_name("audit.jsonl")


def audit_key_path(trail: Path | str | None = None) -> Path:
    """$BANK_AUDIT_KEY_FILE, else `audit-key/<trail name>.key` beside the trail (data/audit-key/audit.key)."""
    if os.environ.get("BANK_AUDIT_KEY_FILE"):
        return Path(os.environ["BANK_AUDIT_KEY_FILE"])
    trail = Path(trail) if trail else audit_path()
    return trail.parent / "audit-key" / f"{trail.stem}.key"


def audit_anchor_path(trail: Path | str | None = None) -> Path:
    """$BANK_AUDIT_ANCHOR, else `audit-anchor/<trail name>.anchor` beside the trail (data/audit-anchor/audit.anchor)."""
    if os.environ.get("BANK_AUDIT_ANCHOR"):
        return Path(os.environ["BANK_AUDIT_ANCHOR"])
    trail = Path(trail) if trail else audit_path()
    return trail.parent / "audit-anchor" / f"{trail.stem}.anchor"


def audit_anchor_every() -> int:
    """$BANK_AUDIT_ANCHOR_EVERY (a whole number of events, at least 1), else 1: the anchor follows every event."""
    try:
        value = int(os.environ.get("BANK_AUDIT_ANCHOR_EVERY") or 1)
    except ValueError:
        return 1
    return max(value, 1)


def demo_size() -> tuple[int, int]:
    """(customers, months) of the demo bank the empty dashboard builds: $BANK_DEMO_CUSTOMERS, $BANK_DEMO_MONTHS."""
    return (
        int(os.environ.get("BANK_DEMO_CUSTOMERS") or DEMO_SIZE[0]),
        int(os.environ.get("BANK_DEMO_MONTHS") or DEMO_SIZE[1]),
    )
