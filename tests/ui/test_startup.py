"""The server's start (serve.py, ui/startup.py): every page's address answered with Streamlit's index.html naming
the server's root as its base URL, and nginx's content security policy allowing that inline script."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import re

from tools.serve.nginx import inline_script_hashes
from ui.navigation import HQ_PAGES, PAGES
from ui.startup import BASE_URL_SCRIPT, page_routes


def _answer(path: str):
    route = next(r for r in page_routes() if r.path == path)
    return asyncio.run(route.endpoint(None))


def test_every_page_address_is_answered_with_the_base_url_before_streamlits_own_script():
    paths = {route.path for route in page_routes()}
    assert paths == {"/", "/landing"} | {f"/{url}" for *_, url in PAGES + HQ_PAGES}
    assert not any(path.startswith(("/_stcore", "/static", "/media")) for path in paths)  # Streamlit's own stay its
    for path in paths:
        response = _answer(path)
        html = response.body.decode()
        assert response.status_code == 200, path
        assert html.index(BASE_URL_SCRIPT) < html.index('<script type="module"'), path
        assert response.headers["cache-control"] == "no-cache"


def test_the_content_security_policy_allows_each_inline_script_of_the_page():
    html = _answer("/tiers").body.decode()
    bodies = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", html, flags=re.S)
    assert BASE_URL_SCRIPT in bodies and len(bodies) >= 2
    ours = "'sha256-" + base64.b64encode(hashlib.sha256(BASE_URL_SCRIPT.encode()).digest()).decode() + "'"
    assert ours in inline_script_hashes()
    assert len(inline_script_hashes()) == len(bodies)
