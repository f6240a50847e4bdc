"""One browser tab without a browser: Streamlit's websocket protocol, spoken with Streamlit's own protobufs.

The session connects to ws://127.0.0.1:PORT/_stcore/stream (subprotocol "streamlit") and sends a BackMsg
rerun_script whose ClientState names the page (page_name = the url path on the first load, as a deep link; then
page_script_hash from the server's navigation message, as a click in the sidebar) with the browser's
context_info, and reads ForwardMsgs until script_finished. A visit counts as run when the script finished
successfully, sent elements, showed a heading with the page's title (its name in the navigation) and no exception
element; anything else is an error (with its reason).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState, ContextInfo
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import connect

from tools.bench.pages import NAV_TITLES
from ui.labels import TEXT

FINISHED = ForwardMsg.ScriptFinishedStatus.FINISHED_SUCCESSFULLY


def title(page: str) -> str:
    """The name of `page` in the navigation in zh-CN (the default language); its heading contains it."""
    return TEXT[NAV_TITLES[page]][0]


@dataclass
class Visit:
    session: int
    page: str
    seconds: float
    received: int = 0  # bytes of ForwardMsgs
    elements: int = 0
    error: str | None = None


class Session:
    """One browser tab: a websocket to the server and the pages it knows from the navigation message."""

    def __init__(self, number: int, port: int):
        self.number, self.port = number, port
        self.hashes: dict[str, str] = {}  # url path -> page_script_hash
        self.connection = None

    async def open(self) -> None:
        # browsers send no websocket pings; the server must not be asked to answer them under load
        self.connection = await connect(
            f"ws://127.0.0.1:{self.port}/_stcore/stream",
            subprotocols=["streamlit"],
            max_size=None,
            open_timeout=60,
            ping_interval=None,
            close_timeout=5,
        )

    async def close(self) -> None:
        if self.connection is not None:
            await self.connection.close()

    def rerun(self, page: str, query: str = "") -> bytes:
        url = f"http://127.0.0.1:{self.port}/{'' if page == 'overview' else page}"
        state = ClientState(
            query_string=query,
            context_info=ContextInfo(
                timezone="Asia/Shanghai",
                timezone_offset=-480,
                locale="zh-CN",
                url=url,
                is_embedded=False,
                color_scheme="light",
            ),
        )
        if page in self.hashes:  # a click in the sidebar
            state.page_script_hash = self.hashes[page]
        else:  # a deep link: the url path names the page
            state.page_name = "" if page == "overview" else page
        return BackMsg(rerun_script=state).SerializeToString()

    async def visit(self, page: str, timeout: float) -> Visit:
        visit = Visit(self.number, page, 0.0)
        titles, exceptions = [], []
        started = time.perf_counter()
        try:
            await self.connection.send(self.rerun(page))
            async with asyncio.timeout(timeout):
                while True:
                    data = await self.connection.recv()
                    visit.received += len(data)
                    message = ForwardMsg.FromString(data)
                    kind = message.WhichOneof("type")
                    if kind == "delta" and message.delta.WhichOneof("type") == "new_element":
                        element = message.delta.new_element
                        visit.elements += 1
                        what = element.WhichOneof("type")
                        if what == "heading":
                            titles.append(element.heading.body)
                        elif what == "exception":
                            exceptions.append(f"{element.exception.type}: {element.exception.message[:200]}")
                    elif kind == "navigation":
                        self.hashes = {
                            p.url_pathname or "overview": p.page_script_hash for p in message.navigation.app_pages
                        }
                    elif kind == "page_not_found":
                        visit.error = f"page not found: {message.page_not_found.page_name!r}"
                    elif kind == "script_finished":
                        if message.script_finished != FINISHED:
                            visit.error = f"script finished with status {message.script_finished}"
                        break
        except TimeoutError:
            visit.error = f"no script_finished within {timeout:.0f} s"
        except Exception as error:  # noqa: BLE001 - a closed connection, a protocol error: the visit failed
            visit.error = f"{type(error).__name__}: {error}"[:300]
        visit.seconds = time.perf_counter() - started
        if visit.error is None:
            if exceptions:
                visit.error = f"exception element: {exceptions[0]}"
            elif not any(title(page) in heading for heading in titles):
                visit.error = f"title {title(page)!r} not shown (headings {titles[:3]})"
            elif visit.elements == 0:
                visit.error = "no elements"
        return visit
