"""An extract file opened for loading: its SHA-256 and its text cells, parsed already where the file is small
enough to hold (a worker thread does it while the previous file is written)."""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from analytics.ingest.extract import ExtractError, RawExtract
from analytics.ingest.files import read_extract


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 22):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass
class OpenedFile:
    path: Path
    sha256: str
    extract: RawExtract | None
    error: ExtractError | None = None


def open_extract(path: Path) -> OpenedFile:
    """The file's SHA-256 and its text cells, parsed already where the file is small enough to hold. The digest
    is taken in a thread of its own (hashlib lets go of the GIL) while the file is decoded."""
    with ThreadPoolExecutor(1, thread_name_prefix="sha256") as hasher:
        digest = hasher.submit(file_sha256, path)
        try:
            extract = read_extract(path)
        except ExtractError as exc:
            return OpenedFile(path, digest.result(), None, exc)
        try:
            extract.read_ahead()
            return OpenedFile(path, digest.result(), extract)
        except BaseException:
            extract.close()
            raise
