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
    name: str = ""  # what the file is called in problems and the load log: its path, or an upload's own name

    def __post_init__(self) -> None:
        self.name = self.name or str(self.path)


def open_extract(path: Path, name: str | None = None) -> OpenedFile:
    """The file's SHA-256 and its text cells, parsed already where the file is small enough to hold. The digest
    is taken in a thread of its own (hashlib lets go of the GIL) while the file is decoded. `name`: what problems
    and the load log call the file (default its path; an upload saved in a scratch folder: the name it was sent
    with)."""
    name = name or str(path)
    with ThreadPoolExecutor(1, thread_name_prefix="sha256") as hasher:
        digest = hasher.submit(file_sha256, path)
        try:
            extract = read_extract(path)
        except ExtractError as exc:
            exc.file = name
            return OpenedFile(path, digest.result(), None, exc, name)
        extract.file = name
        try:
            extract.read_ahead()
            return OpenedFile(path, digest.result(), extract, name=name)
        except BaseException:
            extract.close()
            raise
