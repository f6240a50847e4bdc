"""The demo guard's reading of proxy headers: RFC 7239 `Forwarded` as well as X-Forwarded-For / X-Real-IP.

The headers are given as Streamlit gives them to a session (StreamlitHeaders: every value of a repeated header).
"""

from __future__ import annotations

import pytest
from streamlit.runtime.context import StreamlitHeaders

from ui.origin import forwarded_elements, node_host, request_is_local

LOCAL = [("Host", "localhost:8500")]


def local(*headers: tuple[str, str], url: str | None = "http://localhost:8500/", ip: str | None = None) -> bool:
    return request_is_local("127.0.0.1", StreamlitHeaders([*LOCAL, *headers]), url, ip)


def test_forwarded_elements_reads_rfc_7239_examples():
    # RFC 7239 section 4's examples, one header value with two hops and quoted IPv6 with a port
    value = 'for=192.0.2.60;proto=http;by=203.0.113.43, for="[2001:db8:cafe::17]:4711"'
    assert forwarded_elements([value]) == [
        {"for": "192.0.2.60", "proto": "http", "by": "203.0.113.43"},
        {"for": "[2001:db8:cafe::17]:4711"},
    ]


def test_forwarded_elements_keeps_separators_inside_quotes():
    # a quoted host may hold ',' and ';' (and an escaped quote): still one element of two pairs
    assert forwarded_elements(['For="a,b;c\\"d";Host="x"']) == [{"for": 'a,b;c"d', "host": "x"}]


def test_forwarded_elements_marks_a_pair_without_equals():
    assert forwarded_elements(["for=127.0.0.1;garbage"]) == [{"for": "127.0.0.1", "": "garbage"}]


@pytest.mark.parametrize(
    "node, host",
    [
        ("127.0.0.1", "127.0.0.1"),
        ("127.0.0.1:4711", "127.0.0.1"),
        ("[::1]", "::1"),
        ("[::1]:4711", "::1"),
        ("[::1", ""),
        ("unknown", "unknown"),
        ("_hidden", "_hidden"),
    ],
)
def test_node_host_strips_ports_and_brackets(node, host):
    assert node_host(node) == host


def test_request_is_local_accepts_a_loopback_proxy_hop():
    # what nginx in front of `make serve` sends for a browser on this machine
    assert local(
        ("X-Forwarded-For", "127.0.0.1"),
        ("X-Forwarded-Host", "localhost:8500"),
        ("Forwarded", "for=127.0.0.1;host=localhost:8500;proto=http"),
    )
    assert local(("Forwarded", 'for="[::1]:51234";host="[::1]:8500"'))


@pytest.mark.parametrize(
    "forwarded",
    [
        "for=10.1.2.3",  # another machine
        'for="[2001:db8::17]:4711"',
        "for=127.0.0.1, for=192.0.2.60",  # a second hop from elsewhere
        "for=unknown",  # RFC 7239: the proxy does not know: not this machine
        "for=_gateway",  # an obfuscated node
        "for=127.0.0.1;host=dashboard.bank.example",  # asked for another host
        "for=127.0.0.1;nonsense",  # unreadable
        "FOR=10.1.2.3",  # parameter names are case-insensitive
    ],
)
def test_request_is_local_refuses_a_forwarded_header_naming_elsewhere(forwarded):
    assert not local(("Forwarded", forwarded))


def test_request_is_local_reads_every_value_of_a_repeated_header():
    # a client may send its own header first; the proxy's is the second value of the same name
    assert not local(("Forwarded", "for=127.0.0.1"), ("Forwarded", "for=203.0.113.9"))
    assert not local(("X-Forwarded-For", "127.0.0.1"), ("X-Forwarded-For", "203.0.113.9"))


@pytest.mark.parametrize(
    "headers, url, ip",
    [
        ([("X-Forwarded-For", "127.0.0.1, 10.0.0.5")], "http://localhost:8500/", None),
        ([("X-Real-IP", "10.0.0.5")], "http://localhost:8500/", None),
        ([("X-Forwarded-Host", "bank.example")], "http://localhost:8500/", None),
        ([], "http://10.0.0.5:8500/", None),
        ([], "http://localhost:8500/", "10.0.0.5"),
    ],
)
def test_request_is_local_still_refuses_x_forwarded_and_the_peer(headers, url, ip):
    assert not local(*headers, url=url, ip=ip)


def test_request_is_local_refuses_a_server_listening_beyond_loopback():
    assert request_is_local(None, StreamlitHeaders(LOCAL), None, None)
    assert not request_is_local("0.0.0.0", StreamlitHeaders(LOCAL), None, None)


def test_request_is_local_accepts_a_plain_mapping_without_a_browser():
    # AppTest and bare mode: no headers at all count as local; a dict works as well as StreamlitHeaders
    assert request_is_local("localhost", {}, None, None)
    assert not request_is_local("localhost", {"Forwarded": "for=10.9.9.9"}, None, None)
