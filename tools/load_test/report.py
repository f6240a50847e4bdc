"""The load test's report: docs/load_test.md by default, a markdown page with the command to repeat it, the
machine, the figures and the server's memory."""

from __future__ import annotations

import argparse
from datetime import datetime

from tools.load_test.figures import errors_by_reason, mib, table
from tools.machine import machine


def report(args: argparse.Namespace, result: dict, rows: list[dict], load: tuple, db_size: int) -> str:
    m = machine()
    command = (
        f".venv/bin/python -m tools.load_test --db {args.db} --sessions {args.sessions} --rounds "
        f"{args.rounds} --think {args.think}" + (f" --serve {args.serve}" if getattr(args, "serve", 0) else "")
    )
    served = getattr(args, "serve", 0)
    where = (
        f"through nginx (tools/serve, as `make serve` runs it) in front of {served} Streamlit processes"
        if served
        else "on one Streamlit process"
    )
    reasons = errors_by_reason(result["visits"])
    visits = len(result["visits"])
    return "\n".join(
        [
            "# Load test: concurrent sessions on the real server",
            "",
            f"Run {datetime.now():%Y-%m-%d %H:%M} by the load test, `python -m tools.load_test` (the package",
            "`tools/load_test/`: `server.py` starts and watches the server, `session.py` is one browser-less session, "
            "`drive.py` runs them at once, `figures.py` and `report.py` make the table and this page). It measures how "
            "the real server copes with many people using the dashboard at once: every page run without an error, the "
            "run times, and the server's memory before, at the peak and after.",
            "",
            "## Repeat it",
            "```bash",
            command,
            "```",
            "Builds the demo bank at `--db` when it is missing (`python -m analytics demo --db ...`: 200,000 customers x "
            "24 months, 1-3 min), starts `streamlit run app.py --server.headless true` on a free port of 127.0.0.1 with "
            "`BANK_DB` pointing at it, and drives the sessions without a browser over Streamlit's websocket protocol "
            "(BackMsg `rerun_script` with the page's url path / page_script_hash, ForwardMsgs read until "
            "`script_finished`). Run it from the project folder. `--report ''` prints only; by default the report "
            "replaces this page (its Notes come from `--note`).",
            "",
            "## Machine",
            f"- CPU: {m['cpus']} x {m['cpu_model']}; memory {m['ram_bytes'] / 2**30:.0f} GiB; {m['system']}",
            f"- Python {m['python']}, Streamlit {m['streamlit']}, DuckDB {m['duckdb']}",
            f"- load average (1/5/15 min) before: {load[0]}; after: {load[1]} — on a shared machine other work runs "
            "alongside, and the figures are an upper bound",
            f"- database: {args.db} ({db_size / 2**20:,.0f} MiB)",
            "",
            "## Figures",
            f"{args.sessions} concurrent sessions {where} x {len(args.pages)} pages x {args.rounds} rounds (pause up to "
            f"{args.think} s between visits): {visits} visits in {result['wall']:.0f} s "
            f"({visits / result['wall']:.1f} page runs/s); sessions cut by the global timeout: {result['timed_out']}.",
            "Run time = from sending `rerun_script` to receiving `script_finished` (the whole page: sidebar, queries, "
            "charts, tables), each session's first visit of a page included (cold st.cache_data for the first ones).",
            "",
            table(rows),
            "",
            f"Errors: {sum(r['errors'] for r in rows[:-1])}" + ("" if not reasons else ":"),
            *[f"- {count} x {reason}" for reason, count in sorted(reasons.items())],
            "",
            f"Server RSS ({'the Streamlit processes and nginx' if served else 'streamlit process and children'}): before the sessions {mib(result['rss_before'])}, "
            f"peak {mib(result['rss_peak'])}, 5 s after they closed {mib(result['rss_after'])}.",
            "",
            *([f"## Notes\n{args.note}", ""] if args.note else []),
        ]
    )
