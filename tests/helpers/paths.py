"""Where things are: the project's root folder (the tests run the CLI and the dashboard from it)."""

from __future__ import annotations

from analytics.core.config import PROJECT_ROOT as ROOT

__all__ = ["ROOT"]
