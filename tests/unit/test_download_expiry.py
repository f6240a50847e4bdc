"""A built download's /media URL stops serving shortly after the click (ui.download_guard.expire_later), without
taking away a file built during the gap before the browser fetched it."""

from __future__ import annotations

import time

import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.media_file_storage import MediaFileStorageError
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

from ui.download_guard import expire_later


def built(manager: MediaFileManager, content: bytes) -> str:
    """A deferred download built as Streamlit builds it on a click; its URL's file name."""
    placeholder = manager.add_deferred(lambda: content, "application/octet-stream", "coords", "list.xlsx")
    return manager.execute_deferred(placeholder).rsplit("/", 1)[1]


def test_expire_later_drops_the_built_file_and_keeps_one_built_in_the_gap():
    storage = MemoryMediaFileStorage("/media")
    manager = MediaFileManager(storage)
    first = built(manager, b"customers of branch 1")
    assert storage.get_file(first).content == b"customers of branch 1"  # served to whoever has the URL
    expire_later(manager, after=0.2, gap=0.4)
    time.sleep(0.4)  # after the first sweep, before the second
    second = built(manager, b"customers of branch 2")
    time.sleep(0.5)  # after the second sweep
    with pytest.raises(MediaFileStorageError):
        storage.get_file(first)
    assert storage.get_file(second).content == b"customers of branch 2"  # only marked: its fetch still works
