"""Entry point (`make run`): sign-in, the global sidebar (language, quarter, own unit) and st.navigation over views/.

Nothing below the sign-in runs for nobody: ui.auth.sign_in() draws the sign-in form (or why nobody may see
anything) and stops. A user whose scope is empty (no mapping, units that match nothing) sees a message, no page.
The Data page (uploads, bank-wide load history) and the Audit page are HQ's only.

The page scripts live in views/, not pages/: Streamlit takes a pages/ folder beside the entry point for its legacy
multipage mode until st.navigation first runs, so the first request after a server start to a deep link
(/tiers) would run the page without this script (no sidebar, no filters), and AppTest re-detects it on every run.
"""

from __future__ import annotations

import streamlit as st

from ui import audit_trail, auth, errors, i18n, sidebar
from ui.navigation import HQ_PAGES, PAGES, navigation
from ui.session import current_scope, sees_nothing

st.set_page_config(page_title=i18n.t("app.title"), page_icon="🏦", layout="wide")  # the tab title in one language
sidebar.language()
# before sign-in, a hidden navigation keeps the requested page and its filters in the URL (none of it runs)
user = auth.sign_in(keep_url=lambda: navigation(PAGES + HQ_PAGES, "hidden", default=None))
if sees_nothing(current_scope()):
    st.error(i18n.t("auth.no_scope"), icon=":material/block:")
    auth.account(user)
    st.stop()
home = "overview" if user.role == "hq" else "workbench"  # managers and branches land on their call list
page = navigation(PAGES + (HQ_PAGES if user.role == "hq" else ()), default=home)
name = page.url_path or home  # the default page's url_path is ""
st.session_state[audit_trail.PAGE_KEY] = name
if name != "explorer":
    audit_trail.forget_reveal()
sidebar.render()
auth.account(user)
audit_trail.page_viewed(name, user)  # before the page: a page's st.stop() ends the script run
with errors.reported(name):
    page.run()
