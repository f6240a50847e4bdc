"""A page's error: a reference for the user, the details in the server's log with the data masked."""

from __future__ import annotations

import logging
import re

import streamlit as st
from streamlit.testing.v1 import AppTest

from ui.errors import mask_message


def _failing_page() -> None:
    import streamlit as st

    from ui.errors import reported

    with reported("tiers"):
        st.write("before")
        raise ValueError("Could not convert string '张三' to INT64 for 110101199003078888")


def _stopping_page() -> None:
    import streamlit as st

    from ui.errors import reported

    with reported("tiers"):
        st.write("shown")
        st.stop()
    st.write("never")


def test_mask_message_hides_quoted_values_and_long_numbers():
    # the quoted name and the 18-digit ID number go; the short number 64 and the error's words stay
    text = "Could not convert string '张三' to INT64 for 110101199003078888"
    assert mask_message(text) == "Could not convert string '…' to INT64 for ######"


def test_reported_shows_a_reference_and_logs_it_with_the_details_masked(caplog):
    caplog.set_level(logging.ERROR, logger="ui.errors")
    at = AppTest.from_function(_failing_page)
    before = st.get_option("client.showErrorDetails")
    st.set_option("client.showErrorDetails", "none")  # the served configuration (tools/serve)
    try:
        at.run()
    finally:
        st.set_option("client.showErrorDetails", before)
    assert not at.exception  # the page's error is no exception element
    (shown,) = at.error
    reference = re.search(r"编号 ([0-9A-F]{8}) ", shown.value)
    assert reference, shown.value
    assert "ValueError" not in shown.value and "张三" not in shown.value and ".py" not in shown.value
    (record,) = [r for r in caplog.records if r.name == "ui.errors"]
    logged = record.getMessage()
    assert f"error {reference[1]} on page tiers: ValueError: Could not convert string '…'" in logged
    assert "张三" not in logged and "110101199003078888" not in logged
    assert "_failing_page" in logged  # the stack: where it was raised


def test_reported_shows_the_error_itself_where_error_details_are_on(caplog):
    caplog.set_level(logging.ERROR, logger="ui.errors")
    at = AppTest.from_function(_failing_page).run()  # make run and the tests: the error as it is, and logged
    assert at.exception and [r for r in caplog.records if r.name == "ui.errors"]


def test_reported_lets_st_stop_through(caplog):
    at = AppTest.from_function(_stopping_page).run()
    assert [m.value for m in at.markdown] == ["shown"]
    assert not at.error and not [r for r in caplog.records if r.name == "ui.errors"]
