"""nginx in front of the Streamlit processes: deploy/nginx.conf.template filled in and written to the run folder,
checked with `nginx -t`, run in the foreground under the launcher, reloaded when a process is taken out of or
back into the rotation, stopped gracefully."""

from __future__ import annotations

import base64
import hashlib
import os
import pwd
import re
import shutil
import signal
import subprocess
import tomllib
from pathlib import Path

from analytics.core.config import PROJECT_ROOT
from tools.serve.processes import die_with_parent
from tools.serve.settings import Settings
from ui.startup import page_html

TEMPLATE = PROJECT_ROOT / "deploy" / "nginx.conf.template"
WORKER_USER = "www-data"  # Debian's nginx user, when the launcher runs as root
SYSTEM_TEMP = Path("/var/lib/nginx")
STREAMLIT_CONFIG = PROJECT_ROOT / ".streamlit" / "config.toml"
TEMP_KINDS = ("body", "proxy", "fastcgi", "uwsgi", "scgi")
DEFAULT_UPLOAD_MB = 200  # Streamlit's default server.maxUploadSize


def inline_script_hashes() -> list[str]:
    """CSP sources for the inline scripts of the pages' HTML ('sha256-...'): Streamlit's index.html as the
    server answers it (ui.startup.page_html), read from the installed Streamlit so that an upgrade that changes
    them changes the policy too."""
    html = page_html()
    bodies = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", html, flags=re.S)
    return [f"'sha256-{base64.b64encode(hashlib.sha256(b.encode()).digest()).decode()}'" for b in bodies]


