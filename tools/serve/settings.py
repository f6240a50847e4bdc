"""What the served stack is: the proxy's port and host names, TLS, how many Streamlit processes on which ports,
the run folder, and the checks that refuse a configuration st.login could not work with behind the proxy."""

from __future__ import annotations

import os
import secrets
import stat
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from analytics.core.config import PROJECT_ROOT

DEFAULT_NAMES = ("localhost", "127.0.0.1")


def cores() -> int:
    """The cores this process may run on (a container's or taskset's limit, not the machine's)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


@dataclass(frozen=True)
class Settings:
    port: int = 8500  # nginx
    first_port: int = 8601  # Streamlit processes: first_port, first_port + 1, ...
    processes: int = field(default_factory=cores)
    server_names: tuple[str, ...] = DEFAULT_NAMES
    run: Path = Path(tempfile.gettempdir()) / "bank-dashboard-serve"
    db: Path | None = None  # BANK_DB for the processes; None: theirs (BANK_DB, else data/bank.duckdb)
    secrets: Path | None = None  # st.login's [auth]; None: .streamlit/secrets.toml beside app.py
    tls_cert: Path | None = None
    tls_key: Path | None = None
    hsts_seconds: int = 31_536_000
    health_every: float = 5.0  # seconds between health checks of each process
    nginx: str = "nginx"

    @property
    def tls(self) -> bool:
        return self.tls_cert is not None

    @property
    def scheme(self) -> str:
        return "https" if self.tls else "http"

    @property
    def ports(self) -> list[int]:
        return [self.first_port + n for n in range(self.processes)]

    def origin(self, name: str) -> str:
        default = 443 if self.tls else 80
        return f"{self.scheme}://{name}" + ("" if self.port == default else f":{self.port}")

    def origins(self) -> set[str]:
        """The origins a browser may use: scheme://name[:port] for every server name."""
        return {self.origin(name) for name in self.server_names}

    @property
    def url(self) -> str:
        """The dashboard's address under its first server name."""
        return self.origin(self.server_names[0]) + "/"

    def secrets_file(self) -> Path:
        return self.secrets or PROJECT_ROOT / ".streamlit" / "secrets.toml"


def check(settings: Settings) -> list[str]:
    """What is wrong with `settings` for a served stack (empty when nothing is)."""
    problems = []
    if not 1 <= settings.processes <= 64:
        problems.append(f"--processes {settings.processes}: 1..64")
    if settings.port in settings.ports:
        problems.append(f"--port {settings.port} is also a Streamlit process's port")
    if (settings.tls_cert is None) != (settings.tls_key is None):
        problems.append("--tls-cert and --tls-key go together")
    for name in settings.server_names:
        if not name or any(c in name for c in " ;:{}\"'\\$") or name.startswith("~"):
            problems.append(f"--server-name {name!r}: a host name or IPv4 address (no port, regex or quotes)")
    problems += check_redirect_uri(settings)
    return problems


def check_redirect_uri(settings: Settings) -> list[str]:
    """st.login sends the identity provider `[auth] redirect_uri` as it is: behind the proxy it must be the
    proxy's public URL (one of the origins), not a Streamlit process's port (`{port}` would be each process's own).
    """
    path = settings.secrets_file()
    try:
        auth = tomllib.loads(path.read_text(encoding="utf-8")).get("auth")
    except FileNotFoundError:
        return []
    except (OSError, tomllib.TOMLDecodeError) as error:
        return [f"{path}: {error}"]
    if not isinstance(auth, dict) or not auth:
        return []
    uri = str(auth.get("redirect_uri", ""))
    if "{port}" in uri:
        return [f"{path}: [auth] redirect_uri {uri!r} uses {{port}}: behind nginx write the public URL"]
    parts = urlsplit(uri)
    origin = f"{parts.scheme}://{parts.netloc}"
    if parts.path != "/oauth2callback" or origin not in settings.origins():
        wanted = " or ".join(sorted(f"{o}/oauth2callback" for o in settings.origins()))
        return [f"{path}: [auth] redirect_uri {uri!r}: behind nginx it must be {wanted}"]
    if not auth.get("cookie_secret"):
        return [f"{path}: [auth] needs a cookie_secret (the same for every process)"]
    return []


def private_folder(path: Path) -> Path:
    """`path` as a folder only its owner may enter (made 0700 when missing); refused when it is a symlink or
    belongs to someone else (a name under /tmp that another user made first)."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid():
        raise SystemExit(f"{path}: not a folder of this user's own; name another with --run")
    os.chmod(path, 0o700)
    return path


def cookie_secret(run: Path) -> str:
    """The secret every process signs its cookies with (XSRF; st.login's own when [auth] has none):
    $STREAMLIT_SERVER_COOKIE_SECRET, else one kept in the run folder (0600), made on the first start."""
    given = os.environ.get("STREAMLIT_SERVER_COOKIE_SECRET")
    if given:
        return given
    path = run / "cookie_secret"
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    value = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(value)
    return value
