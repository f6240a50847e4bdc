"""`python -m analytics audit verify|reanchor`: check the audit trail against its key and its anchor, one line per
finding; or anchor its end anew (recorded as `anchor_reset`). Exit codes: 0 intact, 1 findings or refused, 2 usage.
"""

from __future__ import annotations

import argparse
import getpass
from pathlib import Path

from analytics.access.audit import reanchor
from analytics.access.audit_chain import AuditKeyError
from analytics.access.audit_verify import Verdict, verify
from analytics.core.config import audit_path, database_path


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("audit", help="verify the audit trail against its key and anchor")
    actions = parser.add_subparsers(dest="audit_command", required=True)
    check = actions.add_parser("verify", help="check every line under the key, and the trail against its anchor")
    check.add_argument("--key", type=Path, help="key file (default $BANK_AUDIT_KEY_FILE, else beside the trail)")
    check.add_argument("--anchor", type=Path, help="anchor file (default $BANK_AUDIT_ANCHOR, else beside the trail)")
    reset = actions.add_parser(
        "reanchor", help="anchor the trail's end anew, after an anchor was lost or a finding investigated"
    )
    for sub in (check, reset):
        sub.add_argument(
            "--trail", type=Path, help="audit trail (default $BANK_AUDIT, else audit.jsonl beside $BANK_DB)"
        )


def run(args: argparse.Namespace) -> int:
    trail = args.trail or audit_path(database_path())
    if args.audit_command == "reanchor":
        try:
            anchor = reanchor(f"cli:{getpass.getuser()}", trail)
        except AuditKeyError as exc:
            print(f"audit: {exc}")
            return 1
        print(f"{trail}: anchored at line {anchor.seq} (anchor_reset recorded)")
    verdict = verify(trail, key_file=getattr(args, "key", None), anchor_file=getattr(args, "anchor", None))
    for finding in verdict.findings:
        print(f"{trail}: {finding.text()}")
    for warning in verdict.warnings:
        print(f"{trail}: warning: {warning.text()}")
    print(summary(verdict))
    return 0 if verdict.intact else 1


def summary(verdict: Verdict) -> str:
    if not verdict.intact:
        return f"{verdict.trail}: NOT intact: {len(verdict.findings)} finding(s)"
    parts = [f"{verdict.trail}: intact: {verdict.lines} lines"]
    if verdict.legacy_lines:
        sealed = f"sealed by line {verdict.legacy_lines + 1}" if verdict.keyed else "not yet sealed"
        parts.append(f"the first {verdict.legacy_lines} written before the key ({sealed})")
    if verdict.anchor is not None:
        parts.append(f"anchored at line {verdict.anchor.seq} ({verdict.anchor.time}), {verdict.unanchored} after it")
    return ", ".join(parts)
