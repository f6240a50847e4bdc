"""st.login against a real OpenID provider on localhost (tests/helpers/oidc_provider.py), in Debian's chromium: the
first sign-in binds the users-file entry to the provider's issuer + sub; a second account at the provider with the
same email but another sub is refused."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from analytics.access.users import load_users
from tests.helpers.oidc_provider import Provider
from tests.helpers.paths import ROOT
from tests.helpers.security import write_users
from tests.slow.test_browser import ARGS, CHROMIUM
from tools.load_test.server import free_port, stop_server, wait_healthy

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
EAST = {"email": "east@bank.example", "email_verified": True, "name": "Wang Li"}


@pytest.fixture(scope="module")
def provider():
    with Provider("dashboard", "client-secret") as running:
        yield running


@pytest.fixture(scope="module")
def dashboard(provider, demo_copy, tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is missing: run tools/ensure_browser.sh")
    folder = tmp_path_factory.mktemp("oidc")
    users = write_users(folder / "users.toml")
    port = free_port()
    secrets = folder / "secrets.toml"
    secrets.write_text(
        "[auth]\n"
        f'redirect_uri = "http://localhost:{port}/oauth2callback"\n'
        f'cookie_secret = "{"c" * 40}"\n'
        'client_id = "dashboard"\n'
        'client_secret = "client-secret"\n'
        f'server_metadata_url = "{provider.metadata_url}"\n',
        encoding="utf-8",
    )
    env = os.environ | {
        "BANK_DB": str(demo_copy("oidc")),
        "BANK_USERS": str(users),
        "BANK_AUDIT": str(folder / "audit.jsonl"),
        "BANK_SIGNIN_STATE": str(folder / "signin"),
    }
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true"]
    command += ["--server.port", str(port), "--server.address", "127.0.0.1", "--secrets.files", str(secrets)]
    command += ["--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        wait_healthy(process, port, timeout=60)
        yield f"http://localhost:{port}", users
    finally:
        stop_server(process)


def sign_in_through_the_provider(url: str) -> str:
    """Open the dashboard in a fresh browser (no cookies), click single sign-on; the text of the page after."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page()
            page.goto(url)
            page.get_by_role("button", name="统一身份认证登录").click(timeout=30_000)
            page.wait_for_url(f"{url}/**", timeout=30_000)
            page.wait_for_selector("text=/已登录|已绑定另一个|未在用户文件/", timeout=60_000)
            return page.inner_text("body")
        finally:
            browser.close()


def test_oidc_sign_in_binds_the_entry_and_refuses_another_sub_with_the_same_email(provider, dashboard):
    url, users = dashboard
    provider.identity = {**EAST, "sub": "11111111-first-account"}
    assert "已登录：east（分行）" in sign_in_through_the_provider(url)
    account = load_users(users)["east"]
    assert (account.oidc_issuer, account.oidc_subject) == (provider.issuer, "11111111-first-account")
    provider.identity = {**EAST, "sub": "22222222-second-account"}  # re-created at the provider, same email
    text = sign_in_through_the_provider(url)
    assert "已绑定另一个统一身份认证账户" in text and "已登录" not in text
    provider.identity = {**EAST, "email": "renamed@bank.example", "sub": "11111111-first-account"}
    assert "已登录：east（分行）" in sign_in_through_the_provider(url)  # the binding, not the email, decides
