"""A tiny run of the benchmark (python -m tools.bench), so that it cannot rot: every row is there and its numbers are sane.

The figures themselves are not asserted: benchmarks print figures, tests do not time things.
"""

from __future__ import annotations

import json
import subprocess
import sys

from tests.helpers.paths import ROOT
from tools.bench.baseline import BASELINE
from tools.bench.pages import PAGES, SCRIPT_PAGES
from tools.bench.table import format_table
from tools.bench.targets import TARGETS

CUSTOMERS, MONTHS = 2000, 4  # 2026-06-30 .. 2026-09-30: one comparable quarter, 2026Q3


def test_bench_prints_every_row_with_sane_numbers_at_a_tiny_size(tmp_path):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "tools.bench",
            "--customers",
            str(CUSTOMERS),
            "--months",
            str(MONTHS),
            "--runs",
            "2",
            "--page-runs",
            "1",
            "--workdir",
            str(tmp_path),
            "--json",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout)
    assert out["problems"] == []

    # rows: counted in the generated files' bytes = loaded = in the database
    files = out["generate"]["files"]
    assert len(files) == MONTHS and all(f["rows"] > 0.9 * CUSTOMERS for f in files)
    generated = sum(f["rows"] for f in files)
    assert out["rows"] == {"generated": generated, "loaded": generated}
    assert out["queries"]["facts"]["snapshot_rows"] == generated
    history, new = out["load"]["history"], out["load"]["new_month"]
    assert [m["period"] for m in history["months"]] == ["2026-06-30", "2026-07-31", "2026-08-31"]
    assert new["period"] == "2026-09-30" and new["rows"] == files[-1]["rows"]
    assert all(m["seconds"] > 0 for m in history["months"]) and new["seconds"] >= new["load_s"] > 0
    assert 0 < history["db_bytes"] <= new["db_bytes"]

    # every page's default calls, the lists, timed; the quarter pair the pages use is a lookup
    calls = out["queries"]["calls"]
    assert all("error" not in c and 0 < c["median_ms"] <= c["p95_ms"] for c in calls), calls
    assert {c["page"] for c in calls if c["view"] == "default"} == {"sidebar", *PAGES}
    assert len([c for c in calls if c["page"] == "lists"]) == 7  # five lists, two of them also for one branch
    targets = {v["what"]: v["target"] for v in out["verdicts"]}  # the whole bank 1 s, one branch 300 ms
    assert targets["lists · migration_customers (moved down, count + page 1)"] == 1000
    assert targets["lists · migration_customers (moved down, one branch, count + page 1)"] == 300
    assert out["queries"]["defaults"]["quarter"] == "2026Q3"
    assert out["queries"]["facts"]["default_pair_precomputed"] is True
    assert [p["page"] for p in out["pages"]["pages"]] == list(SCRIPT_PAGES)
    assert all(p["cold_s"] > 0 and p["warm_s"] > 0 for p in out["pages"]["pages"])

    # the pandas baseline gives the same answers, and every phase reports its own peak memory
    assert set(out["baseline"]["timings"]) == set(BASELINE)
    assert set(out["baseline"]["checks"].values()) == {"ok"}
    for phase in (out["generate"], history, new, out["queries"], out["pages"], out["baseline"]):
        assert 10 * 2**20 < phase["peak_rss"] < 8 * 2**30

    # this host's floors, measured in the same run, and each figure as a multiple of its floor
    floor = out["floors"]["load"]
    assert floor["seconds"] >= floor["decode_s"] + floor["read_s"] + floor["write_s"] > 0
    assert out["queries"]["scan_floor"]["median_ms"] > 0 and out["pages"]["floor"]["seconds"] > 0
    floored = [v["what"] for v in out["verdicts"] if v["what"].endswith("floor")]
    assert "load one new month / its floor" in floored
    assert len([w for w in floored if w.startswith("lists ·")]) == 7

    table = format_table(out)
    for heading in (
        "LOAD",
        "ANALYTICS",
        "PAGE ANALYTICS",
        "PAGE SCRIPT RUNS",
        "BASELINE",
        "FLOORS",
        "PEAK MEMORY",
        "VERDICT",
    ):
        assert f"\n{heading}  " in table or f"\n{heading}:" in table, heading
    assert all(c["name"] in table for c in calls) and all(name in table for name in BASELINE)
    assert out["retier"]["buffer_on_s"] > 0 and f"target <= {TARGETS['retier_s']:.0f} s each" in table  # its own budget
    assert list(tmp_path.iterdir()) == []  # extracts, database, lock and the bench's audit trail removed
