"""Scratch files a load makes (a CSV extract's text transcoded to UTF-8) carry the id of their process, so that
those a killed load left behind can be told from a running load's and removed."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

TEXT_PREFIX = "extract-utf8-"
TEXT_NAME = re.compile(rf"{TEXT_PREFIX}(\d+)-.*\.csv")


def text_file() -> tuple[int, Path]:
    """A new private (0600) scratch file for transcoded text: (descriptor, path)."""
    fd, name = tempfile.mkstemp(prefix=f"{TEXT_PREFIX}{os.getpid()}-", suffix=".csv")
    return fd, Path(name)


def process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        return True
    except OverflowError:  # no process can have this id
        return False
    return True


def remove_stray_texts(folder: Path | None = None) -> list[Path]:
    """Remove the transcoded texts of loads whose process no longer exists (never a running load's)."""
    removed = []
    for path in Path(folder or tempfile.gettempdir()).glob(f"{TEXT_PREFIX}*.csv"):
        match = TEXT_NAME.fullmatch(path.name)
        if match is None or process_exists(int(match[1])):
            continue
        try:
            path.unlink()
        except OSError:  # another user's, or gone already
            continue
        removed.append(path)
    return removed
