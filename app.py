"""Entry point: navigation over the pages; run with `make run` (streamlit run app.py)."""
from __future__ import annotations

import streamlit as st

st.set_page_config(page_title="客户分层分析 Tier analytics", page_icon="🏦", layout="wide")
pages = [st.Page("pages/home.py", title="总览 Overview", icon="🏠", default=True)]
st.navigation(pages).run()
