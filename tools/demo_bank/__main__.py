"""python -m tools.demo_bank --out DIR [--customers N] [--months M] [--end YYYY-MM-DD] [--seed S] [--policy PATH]

Writes one GBK CSV extract per month end into DIR and prints each file's path on a line of its own as soon as the
file is complete, so that a loader reading the output can start on a month while the next one is simulated.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from analytics.core.config import DEFAULT_POLICY
from analytics.core.policy import load_policy
from tools.demo_bank.simulate import iter_extracts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.demo_bank", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--end", type=date.fromisoformat, default=date(2026, 9, 30))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--policy", type=Path, default=DEFAULT_POLICY, help="the tier bounds the bank's balances follow"
    )
    args = parser.parse_args(argv)
    try:
        months = iter_extracts(
            args.out,
            customers=args.customers,
            months=args.months,
            end=args.end,
            seed=args.seed,
            policy=load_policy(args.policy),
        )
        for path in months:
            print(path, flush=True)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
