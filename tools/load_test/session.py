"""One browser tab without a browser: Streamlit's websocket protocol, spoken with Streamlit's own protobufs.

The session connects to ws://127.0.0.1:PORT/_stcore/stream (subprotocol "streamlit") and sends a BackMsg
rerun_script whose ClientState names the page (page_name = the url path on the first load, as a deep link; then
page_script_hash from the server's navigation message, as a click in the sidebar) with the browser's
context_info and the page's query string (its filters, docs/pages.md "Shareable views"), and reads ForwardMsgs
until script_finished. A visit counts as run when the script finished successfully, sent elements, showed a
heading with the page's title (its name in the navigation) and no exception element; anything else is an error
(with its reason).

With a users file the session first signs in as a browser does (`sign_in`): the first run draws the form; the
session reads the widget ids of its text inputs (username, password) and of its submit button from the delta
messages and sends a rerun_script whose WidgetStates carry the typed strings (string_value) and the button's
trigger (trigger_value); for an account with a second factor the next run draws the code form, answered the same
way with the current TOTP code. Signed in = the server accepted the last step and reran the script
(script_finished FINISHED_EARLY_FOR_RERUN, the app's st.rerun()); that rerun, the first page, is timed as a visit.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

import pyotp
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState, ContextInfo
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.TextInput_pb2 import TextInput
from streamlit.proto.WidgetStates_pb2 import WidgetState, WidgetStates
from websockets.asyncio.client import connect

from tools.bench.pages import NAV_TITLES
from ui.labels import TEXT

FINISHED = ForwardMsg.ScriptFinishedStatus.FINISHED_SUCCESSFULLY
RERUN = ForwardMsg.ScriptFinishedStatus.FINISHED_EARLY_FOR_RERUN


URLS = {TEXT[key][0]: url for url, key in NAV_TITLES.items()}  # a page's name in the navigation -> its url path


def _url(page) -> str:
    """The url path of a page of the navigation message: the default page's is "" (the user's landing page:
    the overview for HQ, the workbench for the others), so it is known by its name."""
    return page.url_pathname or URLS.get(page.page_name, "/")  # "/": the sign-in's placeholder


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
    at: float = 0.0  # when the visit was sent (time.monotonic())


@dataclass
class SignIn:
    session: int
    role: str
    seconds: float = 0.0  # from the deep link (the form's first run) to the server accepting the last step
    password_seconds: float = 0.0  # the password step alone: submit -> the server's answer (bcrypt)
    steps: int = 0  # 1, or 2 with the code
    error: str | None = None
    at: float = 0.0


@dataclass
class Run:
    """What one script run sent: its status, size, the headings, exceptions, alerts and widgets drawn."""

    status: int | None = None
    received: int = 0
    elements: int = 0
    headings: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    alerts: list[str] = field(default_factory=list)
    inputs: list[TextInput] = field(default_factory=list)
    submit: str | None = None  # the widget id of the form's submit button


class Session:
    """One browser tab: a websocket to the server and the pages it knows from the navigation message."""

    def __init__(self, number: int, port: int):
        self.number, self.port = number, port
        self.hashes: dict[str, str] = {}  # url path -> page_script_hash
        self.connection = None
        self.landing: str | None = "overview"  # the page at "/" (before a sign-in: none, every page has its path)

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

    def rerun(self, page: str, query: str = "", widgets: list[WidgetState] | None = None) -> bytes:
        path = "" if page == self.landing else page
        url = f"http://127.0.0.1:{self.port}/{path}" + (f"?{query}" if query else "")
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
        if widgets:
            state.widget_states.CopyFrom(WidgetStates(widgets=widgets))
        if page in self.hashes:  # a click in the sidebar
            state.page_script_hash = self.hashes[page]
        else:  # a deep link: the url path names the page
            state.page_name = path
        return BackMsg(rerun_script=state).SerializeToString()

    async def _run(self, message: bytes | None, until_rerun: bool = False) -> Run:
        """Send `message` (None: a run already under way) and read the script run to its script_finished (a run
        that ends early for a rerun is followed to the end of the next one, unless `until_rerun`)."""
        run = Run()
        if message is not None:
            await self.connection.send(message)
        while True:
            data = await self.connection.recv()
            run.received += len(data)
            forward = ForwardMsg.FromString(data)
            kind = forward.WhichOneof("type")
            if kind == "delta" and forward.delta.WhichOneof("type") == "new_element":
                element = forward.delta.new_element
                run.elements += 1
                what = element.WhichOneof("type")
                if what == "heading":
                    run.headings.append(element.heading.body)
                elif what == "exception":
                    run.exceptions.append(f"{element.exception.type}: {element.exception.message[:200]}")
                elif what == "alert":
                    run.alerts.append(element.alert.body[:200])
                elif what == "text_input":
                    run.inputs.append(element.text_input)
                elif what == "button" and element.button.is_form_submitter:
                    run.submit = element.button.id
            elif kind == "navigation":
                self.hashes = {_url(p): p.page_script_hash for p in forward.navigation.app_pages}
            elif kind == "page_not_found":
                run.exceptions.append(f"page not found: {forward.page_not_found.page_name!r}")
            elif kind == "script_finished":
                run.status = forward.script_finished
                if run.status == RERUN and not until_rerun:
                    run.headings, run.exceptions, run.alerts, run.inputs, run.submit = [], [], [], [], None
                    continue  # the app reran itself (st.rerun): what counts is the next run
                return run

    async def sign_in(
        self, username: str, password: str, totp_secret: str | None, page: str, query: str, timeout: float
    ) -> tuple[SignIn, Visit]:
        """Sign in through the form on a deep link to `page?query`, as a browser: the form's run, the password
        (and the code) typed into its inputs and submitted. Returns the sign-in and the visit of `page` that
        the accepted sign-in reran into (an error of the sign-in leaves that visit with the same error)."""
        signin = SignIn(self.number, "", at=time.monotonic())
        self.landing = None
        visit = Visit(self.number, page, 0.0)
        started = time.perf_counter()
        try:
            async with asyncio.timeout(timeout):
                run = await self._run(self.rerun(page, query))
                fields = [i for i in run.inputs if i.type == TextInput.PASSWORD]
                names = [i for i in run.inputs if i.type != TextInput.PASSWORD]
                if not fields or not names or run.submit is None:
                    raise SignInError(f"no sign-in form (headings {run.headings[:2]}, alerts {run.alerts[:2]})")
                typed = [
                    WidgetState(id=names[0].id, string_value=username),
                    WidgetState(id=fields[0].id, string_value=password),
                    WidgetState(id=run.submit, trigger_value=True),
                ]
                step = time.perf_counter()
                run = await self._run(self.rerun(page, query, typed), until_rerun=True)
                signin.password_seconds = time.perf_counter() - step
                signin.steps = 1
                if run.status == RERUN and totp_secret:  # the right password: the rerun draws the code form
                    run = await self._run(None)
                    if not run.inputs or run.submit is None:
                        raise SignInError(f"no code form (alerts {run.alerts[:2]})")
                    code = pyotp.TOTP(totp_secret).now()
                    typed = [
                        WidgetState(id=run.inputs[0].id, string_value=code),
                        WidgetState(id=run.submit, trigger_value=True),
                    ]
                    run = await self._run(self.rerun(page, query, typed), until_rerun=True)
                    signin.steps = 2
                if run.status != RERUN:
                    raise SignInError(f"refused: {(run.alerts or run.exceptions or ['no answer'])[0]}")
                signin.seconds = time.perf_counter() - started
                visit.at, began = time.monotonic(), time.perf_counter()
                rest = await self._run(None)
                visit.seconds = time.perf_counter() - began
                self._judge(visit, rest)
        except SignInError as error:
            signin.error = str(error)
        except TimeoutError:
            signin.error = f"no sign-in within {timeout:.0f} s"
        except Exception as error:  # noqa: BLE001 - a closed connection, a protocol error: the sign-in failed
            signin.error = f"{type(error).__name__}: {error}"[:300]
        if signin.error is not None:
            signin.seconds = time.perf_counter() - started
            visit.error = f"sign-in: {signin.error}"
        return signin, visit

    async def visit(self, page: str, timeout: float, query: str = "") -> Visit:
        visit = Visit(self.number, page, 0.0, at=time.monotonic())
        started = time.perf_counter()
        run = None
        try:
            async with asyncio.timeout(timeout):
                run = await self._run(self.rerun(page, query))
        except TimeoutError:
            visit.error = f"no script_finished within {timeout:.0f} s"
        except Exception as error:  # noqa: BLE001 - a closed connection, a protocol error: the visit failed
            visit.error = f"{type(error).__name__}: {error}"[:300]
        visit.seconds = time.perf_counter() - started
        if run is not None:
            self._judge(visit, run)
        return visit

    def _judge(self, visit: Visit, run: Run) -> None:
        """The visit's figures and its error, if any, from its run."""
        visit.received, visit.elements = run.received, run.elements
        if visit.error is not None:
            return
        page = visit.page
        if run.status != FINISHED:
            visit.error = f"script finished with status {run.status}"
        elif run.exceptions:
            visit.error = f"exception element: {run.exceptions[0]}"
        elif not any(title(page) in heading for heading in run.headings):
            visit.error = f"title {title(page)!r} not shown (headings {run.headings[:3]})"
        elif visit.elements == 0:
            visit.error = "no elements"


class SignInError(Exception):
    """Why a session could not sign in."""
