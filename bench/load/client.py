"""One browser tab, spoken in Streamlit's own protocol (no JavaScript, no browser).

What a browser does, and so what this client does:

1. HTTP: load the page, ``/_stcore/health`` and ``/_stcore/host-config``; the responses set
   cookies (Streamlit's XSRF cookie ``_streamlit_xsrf``, later a login or proxy affinity
   cookie), kept in the user's cookie jar (a reloaded tab keeps them); cookies set on the
   websocket handshake go there too.
2. Websocket ``/_stcore/stream`` with the jar's cookies, an ``Origin`` header and the
   subprotocols ``streamlit, <xsrf token>`` (Streamlit reads the XSRF token from the second
   subprotocol entry and checks it against the cookie).
3. Every interaction is a ``BackMsg.rerun_script`` carrying a ``ClientState``: the values of
   the widgets the user has set (widget ids come from the deltas the server sent), one-shot
   triggers for pressed buttons, the page's script hash for a page switch, the fragment id
   when the widget lives in a fragment, and the hashes of large messages already received
   (the server then sends a ``ref_hash`` instead of the message again).
4. The server answers with ``ForwardMsg``\\ s until ``script_finished``; a run ended by
   ``st.rerun()`` (``FINISHED_EARLY_FOR_RERUN``) is followed by the real one.

Widgets are found by their ``key`` (the suffix of Streamlit's element id), or by element
type and position, never by label text.
"""

from __future__ import annotations

import asyncio
import email.message
import http.cookiejar
import json
import re
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import websockets
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.typing import Origin, Subprotocol

XSRF_COOKIE = "_streamlit_xsrf"
# a script assigning a string literal to document.cookie (st.html with JavaScript)
_COOKIE_SCRIPT = re.compile(r'document\.cookie\s*=\s*("(?:[^"\\]|\\.)*")')
PREFLIGHT = ("_stcore/health", "_stcore/host-config")  # what the page's JavaScript fetches first
_NO_PROXY = urllib.request.ProxyHandler({})


class ReplayError(RuntimeError):
    """Something a user would see as broken: an exception, a missing widget, no answer."""


@dataclass
class Widget:
    """A widget the server drew in the current page (the element's protobuf kept as sent)."""

    id: str
    kind: str
    form_id: str
    fragment_id: str
    proto: Any

    @property
    def key(self) -> str | None:
        """The ``key=`` the app gave the widget (Streamlit ends the element id with it)."""
        user_key = self.id.split("-", maxsplit=2)[-1]
        return None if user_key == "None" else user_key

    @property
    def options(self) -> list[str]:
        """The option strings of a select-like widget, as the browser shows them."""
        return list(getattr(self.proto, "options", []))


@dataclass
class Run:
    """What one rerun produced, from sending the BackMsg to the final ``script_finished``."""

    seconds: float = 0.0
    received_bytes: int = 0
    messages: int = 0
    elements: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    alerts: list[str] = field(default_factory=list)  # st.error texts, for diagnostics only

    @property
    def errors(self) -> list[str]:
        """Exceptions the page showed and protocol problems (page not found, compile error)."""
        return self.exceptions + self.problems


def widget_state(widget: Widget, value: Any) -> WidgetState:
    """The ``WidgetState`` a browser sends for ``value`` in ``widget``.

    Select-like widgets carry the option strings the server sent (``widget.options``);
    pass those, chosen by position, not a label typed in.
    """
    state = WidgetState(id=widget.id)
    if widget.kind in ("button", "download_button"):
        state.trigger_value = bool(value)
    elif widget.kind in ("text_input", "text_area", "selectbox"):
        state.string_value = str(value)
    elif widget.kind == "multiselect":
        state.string_array_value.data.extend(str(v) for v in value)
    elif widget.kind in ("checkbox",):
        state.bool_value = bool(value)
    else:
        raise ReplayError(f"setting a {widget.kind} widget is not supported by the replay")
    return state


