"""A tiny run of the load test (python -m tools.load_test), so that it cannot rot: a real Streamlit server on
the test demo bank with a users file of the load test's own, 3 websocket sessions (Streamlit's own protocol, no
browser) that sign in through the form (HQ with its TOTP code, a manager, a branch head) and run one page.

The figures are not asserted (tests do not time things); what is: every session signed in (the steps its account
needs, and the audit trail of the run records each sign-in, HQ's with the second factor), ran the page with its own
query string (elements, the page's title, no exception element, script_finished), and the server's memory was
sampled. Also the failure the 50-session run found (docs/load_test.md), reproduced without a server: concurrent
sessions' queries collide on the process's one reader connection.
"""

from __future__ import annotations

import asyncio
import os
import threading

import pytest

from analytics.core.scope import Scope
from tests.helpers.security import FAST, events
from tools.load_test.drive import Plan, drive
from tools.load_test.figures import signin_summary, summary
from tools.load_test.people import plan, write_users
from tools.load_test.server import free_port, start_server, stop_server, wait_healthy


@pytest.mark.server
def test_load_test_sessions_sign_in_with_their_roles_and_run_the_page_on_a_real_server(
    demo_copy, tmp_path, monkeypatch
):
    db = demo_copy("load_smoke")
    people = plan(db, 3, ["tiers"])
    assert [p.role for p in people] == ["hq", "manager", "branch"]
    assert people[0].totp_secret and not people[1].totp_secret and people[1].units and people[2].units
    monkeypatch.setenv("BANK_USERS", str(write_users(tmp_path / "users.toml", people, rounds=FAST)))
    monkeypatch.setenv("BANK_AUDIT", str(tmp_path / "audit.jsonl"))
    monkeypatch.setenv("BANK_SIGNIN_STATE", str(tmp_path / "signin"))
    port = free_port()
    server = start_server(db, port, log=None)
    try:
        wait_healthy(server, port, timeout=40)
        work = Plan(["tiers"], rounds=1, think=0, visit_timeout=30, people=people, ramp=0.5, signin_timeout=30)
        result = asyncio.run(drive(port, server.pid, 3, work, timeout=45, settle=0.5))
    finally:
        stop_server(server)
    signins = sorted((s.session, s.role, s.steps, s.error) for s in result["signins"])
    assert signins == [(0, "hq", 2, None), (1, "manager", 1, None), (2, "branch", 1, None)]
    visits = result["visits"]
    assert [(v.page, v.error) for v in visits] == [("tiers", None)] * 3
    assert all(v.elements > 5 and v.received > 1000 for v in visits)
    assert result["timed_out"] == 0
    assert 0 < result["rss_before"] <= result["rss_peak"]
    trail = events(tmp_path / "audit.jsonl", "sign_in")
    assert sorted((e["user"], e["details"].get("factor")) for e in trail) == [
        (people[0].username, "totp"),
        (people[1].username, None),
        (people[2].username, None),
    ]
    rows = summary(visits, ["tiers"])
    assert [(r["page"], r["visits"], r["errors"]) for r in rows] == [("tiers", 3, 0), ("all", 3, 0)]
    assert [(r["role"], r["signins"], r["errors"]) for r in signin_summary(result["signins"])][-1] == ("all", 3, 0)


def test_concurrent_sessions_queries_never_collide_on_the_shared_reader(demo_db):
    os.environ["BANK_DB"] = str(demo_db)
    from ui import data  # noqa: PLC0415 - after BANK_DB

    run = data._cached.__wrapped__  # the query without st.cache_data: what a cache miss runs
    errors: list[str] = []

    def session() -> None:
        for _ in range(15):
            for name, args in (
                ("analytics.store.catalog.loaded_periods", ()),
                ("analytics.metrics.distribution.tier_distribution", (Scope(),)),
            ):
                try:
                    run(name, "version", args, ())
                except Exception as error:  # noqa: BLE001 - the finding
                    errors.append(type(error).__name__)

    threads = [threading.Thread(target=session) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, f"{len(errors)} of {8 * 15 * 2} calls failed: {sorted(set(errors))}"
