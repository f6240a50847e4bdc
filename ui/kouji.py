"""Metric definitions (口径) for hover help, taken from the analytics functions' docstrings."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable


def _escape(text: str) -> str:
    """Help text is Markdown: keep column names such as churn_rate and *_low literal."""
    return re.sub(r"([_*`\[\]])", r"\\\1", text)


def definition(function: Callable, term: str | None = None) -> str:
    """The 口径 paragraph of `function`'s docstring (up to "Returns"), or the clause of it that defines `term`."""
    doc = " ".join(inspect.getdoc(function).split())
    text = doc.split("口径", 1)[1].lstrip(" :：") if "口径" in doc else doc
    text = re.split(r"\bReturns\b", text)[0].strip()
    if term:
        clauses = [c.strip() for c in re.split(r";\s+|\.\s+", text)]
        picked = [c for c in clauses if re.search(rf"\b{re.escape(term)}\b", c)]
        if picked:
            text = "; ".join(picked)
    return f"**口径** · {_escape(text)}"
