"""The served stack (python -m tools.serve, make serve): real nginx on a free port in front of 2 Streamlit processes
on the test demo bank with the users file, in Debian's chromium.

Checked: the security headers and the policy (no CSP violation in the browser on any page), /_stcore/metrics
closed at nginx (while the process itself serves it), other Host names refused, uploads larger than nginx's
default limit reach Streamlit; two browsers pinned to different processes both sign in and work; after
`python -m analytics load` of a new month (2026-10-31) both live sessions show it without a restart. With TLS
(a self-signed certificate): HSTS, a Secure route cookie, and st.login through the proxy against the test OpenID
provider (tests/helpers/oidc_provider.py). Also the configuration's rules without starting anything: HSTS only
with TLS, st.login's redirect URI behind the proxy.
"""

from __future__ import annotations

import http.client
import os
import re
import ssl
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest

from tests.helpers.oidc_provider import Provider
from tests.helpers.paths import ROOT
from tests.helpers.security import PASSWORD, events, write_users
from tests.slow.test_browser import ARGS, CHROMIUM
from tools.demo_bank.simulate import generate_extracts
from tools.load_test.server import free_ports
from tools.serve import nginx
from tools.serve.settings import Settings, check
from tools.serve.stack import Stack
from ui.labels import TEXT
from ui.navigation import HQ_PAGES
from ui.navigation import PAGES as NAV_PAGES

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
# every page of the navigation, by the name the sidebar shows (its heading contains it), in zh-CN
PAGES = [(url, TEXT[key][0]) for _script, key, _icon, url in NAV_PAGES + HQ_PAGES]
# every CSP violation the page reports, collected before any script of the page runs
WATCH_CSP = (
    "window.__csp = [];"
    "document.addEventListener('securitypolicyviolation',"
    " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
)


@pytest.fixture(scope="module")
def nginx_installed() -> None:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is missing: run tools/ensure_browser.sh (make browser; make test does)")
    installed = subprocess.run(
        ["bash", str(ROOT / "tools" / "serve" / "ensure_nginx.sh")], capture_output=True, text=True, timeout=300
    )
    if installed.returncode != 0:
        pytest.skip(f"nginx could not be installed: {installed.stderr.strip()}")


