"""Where things live: the project's folders, the default files, and the environment variables that move them.

BANK_DB (the dashboard's database), BANK_USERS (the users file), BANK_AUDIT (the audit trail),
BANK_DEMO_CUSTOMERS / BANK_DEMO_MONTHS (the demo bank the empty dashboard offers to build).
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


def database_path() -> Path:
    """$BANK_DB, else data/bank.duckdb."""
    return Path(os.environ.get("BANK_DB") or DEFAULT_DB)


def users_path() -> Path:
    """$BANK_USERS, else data/users.toml."""
    return Path(os.environ.get("BANK_USERS") or DEFAULT_USERS)


def users_file_named() -> bool:
    """Whether $BANK_USERS names a users file (a missing named file then signs nobody in)."""
    return bool(os.environ.get("BANK_USERS"))


def audit_path(db: Path | str | None = None) -> Path:
    """$BANK_AUDIT, else audit.jsonl beside the database (default data/audit.jsonl)."""
    if os.environ.get("BANK_AUDIT"):
        return Path(os.environ["BANK_AUDIT"])
    return Path(db or DEFAULT_DB).with_name("audit.jsonl")


def demo_size() -> tuple[int, int]:
    """(customers, months) of the demo bank the empty dashboard builds: $BANK_DEMO_CUSTOMERS, $BANK_DEMO_MONTHS."""
    return (
        int(os.environ.get("BANK_DEMO_CUSTOMERS") or DEMO_SIZE[0]),
        int(os.environ.get("BANK_DEMO_MONTHS") or DEMO_SIZE[1]),
    )