def content_security_policy(settings: Settings) -> str:
    sockets = "wss://$http_host" if settings.tls else "ws://$http_host wss://$http_host"
    directives = [
        "default-src 'self'",
        # protobuf's long.js compiles a tiny WebAssembly module (64-bit multiply): 'wasm-unsafe-eval' allows
        # WebAssembly only, not eval() of JavaScript
        f"script-src 'self' 'wasm-unsafe-eval' {' '.join(inline_script_hashes())}".rstrip(),
        "style-src 'self' 'unsafe-inline'",  # emotion (Streamlit's styling) injects style elements
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        f"connect-src 'self' {sockets}",
        "worker-src 'self' blob:",
        "media-src 'self' data: blob:",
        "frame-src 'none'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
    return "; ".join(directives)


def temp_folder(settings: Settings) -> Path:
    """Where nginx's workers buffer request bodies and large responses: in the run folder when the launcher runs
    as its own user; as root, under Debian's /var/lib/nginx (the workers run as www-data; the run folder is 0700)."""
    if os.geteuid() != 0:
        return settings.run / "nginx-temp"
    return SYSTEM_TEMP / f"bank-dashboard-{settings.port}"


def make_temp_folders(settings: Settings) -> None:
    root = temp_folder(settings)
    owner = pwd.getpwnam(WORKER_USER) if os.geteuid() == 0 else None
    for folder in (root, *(root / sub for sub in TEMP_KINDS)):
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if owner is not None:
            os.chown(folder, owner.pw_uid, owner.pw_gid)


def render(settings: Settings, down: frozenset[int] = frozenset()) -> str:
    """The nginx configuration of `settings`; the processes on the ports in `down` are out of the rotation."""
    tls = settings.tls
    listen = f"{settings.port} ssl" if tls else str(settings.port)
    upstreams = "\n".join(
        f"        server 127.0.0.1:{port} max_fails=3 fail_timeout=10s{' down' if port in down else ''};"
        for port in settings.ports
    )
    tls_lines = ""
    if tls:
        tls_lines = (
            f"        ssl_certificate {settings.tls_cert};\n"
            f"        ssl_certificate_key {settings.tls_key};\n"
            "        ssl_protocols TLSv1.2 TLSv1.3;\n"
            "        ssl_prefer_server_ciphers off;\n"
            "        ssl_session_cache shared:dashboard:10m;\n"
            "        ssl_session_timeout 1d;\n"
            "        ssl_session_tickets off;"
        )
    values = {
        "user": f"user {WORKER_USER};" if os.geteuid() == 0 else "# user: the launcher's own (not root)",
        "workers": "auto",
        "run": str(settings.run),
        "temp": str(temp_folder(settings)),
        "max_body": f"{max_upload_mb() + 2}m",
        "cookie_secure": "; Secure" if tls else "",
        "upstreams": upstreams,
        "listen": listen,
        "reject_tls": "        ssl_reject_handshake on;" if tls else "",
        "server_names": " ".join(settings.server_names),
        "tls": tls_lines,
        "csp": content_security_policy(settings),
        "hsts": (
            f'        add_header Strict-Transport-Security "max-age={settings.hsts_seconds}; includeSubDomains" always;'
            if tls
            else "        # Strict-Transport-Security: only when TLS is configured (--tls-cert, --tls-key)"
        ),
    }
    text = TEMPLATE.read_text(encoding="utf-8")
    missing = set(re.findall(r"\{\{ (\w+) \}\}", text)) - values.keys()
    if missing:
        raise KeyError(f"{TEMPLATE}: no value for {sorted(missing)}")
    return re.sub(r"\{\{ (\w+) \}\}", lambda m: values[m[1]], text)


def max_upload_mb() -> int:
    """Streamlit's server.maxUploadSize (MB) as the project's .streamlit/config.toml sets it, else its default."""
    try:
        options = tomllib.loads(STREAMLIT_CONFIG.read_text(encoding="utf-8"))
    except FileNotFoundError:
        options = {}
    return int(options.get("server", {}).get("maxUploadSize", DEFAULT_UPLOAD_MB))


def remove_temp_folders(settings: Settings) -> None:
    """What nginx buffered (uploads in flight, large responses): gone once nginx has stopped."""
    shutil.rmtree(temp_folder(settings), ignore_errors=True)


def binary(name: str = "nginx") -> str:
    found = shutil.which(name) or (f"/usr/sbin/{name}" if Path(f"/usr/sbin/{name}").exists() else None)
    if found is None:
        raise FileNotFoundError("nginx is not installed: bash tools/serve/ensure_nginx.sh (make serve does)")
    return found


def write(settings: Settings, down: frozenset[int] = frozenset()) -> Path:
    """Write and check the configuration; raises RuntimeError with nginx's own words when it is refused."""
    make_temp_folders(settings)
    path = settings.run / "nginx.conf"
    candidate = path.with_suffix(".conf.new")
    candidate.write_text(render(settings, down), encoding="utf-8")
    checked = subprocess.run(
        [
            binary(settings.nginx),
            "-t",
            "-q",
            "-p",
            str(settings.run),
            "-e",
            str(settings.run / "nginx-error.log"),
            "-c",
            str(candidate),
        ],
        capture_output=True,
        text=True,
        timeout=30,
    )
    if checked.returncode != 0:
        raise RuntimeError(f"nginx refused {candidate}: {checked.stderr.strip()}")
    os.replace(candidate, path)
    return path


def start(settings: Settings) -> subprocess.Popen:
    path = write(settings)
    with open(settings.run / "nginx-stderr.log", "ab") as log:
        return subprocess.Popen(
            [
                binary(settings.nginx),
                "-p",
                str(settings.run),
                "-e",
                str(settings.run / "nginx-error.log"),
                "-c",
                str(path),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            preexec_fn=die_with_parent,  # noqa: PLW1509 - only prctl, no locks taken
            start_new_session=True,  # the terminal's Ctrl-C reaches the launcher, which stops nginx gracefully
        )


def reload(settings: Settings, process: subprocess.Popen, down: frozenset[int]) -> None:
    """Take the processes on `down` out of the rotation (and the others back in) without dropping connections."""
    write(settings, down)
    process.send_signal(signal.SIGHUP)


def stop(process: subprocess.Popen, timeout: float = 10) -> None:
    """Graceful (SIGQUIT: open requests finish), then fast (SIGTERM), then SIGKILL."""
    for sig in (signal.SIGQUIT, signal.SIGTERM, signal.SIGKILL):
        if process.poll() is not None:
            return
        process.send_signal(sig)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            continue
