"""Injection-proofing of the command line: hostile strings in every argument of `report` and `load`. The CLI exits
2 with a one-line message, or 0 with the same output as without the payload; never a traceback; the database's
bytes stay as they were and no file appears."""

from __future__ import annotations

import contextlib
import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from analytics.cli.main import main as cli_main
from tests.helpers.paths import ROOT
from tests.helpers.payloads import PAYLOADS, UPLOAD_NAMES, present, sha256


@pytest.fixture
def db(monkeypatch, demo_db) -> Path:
    monkeypatch.setenv("BANK_DB", str(demo_db))
    return demo_db


def cli(argv: list[str]) -> tuple[int, str, str]:
    """`python -m analytics ARGV` in this process: (exit code, stdout, stderr); an exception escapes."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli_main(argv)
        except SystemExit as exit_:
            code = exit_.code
    return code, out.getvalue(), err.getvalue()


REPORT_ARGS = {  # option -> a report that reads it (with the payload as the option's value)
    "kind": lambda db, p: ["report", p, "--db", str(db)],
    "--period": lambda db, p: ["report", "tiers", "--period", p, "--db", str(db)],
    "--from": lambda db, p: ["report", "migration", "--from", p, "--to", "2026-09-30", "--db", str(db)],
    "--to": lambda db, p: ["report", "migration", "--from", "2026-06-30", "--to", p, "--db", str(db)],
    "--quarter": lambda db, p: ["report", "scorecard", "--quarter", p, "--db", str(db)],
    "--by": lambda db, p: ["report", "churn", "--by", p, "--db", str(db)],
    "--format": lambda db, p: ["report", "tiers", "--format", p, "--db", str(db)],
}


def without(argv: list[str], option: str) -> list[str]:
    """argv without `option` and its value: what a report accepting the payload must equal (its default)."""
    if option == "kind":
        return argv
    i = argv.index(option)
    return argv[:i] + argv[i + 2 :]


def test_cli_report_payloads_exit_2_with_a_message_or_0_with_the_same_result(db):
    before, files = sha256(db), present()
    failures, rejected, accepted = [], 0, 0
    for option, build in REPORT_ARGS.items():
        for name, payload in PAYLOADS.items():
            argv = build(db, payload)
            try:
                code, out, err = cli(argv)
            except Exception as error:  # noqa: BLE001 - the finding
                failures.append(f"{option}={name}: {type(error).__name__}: {str(error)[:200]}")
                continue
            if code == 2:
                rejected += 1
                if not err.strip() or "Traceback" in err or out:
                    failures.append(f"{option}={name}: exit 2 without a clean message: {err[-200:]!r}")
            elif code == 0:
                accepted += 1  # e.g. --quarter ２０２６Q3 (full-width digits) is 2026Q3, the default
                if out != cli(without(argv, option))[1]:
                    failures.append(f"{option}={name}: exit 0 with another result")
            else:
                failures.append(f"{option}={name}: exit {code}: {err[-200:]!r}")
    assert not failures, "\n".join(failures)
    assert sha256(db) == before
    assert present() == files
    print(
        f"\nreport: {len(REPORT_ARGS)} options x {len(PAYLOADS)} payloads: {rejected} exit 2, {accepted} exit 0 "
        f"with the default's result"
    )


def test_cli_load_payloads_in_file_names_period_and_policy_exit_2_and_change_nothing(db, tmp_path):
    target = tmp_path / "bank.duckdb"
    shutil.copyfile(db, target)
    before, files = sha256(target), present()
    sample = sorted((ROOT / "data" / "samples").glob("*.csv"))[0]
    failures = []
    for name, payload in PAYLOADS.items():
        if "\x00" in payload:  # argv cannot carry a NUL byte (execve); the shell never passes one
            continue
        for option, argv in (
            ("FILE", ["load", str(tmp_path / f"{payload[:200]}.csv"), "--db", str(target)]),  # no such file
            ("--period", ["load", str(sample), "--period", payload, "--db", str(target)]),
            ("--policy", ["load", "--policy", str(tmp_path / f"{payload[:200]}.toml"), "--db", str(target)]),
        ):
            try:
                code, out, err = cli(argv)
            except Exception as error:  # noqa: BLE001
                failures.append(f"load {option}={name}: {type(error).__name__}: {str(error)[:200]}")
                continue
            if code != 2 or not err.strip() or "Traceback" in err:
                failures.append(f"load {option}={name}: exit {code}: {err[-200:]!r}")
    # a report on the database by a traversing path that resolves to it reads it as usual
    (tmp_path / "a" / "b").mkdir(parents=True)
    same = cli(["report", "tiers", "--db", str(tmp_path / "a" / "b" / ".." / ".." / "bank.duckdb")])
    assert same == cli(["report", "tiers", "--db", str(target)])
    assert not failures, "\n".join(failures)
    assert sha256(target) == before
    assert present() == files
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "bank.duckdb"]


def test_cli_load_files_named_like_payloads_are_recorded_verbatim(db, tmp_path):
    """Payloads as file names of real extracts: loaded once (then unchanged), the names stored as plain values."""
    target = tmp_path / "bank.duckdb"
    shutil.copyfile(db, target)
    sample = sorted((ROOT / "data" / "samples").glob("*.csv"))[-1]  # 2026-09-30: already loaded, same rows
    folder = tmp_path / "extracts"
    folder.mkdir()
    names = {name: f"{payload}.csv" for name, payload in UPLOAD_NAMES.items() if "/" not in payload}
    for file_name in names.values():
        shutil.copyfile(sample, folder / file_name)
    code, out, err = cli(["load", *(str(folder / n) for n in names.values()), "--db", str(target)])
    assert code == 0, err
    from analytics.store.generations import open_reader

    con = open_reader(target)
    try:
        recorded = {Path(f).name for (f,) in con.execute("select file_name from load_log").fetchall()}
        assert set(names.values()) <= recorded
        assert con.execute("select count(*) from customer_snapshot").fetchone()[0] > 0
    finally:
        con.close()
    assert not present()


def test_cli_report_db_payload_paths_that_do_not_exist_exit_2(tmp_path):
    for name, payload in PAYLOADS.items():
        path = tmp_path / payload
        if "\x00" in payload or len(payload) > 200 or path.exists():  # "" is tmp_path itself
            continue
        code, out, err = cli(["report", "tiers", "--db", str(path)])
        assert code == 2 and "no database" in err, (name, code, err[-200:])
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", ["load", "report"])
def test_cli_path_longer_than_the_file_system_allows_exits_2(tmp_path, command):
    long = str(tmp_path / ("x" * 300))
    argv = (
        ["load", long, "--db", str(tmp_path / "bank.duckdb")]
        if command == "load"
        else ["report", "tiers", "--db", long]
    )
    done = run_module(*argv)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr[-300:]


@pytest.fixture
def not_a_database(tmp_path: Path) -> Path:
    """A copy of /etc/passwd reached by a traversing path (never the real one: `load` writes beside --db)."""
    (tmp_path / "a" / "b").mkdir(parents=True)
    shutil.copyfile("/etc/passwd", tmp_path / "passwd")
    return tmp_path / "a" / "b" / ".." / ".." / "passwd"


def run_module(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "analytics", *args], cwd=ROOT, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize("kind", ["file", "directory"])
def test_cli_report_db_that_is_not_a_database_exits_2_without_a_traceback(not_a_database, kind):
    path = not_a_database if kind == "file" else not_a_database.parent
    done = run_module("report", "tiers", "--db", str(path))
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr[-300:]


@pytest.mark.parametrize("kind", ["file", "directory"])
def test_cli_load_db_that_is_not_a_database_exits_2_and_leaves_nothing(not_a_database, kind):
    path = not_a_database if kind == "file" else not_a_database.parent
    sample = sorted((ROOT / "data" / "samples").glob("*.csv"))[0]
    before = sha256(not_a_database)
    done = run_module("load", str(sample), "--db", str(path))
    assert sha256(not_a_database) == before  # never written, in any case
    leftovers = [p.name for p in not_a_database.resolve().parent.iterdir() if re.search(r"\.loading", p.name)]
    assert done.returncode == 2 and "Traceback" not in done.stderr and not leftovers, (done.stderr[-300:], leftovers)


def test_cli_as_a_process_rejects_payloads_with_exit_2_and_no_traceback(db):
    """A few payloads through a real `python -m analytics` (argv, encodings, exit code as the shell sees them)."""
    for args in (
        ["report", "scorecard", "--quarter", PAYLOADS["drop_table"]],
        ["report", "migration", "--from", PAYLOADS["union_read_text"], "--to", "2026-09-30"],
        ["report", "tiers", "--by", PAYLOADS["rtl_override"]],
        ["report", "tiers", "--format", PAYLOADS["html_script"]],
    ):
        done = run_module(*args, "--db", str(db))
        assert done.returncode == 2 and "Traceback" not in done.stderr and done.stderr.strip(), done.stderr[-300:]
    assert not present()
