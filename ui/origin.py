"""Where a request came from: the demo mode (no sign-in) serves only requests to and from this machine."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

import streamlit as st
from streamlit import config


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    name = host.strip().strip("[]").rstrip(".").lower()
    if name == "localhost":
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    return (getattr(address, "ipv4_mapped", None) or address).is_loopback  # ::ffff:127.0.0.1 on a dual stack


def host_of(value: str) -> str:
    """The host of a Host header or URL authority: localhost:8501 -> localhost, [::1]:8501 -> ::1."""
    value = value.strip()
    if value.count(":") > 1 and not value.startswith("["):  # a bare IPv6 address
        return value
    return urlsplit(f"//{value}").hostname or ""


def served_locally() -> bool:
    """Whether this request came to localhost, 127.0.0.1 or ::1 and the server listens there only.

    Refused: server.address set to anything else; a Host, X-Forwarded-Host, URL or client address elsewhere;
    a proxy's X-Forwarded-For / X-Real-IP naming another machine. A run without a browser (AppTest, bare
    mode) has none of these and counts as local.
    """
    address = config.get_option("server.address")
    if address and not is_loopback(address):
        return False
    headers = st.context.headers
    hosts = [host_of(h) for h in (headers.get("Host"), headers.get("X-Forwarded-Host")) if h]
    url = st.context.url
    if url:
        hosts.append(urlsplit(url).hostname or "")
    clients = [
        c.strip() for h in ("X-Forwarded-For", "X-Real-IP") for c in (headers.get(h) or "").split(",") if c.strip()
    ]
    ip = st.context.ip_address  # None for a loopback client
    if isinstance(ip, str) and ip:
        clients.append(ip)
    return all(is_loopback(h) for h in hosts) and all(is_loopback(c) for c in clients)
