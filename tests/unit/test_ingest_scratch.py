"""A load's scratch texts carry its process id: those of ended loads are removed, never a running load's."""

from __future__ import annotations

import os
import stat
import subprocess

from analytics.ingest.scratch import TEXT_PREFIX, process_exists, remove_stray_texts, text_file


def test_text_file_is_private_and_named_with_the_process_id():
    fd, path = text_file()
    try:
        assert path.name.startswith(f"{TEXT_PREFIX}{os.getpid()}-") and path.suffix == ".csv"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    finally:
        os.close(fd)
        path.unlink()


def test_remove_stray_texts_removes_only_those_of_ended_processes(tmp_path):
    ended = subprocess.Popen(["true"])
    ended.wait()
    assert not process_exists(ended.pid) and process_exists(os.getpid())
    stray = tmp_path / f"{TEXT_PREFIX}{ended.pid}-abc.csv"
    running = tmp_path / f"{TEXT_PREFIX}{os.getpid()}-def.csv"
    unnamed = tmp_path / f"{TEXT_PREFIX}xyz.csv"  # an older name without a process id: whose, cannot be told
    for path in (stray, running, unnamed):
        path.write_text("period,customer_id\n")
    assert remove_stray_texts(tmp_path) == [stray]
    assert not stray.exists() and running.exists() and unnamed.exists()
