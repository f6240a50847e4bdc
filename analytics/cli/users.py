"""`python -m analytics users add|remove|list`: manage the users file. Exit codes: 0 done, 1 refused, 2 usage.

The password is read from stdin (one line) or, on a terminal, prompted for twice; never from the command line,
where it would stay in the shell history and the process list.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path
from typing import TextIO

from analytics.access.users import PERMISSIONS, ROLES, UsersError, add_user, list_users, remove_user
from analytics.core.config import users_path


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
    remove = actions.add_parser("remove", help="remove a user")
    remove.add_argument("username")
    listing = actions.add_parser("list", help="list users (never their password hashes)")
    for sub in (add, remove, listing):
        sub.add_argument("--users", type=Path, help="users file (default $BANK_USERS or data/users.toml)")


def run(args: argparse.Namespace) -> int:
    path = args.users or users_path()
    try:
        if args.users_command == "add":
            user = add_user(
                path,
                args.username,
                read_password(sys.stdin),
                args.role,
                args.units,
                args.permissions,
                email=args.email,
                replace=args.replace,
            )
            print(f"{path}: user {user.username} ({user.role}) saved")
        elif args.users_command == "remove":
            if not remove_user(path, args.username):
                print(f"users: no user {args.username!r} in {path}", file=sys.stderr)
                return 1
            print(f"{path}: user {args.username} removed")
        else:
            _print_users(path)
    except UsersError as exc:
        print(f"users: {exc}", file=sys.stderr)
        return 1
    return 0


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