@dataclass
class _HandshakeResponse:
    """The bit of an HTTP response ``CookieJar.extract_cookies`` reads."""

    headers: email.message.Message

    def info(self) -> email.message.Message:
        """The response headers."""
        return self.headers


def _exception_text(element: Any) -> str:
    """``Type: message`` of an exception element."""
    exc = element.exception
    return f"{exc.type}: {exc.message}".strip(": ")


class StreamlitSession:
    """One browser tab on a Streamlit app: cookies, websocket, widget states, pages.

    Parameters
    ----------
    base_url : str
        The app's address, e.g. ``http://127.0.0.1:8501`` (or a proxy in front of it).
    jar : http.cookiejar.CookieJar, optional
        The tab's cookies; pass the same jar to a later session to "reload the tab".
    timeout : float
        Seconds a rerun may take before it counts as failed.
    """

    def __init__(
        self,
        base_url: str,
        *,
        jar: http.cookiejar.CookieJar | None = None,
        timeout: float = 600.0,
    ) -> None:
        self.base = base_url.rstrip("/")
        self.jar = jar if jar is not None else http.cookiejar.CookieJar()
        self.timeout = timeout
        self.widgets: dict[str, Widget] = {}
        self.pages: dict[str, str] = {}
        self.page_hash = ""
        self._states: dict[str, WidgetState] = {}
        self._cache: dict[str, ForwardMsg] = {}
        self._ws: Any = None
        self._opener = urllib.request.build_opener(
            _NO_PROXY, urllib.request.HTTPCookieProcessor(self.jar)
        )

    # --- connection -------------------------------------------------------------------

    def _http_get(self, path: str) -> None:
        """GET ``path`` like the browser does (cookies in and out of the jar)."""
        with self._opener.open(f"{self.base}/{path}", timeout=self.timeout) as response:
            response.read()

    def _cookie_header(self, url: str) -> str | None:
        """The ``Cookie`` header the jar sends to ``url``."""
        request = urllib.request.Request(url)
        self.jar.add_cookie_header(request)
        return request.get_header("Cookie")

    def _xsrf_token(self) -> str | None:
        """The XSRF cookie's value, which the browser echoes as a websocket subprotocol."""
        return next((c.value for c in self.jar if c.name == XSRF_COOKIE and c.value), None)

    async def connect(self, path: str = "") -> float:
        """Load ``path`` over HTTP and open the websocket; returns the seconds it took."""
        start = time.perf_counter()
        for item in (path, *PREFLIGHT):
            await asyncio.to_thread(self._http_get, item)
        parts = urlsplit(self.base)
        scheme = "wss" if parts.scheme == "https" else "ws"
        http_stream = f"{self.base}/_stcore/stream"
        cookie = self._cookie_header(http_stream)
        headers = {"Cookie": cookie} if cookie else {}
        token = self._xsrf_token()
        subprotocols = [Subprotocol("streamlit"), *([Subprotocol(token)] if token else [])]
        self._ws = await websockets.connect(
            f"{scheme}://{parts.netloc}{parts.path.rstrip('/')}/_stcore/stream",
            subprotocols=subprotocols,
            additional_headers=headers,
            origin=Origin(f"{parts.scheme}://{parts.netloc}"),
            max_size=None,  # a folium map is several MB in one message
            ping_interval=None,  # browsers never ping; the server pings and we answer
            proxy=None,
            open_timeout=self.timeout,
        )
        self._keep_cookies(http_stream, self._ws.response.headers.get_all("Set-Cookie"))
        return time.perf_counter() - start

    def _keep_cookies(self, url: str, set_cookies: list[str]) -> None:
        """Put cookies set on the websocket handshake into the jar, as a browser does."""
        if not set_cookies:
            return
        headers = email.message.Message()
        for value in set_cookies:
            headers["Set-Cookie"] = value
        response = _HandshakeResponse(headers)
        self.jar.extract_cookies(response, urllib.request.Request(url))  # type: ignore[arg-type]

    def _script_cookies(self, html: str) -> None:
        """Apply a script's ``document.cookie = "…"`` as the browser would (nothing else).

        The app sets its login cookie so (``st.html`` with JavaScript after a login).
        """
        for literal in _COOKIE_SCRIPT.findall(html):
            try:
                cookie = json.loads(literal)
            except ValueError:
                continue
            if isinstance(cookie, str) and "=" in cookie:
                secure = "; Secure" if self.base.startswith("https:") else ""
                self._keep_cookies(f"{self.base}/", [cookie + secure])

    async def close(self) -> None:
        """Close the websocket (the tab is closed or reloaded)."""
        if self._ws is not None:
            await self._ws.close()
            self._ws = None

    # --- reruns -----------------------------------------------------------------------

    async def rerun(
        self,
        states: Sequence[WidgetState] = (),
        *,
        page_hash: str | None = None,
        page_name: str = "",
        fragment_id: str = "",
    ) -> Run:
        """Send one ``rerun_script`` and wait until its run finished.

        ``states`` are this interaction's changes: values are kept for later reruns (as
        the browser keeps them), triggers are sent once.
        """
        if self._ws is None:
            raise ReplayError("not connected")
        trigger = []
        for state in states:
            if state.WhichOneof("value") == "trigger_value":
                trigger.append(state)
            else:
                self._states[state.id] = state
        msg = BackMsg()
        client = msg.rerun_script
        client.query_string = ""
        client.page_script_hash = self.page_hash if page_hash is None else page_hash
        client.page_name = page_name
        client.fragment_id = fragment_id
        client.widget_states.widgets.extend([*self._states.values(), *trigger])
        client.cached_message_hashes.extend(self._cache)
        client.context_info.timezone = "Asia/Shanghai"
        client.context_info.locale = "zh-CN"
        client.context_info.url = f"{self.base}/"
        start = time.perf_counter()
        await self._ws.send(msg.SerializeToString())
        run = await self._receive_until_finished(fragment=bool(fragment_id))
        run.seconds = time.perf_counter() - start
        return run

    async def _receive_until_finished(self, *, fragment: bool) -> Run:
        """Read ForwardMsgs until the run (not one ended early by ``st.rerun``) finished."""
        run, seen = Run(), set[str]()
        deadline = time.monotonic() + self.timeout
        while True:
            remaining = deadline - time.monotonic()
            try:
                raw = await asyncio.wait_for(self._ws.recv(), timeout=max(remaining, 0.001))
            except TimeoutError as exc:
                raise ReplayError(f"no script_finished within {self.timeout:.0f} s") from exc
            except websockets.ConnectionClosed as exc:
                raise ReplayError(f"websocket closed by the server: {exc}") from exc
            msg = self._parse(raw)
            run.received_bytes += len(raw)
            run.messages += 1
            if self._handle(msg, run, seen):
                break
        if not fragment:  # the browser forgets the states of widgets no longer drawn
            self._states = {k: v for k, v in self._states.items() if k in seen}
        return run

    def _parse(self, raw: bytes | str) -> ForwardMsg:
        """A ForwardMsg, with a ``ref_hash`` resolved from the message cache."""
        if isinstance(raw, str):
            raise ReplayError("the server sent a text frame")
        msg = ForwardMsg()
        msg.ParseFromString(raw)
        if msg.WhichOneof("type") == "ref_hash":
            cached = self._cache.get(msg.ref_hash)
            if cached is None:
                raise ReplayError(f"the server referred to an unknown message {msg.ref_hash}")
            resolved = ForwardMsg()
            resolved.CopyFrom(cached)
            resolved.metadata.CopyFrom(msg.metadata)
            return resolved
        if msg.metadata.cacheable and msg.hash:
            self._cache[msg.hash] = msg
        return msg

    def _handle(self, msg: ForwardMsg, run: Run, seen: set[str]) -> bool:
        """Apply one ForwardMsg to the tab's state; True when the run has finished."""
        kind = msg.WhichOneof("type")
        if kind == "new_session" and not msg.metadata.run.fragment_ids:
            self.widgets.clear()
            self.page_hash = msg.new_session.page_script_hash
        elif kind == "delta":
            self._on_delta(msg, run, seen)
        elif kind == "navigation":
            nav = msg.navigation
            self.pages = {p.url_pathname: p.page_script_hash for p in nav.app_pages}
            self.page_hash = nav.page_script_hash
        elif kind == "page_not_found":
            run.problems.append(f"page not found: {msg.page_not_found.page_name!r}")
        elif kind == "session_event":
            event = msg.session_event
            if event.WhichOneof("type") == "script_compilation_exception":
                exc = event.script_compilation_exception
                run.problems.append(f"script compilation error: {exc.type}: {exc.message}")
        elif kind == "script_finished":
            status = msg.script_finished
            if status == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                return False  # st.rerun(): the real run follows
            if status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                run.problems.append("the script did not compile")
            return True
        return False

    def _on_delta(self, msg: ForwardMsg, run: Run, seen: set[str]) -> None:
        """Record a new element: its type, an exception, and any widget and its id."""
        delta = msg.delta
        if delta.WhichOneof("type") != "new_element":
            return
        element = delta.new_element
        kind = element.WhichOneof("type")
        if kind is None:
            return
        run.elements.append(kind)
        if kind == "exception":
            run.exceptions.append(_exception_text(element))
            return
        if kind == "alert" and element.alert.format == Alert.ERROR:
            run.alerts.append(element.alert.body[:200])
        if kind == "html":
            self._script_cookies(element.html.body)
        proto = getattr(element, kind)
        widget_id = getattr(proto, "id", "")
        if isinstance(widget_id, str) and widget_id.startswith("$$ID-"):
            form_id = getattr(proto, "form_id", "")
            self.widgets[widget_id] = Widget(widget_id, kind, form_id, delta.fragment_id, proto)
            seen.add(widget_id)

    # --- what a user does --------------------------------------------------------------

    def find(
        self, key: str | None = None, *, kind: str | None = None, index: int = 0
    ) -> Widget | None:
        """The widget with ``key``, else the ``index``-th of element type ``kind``."""
        if key is not None:
            for widget in self.widgets.values():
                if widget.key == key:
                    return widget
        if kind is None:
            return None
        same = [w for w in self.widgets.values() if w.kind == kind]
        return same[index] if -len(same) <= index < len(same) else None

    def need(self, key: str, *, kind: str | None = None, index: int = 0) -> Widget:
        """Like :meth:`find`, but a missing widget is a :class:`ReplayError`."""
        widget = self.find(key, kind=kind, index=index)
        if widget is None:
            raise ReplayError(f"no widget with key {key!r} on this page")
        return widget

    async def set(self, widget: Widget, value: Any) -> Run:
        """Change one widget (outside a form: the browser reruns at once)."""
        return await self.rerun([widget_state(widget, value)], fragment_id=widget.fragment_id)

    async def click(self, button: Widget, values: dict[str, Any] | None = None) -> Run:
        """Press a button; ``values`` (widget id -> value) fill a form submitted with it."""
        states = [widget_state(self.widgets[i], v) for i, v in (values or {}).items()]
        states.append(widget_state(button, True))
        return await self.rerun(states, fragment_id=button.fragment_id)

    async def open_page(self, url_path: str) -> Run:
        """Switch page as the sidebar link does: a rerun with that page's script hash."""
        page_hash = self.pages.get(url_path)
        if page_hash is None:
            raise ReplayError(f"no page {url_path!r} in the navigation ({sorted(self.pages)})")
        return await self.rerun(page_hash=page_hash)