@contextmanager
def running(settings: Settings, folder: Path) -> Iterator[Stack]:
    """The stack of `settings` with the test users file, a fresh audit trail and lockouts; stopped after."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("BANK_USERS", str(write_users(folder / "users.toml")))
        env.setenv("BANK_AUDIT", str(folder / "audit.jsonl"))
        env.setenv("BANK_SIGNIN_STATE", str(folder / "signin"))
        served = Stack(settings, say=lambda _text: None)
        served.audit = folder / "audit.jsonl"
        served.start(timeout=60)
        try:
            yield served
        finally:
            served.stop()
    assert served.nginx.poll() is not None and all(not p.alive() for p in served.processes)


@pytest.fixture(scope="module")
def stack(nginx_installed, demo_copy, tmp_path_factory):
    folder = tmp_path_factory.mktemp("serve")
    settings = Settings(
        port=free_ports(1), first_port=free_ports(2), processes=2, run=folder / "run", db=demo_copy("serve")
    )
    with running(settings, folder) as served:
        yield served


@pytest.fixture(scope="module")
def tls_stack(nginx_installed, demo_copy, tmp_path_factory):
    """One process behind nginx with TLS (a self-signed certificate for localhost) and st.login configured
    against the test OpenID provider, its redirect URI the proxy's public https URL."""
    folder = tmp_path_factory.mktemp("serve-tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    port = free_ports(1)
    with Provider("dashboard", "client-secret") as provider:
        secrets = folder / "secrets.toml"
        secrets.write_text(
            "[auth]\n"
            f'redirect_uri = "https://localhost:{port}/oauth2callback"\n'
            f'cookie_secret = "{"c" * 40}"\n'
            'client_id = "dashboard"\n'
            'client_secret = "client-secret"\n'
            f'server_metadata_url = "{provider.metadata_url}"\n',
            encoding="utf-8",
        )
        settings = Settings(
            port=port,
            first_port=free_ports(1),
            processes=1,
            server_names=("localhost",),
            run=folder / "run",
            db=demo_copy("serve-tls"),
            secrets=secrets,
            tls_cert=cert,
            tls_key=key,
        )
        assert check(settings) == []
        with running(settings, folder) as served:
            yield served, provider


def get(url: str, headers: dict | None = None) -> tuple[int, http.client.HTTPMessage, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def upstream_of(stack: Stack, route: str) -> str:
    """The process nginx sends a browser with the route cookie `route` to (read back from nginx's access log)."""
    log = stack.settings.run / "nginx-access.log"
    get(f"{stack.url}_stcore/health?{route}", {"Cookie": f"dashboard_route={route}"})
    for _ in range(50):  # nginx writes the line after the answer
        lines = [line for line in log.read_text().splitlines() if '"GET /_stcore/health"' in line]
        if lines and len(lines) >= upstream_of.count + 1:
            upstream_of.count = len(lines)
            return lines[-1].rsplit("upstream=", 1)[1]
        subprocess.run(["sleep", "0.05"], check=True)
    raise AssertionError("no access log line")


upstream_of.count = 0  # health lines already read


def test_served_headers_close_metrics_and_refuse_other_hosts(stack):
    status, headers, body = get(stack.url)
    assert status == 200 and b'<div id="root">' in body
    csp = dict(part.strip().split(" ", 1) for part in headers["Content-Security-Policy"].split(";"))
    assert csp["frame-ancestors"] == "'none'" and csp["object-src"] == "'none'"
    assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
    assert f"ws://localhost:{stack.settings.port}" in csp["connect-src"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in headers  # no TLS here
    assert headers["Server"] == "nginx"  # no version
    assert re.fullmatch(r"dashboard_route=[0-9a-f]{32}; Path=/; HttpOnly; SameSite=Lax", headers["Set-Cookie"])

    assert get(f"{stack.url}_stcore/metrics")[0] == 404
    assert get(f"{stack.url}_stcore/metrics/")[0] != 200
    direct = f"http://127.0.0.1:{stack.settings.ports[0]}/_stcore/metrics"
    assert get(direct)[0] == 200  # the process serves it: nginx is what closes it
    assert get(f"{stack.url}_stcore/health")[:3:2] == (200, b"ok")

    for host in ("evil.example", f"127.0.0.2:{stack.settings.port}"):
        with pytest.raises((http.client.RemoteDisconnected, ConnectionResetError)):
            get(f"http://127.0.0.1:{stack.settings.port}/", {"Host": host})

    # 2 MB (over nginx's default 1 MB body limit) reaches Streamlit, which refuses it for want of an XSRF token
    upload = urllib.request.Request(f"{stack.url}_stcore/upload_file/session/file", data=b"x" * 2_000_000, method="PUT")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(upload, timeout=10)
    assert refused.value.code != 413 and refused.value.headers["Server"] == "nginx"


def sign_in(page, url: str) -> None:
    page.goto(url)
    page.get_by_label("用户名").fill("boss")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    signed_in(page, "boss（总行）")


def signed_in(page, who: str) -> None:
    """Wait until the sidebar says who is signed in and the run (of whichever page a role lands on) is over."""
    page.get_by_test_id("stSidebar").get_by_text(f"已登录：{who}").wait_for(timeout=30_000)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30_000)


def settle(page, title: str) -> None:
    """Wait until a heading containing `title` is shown and the script run has finished."""
    page.get_by_role("heading", name=re.compile(re.escape(title))).first.wait_for(timeout=30_000)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30_000)


def open_page(page, title: str) -> None:
    """A click in the sidebar's navigation: a rerun in the same session (same websocket, same process)."""
    page.get_by_test_id("stSidebarNav").get_by_text(title, exact=True).click()
    settle(page, title)
    page.wait_for_timeout(300)  # charts draw after the run


def quarter_picker(page):
    return page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").filter(has_text="考核季度")


def quarters_offered(page) -> list[str]:
    quarter_picker(page).click()
    offered = page.get_by_role("option").all_inner_texts()
    page.keyboard.press("Escape")
    return offered


def pick_quarter(page, quarter: str) -> None:
    quarter_picker(page).click()
    page.get_by_role("option", name=quarter, exact=True).click()
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30_000)
    page.get_by_test_id("stSidebar").get_by_text(re.compile(rf"^数据截至.*{quarter}")).wait_for(timeout=30_000)


def as_of(page) -> str:
    return page.get_by_test_id("stSidebar").get_by_text(re.compile(r"^数据截至")).inner_text()


