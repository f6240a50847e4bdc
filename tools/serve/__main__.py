"""Serve the dashboard as a bank runs it: nginx on --port in front of one Streamlit process per core.

    .venv/bin/python -m tools.serve [--port 8500] [--first-port 8601] [--processes N] [--server-name NAME ...]
        [--tls-cert FILE --tls-key FILE] [--run FOLDER] [--db FILE] [--secrets FILE]

`make serve` installs nginx (tools/serve/ensure_nginx.sh) and runs this. Each process listens on 127.0.0.1 only
(ports --first-port, +1, ...) with its own reader of the database; nginx (deploy/nginx.conf.template, written
into --run) keeps each browser on one process by a cookie, passes websockets and uploads, sets the security
headers, closes /_stcore/metrics and answers only the --server-name hosts. Ctrl-C or SIGTERM stops everything;
SIGHUP makes nginx read its configuration and certificate again.
See docs/operations.md.
"""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

from tools.serve import nginx
from tools.serve.settings import DEFAULT_NAMES, Settings, check, cores
from tools.serve.stack import Stack


def parser() -> argparse.ArgumentParser:
    defaults = Settings()
    command = argparse.ArgumentParser(prog="python -m tools.serve", description=__doc__.splitlines()[0])
    command.add_argument("--port", type=int, default=defaults.port, help="nginx's port")
    command.add_argument("--first-port", type=int, default=defaults.first_port, help="the first Streamlit port")
    command.add_argument("--processes", type=int, default=cores(), help="Streamlit processes (default: cores)")
    command.add_argument(
        "--server-name",
        action="append",
        dest="server_names",
        help=f"a host name browsers use (repeat; default {' '.join(DEFAULT_NAMES)}); any other Host is refused",
    )
    command.add_argument("--tls-cert", type=Path, help="PEM certificate chain: nginx serves HTTPS and sends HSTS")
    command.add_argument("--tls-key", type=Path)
    command.add_argument("--run", type=Path, default=defaults.run, help="run folder: nginx.conf, pid, logs")
    command.add_argument("--db", type=Path, help="the database (BANK_DB); default: BANK_DB, else data/bank.duckdb")
    command.add_argument("--secrets", type=Path, help="Streamlit secrets ([auth] for st.login)")
    command.add_argument("--print-config", action="store_true", help="print nginx.conf and exit")
    return command


def settings_from(args: argparse.Namespace) -> Settings:
    return Settings(
        port=args.port,
        first_port=args.first_port,
        processes=args.processes,
        server_names=tuple(args.server_names or DEFAULT_NAMES),
        run=args.run.resolve(),
        db=args.db.resolve() if args.db else None,
        secrets=args.secrets.resolve() if args.secrets else None,
        tls_cert=args.tls_cert.resolve() if args.tls_cert else None,
        tls_key=args.tls_key.resolve() if args.tls_key else None,
    )


def main(argv: list[str] | None = None) -> int:
    command = parser()
    args = command.parse_args(argv)
    settings = settings_from(args)
    problems = check(settings)
    if problems:
        command.error("; ".join(problems))
    if args.print_config:
        print(nginx.render(settings))
        return 0
    stack = Stack(settings, say=lambda text: print(text, flush=True))
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stack.stopping.set())
    signal.signal(signal.SIGHUP, lambda *_: stack.reloading.set())  # a renewed certificate: systemctl reload
    try:
        stack.start()
    except (RuntimeError, FileNotFoundError) as error:
        print(f"not started: {error}", file=sys.stderr)
        return 1
    code = stack.run()
    stack.stop()
    print("stopped", flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
