"""Where things are: the project's root folder (the tests run the CLI and the dashboard from it)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
