"""`python -m analytics users add|passwd|remove|list`: manage the users file. Exit codes: 0 done, 1 refused,
2 usage.

The password is read from stdin (one line) or, on a terminal, prompted for twice; never from the command line,
where it would stay in the shell history and the process list. It must pass the password policy
(analytics.access.passwords). `add --totp` gives the user a second factor and prints its key once.
Every change, and every refusal, is recorded in the dashboard's audit trail (user `cli:<login>`).
"""

from __future__ import annotations

import argparse
import getpass
import os
import socket
import sys
from pathlib import Path
from typing import TextIO

from analytics.access.audit import record
from analytics.access.passwords import check_password
from analytics.access.signin import new_secret, provisioning_uri
from analytics.access.users import PERMISSIONS, ROLES, UsersError, add_user, list_users, remove_user, set_password
from analytics.core.config import audit_path, database_path, users_path


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    users = subparsers.add_parser("users", help="manage who may sign in (data/users.toml or $BANK_USERS)")
    actions = users.add_subparsers(dest="users_command", required=True)
    add = actions.add_parser("add", help="add a user; the password comes from stdin or a prompt")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument(
        "--unit",
        dest="units",
        action="append",
        default=[],
        help="region or sub_branch name, branch_id or manager_id, by role (repeat for several)",
    )
    add.add_argument(
        "--permission",
        dest="permissions",
        action="append",
        default=[],
        choices=PERMISSIONS,
        help="pii: may reveal personal data",
    )
    add.add_argument("--email", help="the identity an OIDC sign-in is matched by")
    add.add_argument("--replace", action="store_true", help="overwrite the user if they exist")
    add.add_argument("--totp", action="store_true", help="a second factor: a 6-digit code from an authenticator app")
    passwd = actions.add_parser("passwd", help="give a user a new password (from stdin or a prompt)")
    passwd.add_argument("username")
    remove = actions.add_parser("remove", help="remove a user")
    remove.add_argument("username")
    listing = actions.add_parser("list", help="list users (never their password hashes)")
    for sub in (add, passwd, remove, listing):
        sub.add_argument("--users", type=Path, help="users file (default $BANK_USERS or data/users.toml)")


def run(args: argparse.Namespace) -> int:
    path = args.users or users_path()
    try:
        if args.users_command == "add":
            password = read_password(sys.stdin)
            check_password(password, args.username)
            secret = new_secret() if args.totp else None
            user = add_user(
                path,
                args.username,
                password,
                args.role,
                args.units,
                args.permissions,
                email=args.email,
                replace=args.replace,
                totp_secret=secret,
            )
            print(f"{path}: user {user.username} ({user.role}) saved")
            _audit(
                "user_added",
                path,
                username=user.username,
                role=user.role,
                units=list(user.units),
                permissions=sorted(user.permissions),
                email=_masked_email(user.email),
                replaced=args.replace,
                totp=secret is not None,
            )
            if secret:
                print("Second factor: add this key to an authenticator app now; it is not shown again.")
                print(f"  key: {secret}")
                print(f"  URI: {provisioning_uri(secret, user.username)}")
        elif args.users_command == "passwd":
            password = read_password(sys.stdin)
            check_password(password, args.username)
            set_password(path, args.username, password)
            print(f"{path}: password of {args.username} changed")
            _audit("password_changed", path, username=args.username)
        elif args.users_command == "remove":
            if not remove_user(path, args.username):
                print(f"users: no user {args.username!r} in {path}", file=sys.stderr)
                _audit("user_change_refused", path, action="remove", username=args.username, reason="no such user")
                return 1
            print(f"{path}: user {args.username} removed")
            _audit("user_removed", path, username=args.username)
        else:
            _print_users(path)
    except UsersError as exc:
        print(f"users: {exc}", file=sys.stderr)
        _audit(
            "user_change_refused",
            path,
            action=args.users_command,
            username=getattr(args, "username", None),
            reason=str(exc),
        )
        return 1
    return 0


def _audit(event: str, path: Path, **details: object) -> None:
    """The change (or its refusal) in the dashboard's audit trail, by cli:<login>, from this host and process."""
    client = {"host": socket.gethostname(), "pid": os.getpid()}
    record(
        event,
        f"cli:{getpass.getuser()}",
        audit_file=audit_path(database_path()),
        client=client,
        users_file=str(path),
        **details,
    )


def _masked_email(email: str | None) -> str | None:
    """wang.li@bank.example -> w***@bank.example: whose identity, without the whole address."""
    name, at, domain = (email or "").partition("@")
    return f"{name[:1]}***{at}{domain}" if email else None


def read_password(stdin: TextIO) -> str:
    if stdin.isatty():
        password = getpass.getpass("Password: ")
        if getpass.getpass("Repeat the password: ") != password:
            raise UsersError("the passwords differ")
        return password
    return stdin.readline().rstrip("\r\n")  # only the line ending: spaces belong to the password


def _print_users(path: Path) -> None:
    users = list_users(path)
    rows = [("username", "role", "units", "permissions", "email")] + [
        (u.username, u.role, ", ".join(u.units) or "-", ", ".join(sorted(u.permissions)) or "-", u.email or "-")
        for u in users
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
    if not users:
        print(f"(no users in {path})")
