"""The load test's report (--report, e.g. docs/load_test.md): a markdown page with the command to repeat it, the
method, the machine and its load average, the page visits, the sign-ins, the server's memory and the load of a
new month when there was one."""

from __future__ import annotations

import argparse
from datetime import datetime

from analytics.access.users import ROUNDS
from tools.load_test.figures import cpu, errors_by_reason, memory, signin_errors, signin_table, table
from tools.machine import machine

METHOD = (
    "Each session is a person of its own: the run writes a users file in a temporary folder "
    "(`analytics.access.users.add_user`, bcrypt at the product's cost) with one account per session over the roles "
    "of a bank (HQ with a second factor, regions, sub-branches, branch heads of different branches, managers of "
    "different books, from the database's latest period; `tools/load_test/people.py`), and starts the server with "
    "`BANK_USERS` pointing at it. A session signs in through the form as a browser does over Streamlit's "
    "websocket protocol (the form's widget ids from the delta messages, a BackMsg `rerun_script` with WidgetStates: "
    "the typed strings, the submit button's trigger; then the TOTP code for HQ), the sign-ins spread over the "
    "ramp-up, then visits the pages its role sees (HQ all; the others not the simulator, Data and Audit pages), "
    "its own rotation of them, each with its own query string (quarter, unit, tab, list page, filters: "
    '[pages.md](pages.md) "Shareable views"), with a random pause between visits. A visit\'s run time is from '
    "sending `rerun_script` to `script_finished`; it counts as run when it finished with the page's title and no "
    "exception element. A sign-in's time is from the deep link (the form's first run) to the server accepting "
    "the last step; the page it reran into is timed as a visit."
)


def command(args: argparse.Namespace) -> str:
    parts = [
        f".venv/bin/python -m tools.load_test --db {args.db} --sessions {args.sessions} --rounds {args.rounds}",
        f"--think {args.think:g}",
    ]
    if args.serve:
        parts.append(f"--serve {args.serve}")
    if args.demo:
        parts.append("--demo")
    if args.loader:
        parts.append("--loader")
    if args.bcrypt_rounds != ROUNDS:
        parts.append(f"--bcrypt-rounds {args.bcrypt_rounds}")
    return " ".join(parts)


def report(args: argparse.Namespace, result: dict, rows: list[dict], signins: list[dict], db_size: int) -> str:
    m = machine()
    where = (
        f"through nginx (tools/serve, as `make serve` runs it) in front of {args.serve} Streamlit processes"
        if args.serve
        else "on one Streamlit process"
    )
    reasons = errors_by_reason(result["visits"])
    visits = len(result["visits"])
    before, end, after = result["load"]
    loader = result.get("loader")
    lines = [
        "# Load test: concurrent sessions on the real server",
        "",
        f"Run {datetime.now():%Y-%m-%d %H:%M} by `python -m tools.load_test` (the package `tools/load_test/`).",
        "",
        "## Repeat it",
        "```bash",
        command(args),
        "```",
        METHOD if not args.demo else "Every session is the local demo user (HQ, no users file), on every page.",
        "",
        "## Machine",
        f"- CPU: {m['cpus']} x {m['cpu_model']}; memory {m['ram_bytes'] / 2**30:.0f} GiB; {m['system']}",
        f"- Python {m['python']}, Streamlit {m['streamlit']}, DuckDB {m['duckdb']}",
        f"- load average (1/5/15 min) before: {before}; at the sessions' end: {end}; after: {after}",
        f"- database: {args.db} ({db_size / 2**20:,.0f} MiB"
        + (", served from a copy of it that the load extended)" if args.loader else ")"),
        "",
        "## Figures",
        f"{args.sessions} concurrent sessions {where}, {args.rounds} rounds of their pages (pause 0-{args.think:g} s "
        f"between visits, ramp-up {args.ramp:g} s): {visits} visits in {result['wall']:.0f} s "
        f"({visits / result['wall']:.1f} page runs/s); sessions cut by the global timeout: {result['timed_out']}.",
        "",
        table(rows),
        "",
        f"Errors: {sum(r['errors'] for r in rows[:-1])}" + ("" if not reasons else ":"),
        *[f"- {count} x {reason}" for reason, count in sorted(reasons.items())],
        "",
    ]
    if result["signins"]:
        failed = signin_errors(result["signins"])
        lines += [
            "Sign-ins (steps 2 = password and code):",
            "",
            signin_table(signins),
            "",
            *[f"- {count} x {reason}" for reason, count in sorted(failed.items())],
            "",
        ]
    lines += [f"Server memory ({'the Streamlit processes and nginx' if args.serve else 'the process'}): "
              f"{memory(result, args.sessions)}.", "", f"{cpu(result)}.", ""]  # fmt: skip
    if loader is not None and loader.started is not None:
        phases = loader.phases(result["visits"])
        lines += [
            f"Load of one more month ({loader.period}, {loader.customers:,} customers) while the sessions ran: "
            f"`python -m analytics load` ran {loader.ended - loader.started:.0f} s (exit {loader.returncode}; the "
            f"new month in the served database: {'yes' if loader.loaded else 'no'}). Visits / errors before it: "
            f"{phases['before'][0]} / {phases['before'][1]}, while it ran: {phases['during'][0]} / "
            f"{phases['during'][1]}, after it: {phases['after'][0]} / {phases['after'][1]}.",
            "",
        ]
    if args.note:
        lines += [f"## Notes\n{args.note}", ""]
    return "\n".join(lines)
