"""A page's unexpected error: the user sees a reference and no details; the server's log has the reference, the
page, the exception's type, its message with quoted values and long digit runs masked, and the file, line and
function of each frame.

app.py runs the page inside `reported(name)`; st.stop() and st.rerun() pass through (they are not errors). Only where
client.showErrorDetails is "none" (the served configuration) does the user see the reference instead of the error.
With client.showErrorDetails = "none" (the served configuration, tools/serve) an error outside it still shows
Streamlit's own generic message, never a traceback.
"""

from __future__ import annotations

import logging
import re
import secrets
import traceback
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from ui import i18n

_log = logging.getLogger(__name__)
if not _log.handlers:  # Streamlit configures its own loggers only; this one writes to the process's stderr too
    _handler = logging.StreamHandler()
    _handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    _log.addHandler(_handler)
    _log.setLevel(logging.INFO)

MESSAGE = (
    "页面出错，已记录。请将编号 {reference} 告知系统管理员。",
    "Something went wrong on this page; it has been logged. Give your administrator the reference {reference}.",
)
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
_DIGITS = re.compile(r"\d{6,}")  # ID numbers, phones, account numbers


def mask_message(text: str) -> str:
    """An exception's message fit for the log: every quoted literal and every run of 6+ digits replaced, so that
    a value from the data (a name in a conversion error, an ID number) never reaches it."""
    return _DIGITS.sub("######", _QUOTED.sub("'…'", text))


def new_reference() -> str:
    return secrets.token_hex(4).upper()


def log_error(error: BaseException, page: str) -> str:
    """Log `error` (type, masked message, stack) under a new reference; return the reference."""
    reference = new_reference()
    # where, not what: file, line and function of each frame, no source text and no local values
    stack = "\n".join(f"  {f.filename}:{f.lineno} in {f.name}" for f in traceback.extract_tb(error.__traceback__))
    _log.error(
        "error %s on page %s: %s: %s\n%s",
        reference,
        page,
        type(error).__name__,
        mask_message(str(error)),
        stack,
    )
    return reference


@contextmanager
def reported(page: str) -> Iterator[None]:
    """Run a page: an exception is logged with a reference and the page shows only that reference."""
    try:
        yield
    except Exception as error:  # noqa: BLE001 - every error of a page; st.stop/st.rerun are BaseException
        reference = log_error(error, page)
        if st.get_option("client.showErrorDetails") not in ("none", False):
            raise  # make run and the tests: Streamlit shows the error as it is
        st.error(MESSAGE[i18n.LANGS.index(i18n.lang())].format(reference=reference), icon=":material/error:")