def test_two_processes_serve_their_sessions_and_both_see_a_new_month(stack, tmp_path):
    from playwright.sync_api import sync_playwright

    routes: dict[str, str] = {}  # upstream -> a route cookie that leads there
    for n in range(40):
        routes.setdefault(upstream_of(stack, f"probe{n:02d}"), f"probe{n:02d}")
        if len(routes) == 2:
            break
    assert sorted(routes) == [f"127.0.0.1:{port}" for port in stack.settings.ports]

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            pages = []
            for _upstream, route in sorted(routes.items()):
                context = browser.new_context(viewport={"width": 1440, "height": 1200})
                context.add_cookies([{"name": "dashboard_route", "value": route, "url": stack.url}])
                page = context.new_page()
                page.add_init_script(WATCH_CSP)
                page.errors = []
                page.on("pageerror", lambda error, errors=page.errors: errors.append(str(error)))
                sign_in(page, stack.url)
                pages.append(page)
            first, second = pages
            for url, title in PAGES[1:] + PAGES[:1]:
                open_page(first, title)
                assert first.url.rstrip("/").endswith("" if url == "overview" else url), (first.url, url)
                assert first.locator('[data-testid="stException"]').count() == 0, title
                assert first.evaluate("window.__csp") == [], title
            first.goto(stack.url + "tiers")  # a deep link: a new session, so the sign-in form again
            sign_in(first, stack.url)
            assert first.evaluate("window.__csp") == [] and not first.errors
            for page in pages:
                assert as_of(page).startswith("数据截至 2026-09-30"), as_of(page)

            new_month = generate_extracts(tmp_path, customers=3000, months=1, end=date(2026, 10, 31))
            loaded = subprocess.run(
                [sys.executable, "-m", "analytics", "load", "--db", str(stack.settings.db), str(new_month[0])],
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=60,
                env=os.environ | {"BANK_AUDIT": str(tmp_path / "cli-audit.jsonl")},
            )
            assert loaded.returncode == 0, loaded.stdout + loaded.stderr
            for page in pages:  # each live session's next run reads the new generation: no restart
                open_page(page, TEXT["page.tiers"][0])
                assert "2026Q4" in quarters_offered(page)  # the picker keeps the chosen quarter, offers the new one
                pick_quarter(page, "2026Q4")
                assert as_of(page).startswith("数据截至 2026-10-31（2026Q4"), as_of(page)
                assert page.evaluate("window.__csp") == []
        finally:
            browser.close()

    streams = [
        line for line in (stack.settings.run / "nginx-access.log").read_text().splitlines() if "/_stcore/stream" in line
    ]
    assert {line.rsplit("upstream=", 1)[1] for line in streams} == set(routes)
    assert all(p.restarts == 0 for p in stack.processes)
    # the sign-ins came through nginx: the address is the one nginx put in X-Forwarded-For (this machine)
    sign_ins = [e for e in events(stack.audit, "sign_in") if e.get("user") == "boss"]
    assert [(e["details"]["method"], e["details"]["source"]) for e in sign_ins] == [("password", "127.0.0.1")] * 3


def test_tls_sends_hsts_and_st_login_signs_in_through_the_proxy(tls_stack):
    from playwright.sync_api import sync_playwright

    stack, provider = tls_stack
    assert stack.url == f"https://localhost:{stack.settings.port}/"
    unverified = ssl.create_default_context(cafile=str(stack.settings.tls_cert))
    with urllib.request.urlopen(stack.url, timeout=10, context=unverified) as answer:
        headers = answer.headers
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert headers["Set-Cookie"].endswith("; HttpOnly; SameSite=Lax; Secure")
    assert f"connect-src 'self' wss://localhost:{stack.settings.port};" in headers["Content-Security-Policy"]

    provider.identity = {"email": "east@bank.example", "email_verified": True, "name": "Wang Li", "sub": "east-1"}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_context(ignore_https_errors=True).new_page()
            page.add_init_script(WATCH_CSP)
            page.goto(stack.url)
            page.get_by_role("button", name="统一身份认证登录").click(timeout=30_000)
            # to the provider and back to the proxy's /oauth2callback, then the dashboard
            page.wait_for_url(f"{stack.url}**", timeout=30_000)
            signed_in(page, "east（分行）")
            assert page.evaluate("window.__csp") == []
        finally:
            browser.close()
    (signed,) = events(stack.audit, "sign_in")
    assert (signed["user"], signed["details"]["method"]) == ("east", "oidc")
    (bound,) = events(stack.audit, "oidc_bound")  # the first sign-in bound the entry to the provider's account
    assert bound["details"] == {"issuer": provider.issuer, "subject": "east-1"}


def test_render_sends_hsts_only_with_tls(tmp_path):
    plain = nginx.render(Settings(run=tmp_path, processes=2))
    assert "add_header Strict-Transport-Security" not in plain
    assert "listen 8500;" in plain and "ssl_certificate" not in plain
    secure = nginx.render(Settings(run=tmp_path, processes=2, tls_cert=tmp_path / "c.pem", tls_key=tmp_path / "k.pem"))
    assert 'add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always;' in secure
    assert "listen 8500 ssl;" in secure and "ssl_reject_handshake on;" in secure
    assert "SameSite=Lax; Secure" in secure and "connect-src 'self' wss://$http_host;" in secure
    assert "server 127.0.0.1:8601 max_fails=3" in secure and "server 127.0.0.1:8602 max_fails=3" in secure


def test_check_refuses_a_redirect_uri_that_bypasses_the_proxy(tmp_path):
    secrets = tmp_path / "secrets.toml"

    def problems(uri: str, **auth: str) -> list[str]:
        lines = [f'redirect_uri = "{uri}"', *(f'{k} = "{v}"' for k, v in {"cookie_secret": "s" * 40, **auth}.items())]
        secrets.write_text("[auth]\n" + "\n".join(lines) + "\n", encoding="utf-8")
        settings = Settings(run=tmp_path, processes=2, secrets=secrets, server_names=("tier.bank.example",))
        return check(settings)

    assert problems("http://tier.bank.example:8500/oauth2callback") == []
    assert "{port}" in problems("http://tier.bank.example:{port}/oauth2callback")[0]  # each process's own port
    assert "must be" in problems("http://tier.bank.example:8601/oauth2callback")[0]
    assert "must be" in problems("http://localhost:8500/oauth2callback")[0]  # not a server name
    assert "must be" in problems("http://tier.bank.example:8500/callback")[0]
    assert "cookie_secret" in problems("http://tier.bank.example:8500/oauth2callback", cookie_secret="")[0]
