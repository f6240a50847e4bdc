"""Where a request came from: the demo mode (no sign-in) serves only requests to and from this machine."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from urllib.parse import urlsplit

import streamlit as st
from streamlit import config

CLIENT_HEADERS = ("X-Forwarded-For", "X-Real-IP")  # comma-separated addresses
HOST_HEADERS = ("Host", "X-Forwarded-Host")


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


def _split_outside_quotes(text: str, separator: str) -> list[str]:
    """`text` split at `separator`, except inside a quoted-string (where a backslash escapes the next character)."""
    parts, current, quoted, escaped = [], [], False, False
    for char in text:
        if escaped:
            escaped = False
        elif quoted and char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == separator and not quoted:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return parts


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        inner, out, escaped = value[1:-1], [], False
        for char in inner:
            if escaped or char != "\\":
                out.append(char)
                escaped = False
            else:
                escaped = True
        return "".join(out)
    return value


def forwarded_elements(values: Sequence[str]) -> list[dict[str, str]]:
    """The elements of RFC 7239 `Forwarded` header values, one per proxy hop, each {parameter: value} with the
    parameter in lower case and quotes removed: 'for=192.0.2.60;proto=http, for="[2001:db8::17]:4711"' ->
    [{'for': '192.0.2.60', 'proto': 'http'}, {'for': '[2001:db8::17]:4711'}]. A pair without '=' becomes
    {'': text}, so that the caller can refuse what it cannot read."""
    elements = []
    for value in values:
        for element in _split_outside_quotes(value, ","):
            pairs: dict[str, str] = {}
            for pair in _split_outside_quotes(element, ";"):
                if not pair.strip():
                    continue
                name, equals, text = pair.partition("=")
                if not equals:
                    pairs[""] = pair.strip()
                else:
                    pairs[name.strip().lower()] = _unquote(text)
            if pairs:
                elements.append(pairs)
    return elements


def node_host(node: str) -> str:
    """The address of an RFC 7239 node: '[::1]:4711' -> '::1', '127.0.0.1:80' -> '127.0.0.1'; 'unknown' and
    obfuscated names ('_proxy1') come back as they are (no address: never loopback)."""
    node = node.strip()
    if node.startswith("["):
        return node[1 : node.index("]")] if "]" in node else ""
    if node.count(":") == 1:
        return node.split(":", 1)[0]
    return node


def request_is_local(address: str | None, headers: Mapping[str, str], url: str | None, ip: str | None) -> bool:
    """Whether a request to a server listening on `address`, with these `headers`, browser `url` and client `ip`
    (None: a loopback client, as st.context reports it) came from and to this machine only.

    Every host named (Host, X-Forwarded-Host, the URL, each `host=` of a Forwarded header) and every client named
    (X-Forwarded-For, X-Real-IP, each `for=` of a Forwarded header, the peer) must be loopback. A Forwarded header
    that cannot be read, a `for=unknown` or an obfuscated node counts as another machine.
    """
    if address and not is_loopback(address):
        return False
    every = getattr(headers, "get_all", None)

    def values(name: str) -> list[str]:
        if every is not None:
            return [v for v in every(name) if v is not None]
        value = headers.get(name)
        return [value] if value is not None else []

    hosts = [host_of(v) for name in HOST_HEADERS for v in values(name) if v]
    if url:
        hosts.append(urlsplit(url).hostname or "")
    clients = [c.strip() for name in CLIENT_HEADERS for v in values(name) for c in v.split(",") if c.strip()]
    for element in forwarded_elements(values("Forwarded")):
        if "" in element:
            return False
        if "for" in element:
            clients.append(node_host(element["for"]))
        if "host" in element:
            hosts.append(host_of(element["host"]))
    if isinstance(ip, str) and ip:
        clients.append(ip)
    return all(is_loopback(h) for h in hosts) and all(is_loopback(c) for c in clients)


def served_locally() -> bool:
    """Whether this request came to localhost, 127.0.0.1 or ::1 and the server listens there only.

    Refused: server.address set to anything else; a Host, X-Forwarded-Host, URL or client address elsewhere;
    a proxy's X-Forwarded-For / X-Real-IP / Forwarded (RFC 7239: for=, host=) naming another machine. A run
    without a browser (AppTest, bare mode) has none of these and counts as local.
    """
    return request_is_local(
        config.get_option("server.address"), st.context.headers, st.context.url, st.context.ip_address
    )
