"""Metric definitions (口径) for hover help, taken from the analytics functions' docstrings."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable

from ui import i18n
from ui.kouji_text import MEANINGS


def _escape(text: str) -> str:
    """Help text is Markdown: keep column names such as churn_rate and *_low literal."""
    return re.sub(r"([_*`\[\]])", r"\\\1", text)


def definition(function: Callable, term: str | None = None) -> str:
    """The 口径 paragraph of `function`'s docstring (up to "Returns"), or the clause of it that defines `term`
    (docs/metrics.md is made of these)."""
    doc = " ".join(inspect.getdoc(function).split())
    text = doc.split("口径", 1)[1].lstrip(" :：") if "口径" in doc else doc
    text = re.split(r"\bReturns\b", text)[0].strip()
    if term:
        clauses = [c.strip() for c in re.split(r";\s+|\.\s+", text)]
        picked = [c for c in clauses if re.search(rf"\b{re.escape(term)}\b", c)]
        if picked:
            text = "; ".join(picked)
    return f"**口径** · {_escape(text)}"


def meaning(function: Callable, term: str | None = None) -> str:
    """The 口径 of `function` (or of its `term`) as a banker reads it, in the chosen language (ui.kouji_text);
    for a function without one there, its docstring's 口径 (definition)."""
    text = MEANINGS.get((function.__name__, term)) or (MEANINGS.get((function.__name__, None)) if not term else None)
    if text is None:
        return definition(function, term)
    return f"**{i18n.t('definition')}** · {_escape(text[i18n.LANGS.index(i18n.lang())])}"
