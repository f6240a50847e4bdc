"""The public bank data the real-data tests read, and the one marker that skips them when it is absent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.helpers.paths import ROOT

# ../shared/realdata beside the repository (CI clones the repository with shared/ beside it), or REALDATA_DIR
REALDATA = Path(os.environ.get("REALDATA_DIR", ROOT.parent / "shared" / "realdata"))
needs_realdata = pytest.mark.skipif(not REALDATA.exists(), reason=f"{REALDATA} is not available (set REALDATA_DIR)")
