"""What the replayed users do: roles, their steps, think time, and one session's loop.

Every visit opens the app in a fresh tab (new websocket, same cookie jar), logs in, then:

* commander / township account: add the period 夜间 on the map, pick a township, open
  巡逻建议, make a plan;
* analyst: open 月度通报, pick a month, make the briefing.

Widgets are found by the ``key`` the app gives them (see ``KEYS``); options are chosen by
position (a period by its code's place in ``geo.periods.PERIOD_KEYS``), never by label.
"""

from __future__ import annotations

import asyncio
import http.cookiejar
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass

import websockets.exceptions
from streamlit.proto.TextInput_pb2 import TextInput

from bench.load.client import ReplayError, Run, StreamlitSession, Widget
from geo.auth import DEMO_PASSWORD, demo_accounts
from geo.periods import PERIOD_KEYS

# The widget keys (``key=`` in the app) the replay relies on.
KEYS = {
    "user": "login_user",
    "password": "login_password",
    "submit": "login_submit",
    "logout": "logout",
    "periods": "map_periods",
    "towns": "map_towns",
    "plan": "plan_go",
    "month": "brief_month",
    "brief": "brief_make",
}
PAGES = {"patrol": "patrol", "brief": "briefing"}  # url paths (st.Page url_path)
NIGHT = "night"
PASSWORD = TextInput.PASSWORD

# think time between steps (seconds, uniform): a person reading the map, a stress run, CI
THINK = {"read": (5.0, 15.0), "stress": (1.0, 3.0), "quick": (0.2, 0.5)}

STEPS = {
    "commander": [
        "connect",
        "open",
        "login",
        "filter_night",
        "pick_township",
        "open_patrol",
        "make_plan",
    ],
    "analyst": ["connect", "open", "login", "open_brief", "pick_month", "make_brief"],
}
STEPS["township"] = STEPS["commander"]
STEP_ORDER = list(dict.fromkeys(STEPS["commander"] + STEPS["analyst"]))


@dataclass(frozen=True)
class Account:
    """A demo user to log in as."""

    username: str
    role: str
    password: str = DEMO_PASSWORD


@dataclass
class StepResult:
    """One step of one session: how long it took and what went wrong, if anything."""

    session: int
    role: str
    iteration: int
    step: str
    seconds: float
    error: str | None = None
    at: float = 0.0
    skipped: bool = False  # a login kept in a cookie: nothing to time

    def as_dict(self) -> dict[str, object]:
        """The JSON form."""
        return asdict(self)


def mix(n: int, township_codes: list[str], password: str = DEMO_PASSWORD) -> list[Account]:
    """``n`` accounts as at the monthly meeting: mostly townships, some commanders, analysts.

    About 4% analysts (at least one from three sessions on), 12% commanders (at least one),
    the rest township accounts, one per township, cycling when there are more sessions.
    """
    analysts = max(1, round(n * 0.04)) if n >= 3 else 0
    commanders = max(1, round(n * 0.12))
    towns = [name for name, role, _ in demo_accounts(township_codes) if role == "township"]
    accounts = [Account("commander", "commander", password) for _ in range(commanders)]
    accounts += [Account("analyst", "analyst", password) for _ in range(analysts)]
    accounts += [
        Account(towns[i % len(towns)], "township", password)
        for i in range(max(0, n - commanders - analysts))
    ]
    return accounts[:n]


@dataclass
class Visit:
    """The state one visit's steps share."""

    tab: StreamlitSession
    account: Account
    index: int
    logged_in: bool = False


def _check(run: Run) -> Run:
    """A run that showed an exception (or broke the protocol) is a failed step."""
    if run.errors:
        raise ReplayError("; ".join(run.errors)[:500])
    return run


def _password_field(tab: StreamlitSession) -> Widget | None:
    """The login form's password input: by key, else the text input of type password."""
    keyed = tab.find(KEYS["password"])
    if keyed is not None:
        return keyed
    secret = [
        w for w in tab.widgets.values() if w.kind == "text_input" and w.proto.type == PASSWORD
    ]
    return secret[0] if secret else None


def _logged_in(tab: StreamlitSession) -> bool:
    """A logged-in page: the logout button is there (by key), or at least no login form."""
    return tab.find(KEYS["logout"]) is not None or (
        tab.find(KEYS["logout"], kind="button") is not None and _password_field(tab) is None
    )


async def _open(v: Visit) -> Run:
    """The page's first run: the login form (or, with a login cookie, the app)."""
    run = _check(await v.tab.rerun())
    v.logged_in = _logged_in(v.tab)
    if not v.logged_in and _password_field(v.tab) is None:
        raise ReplayError("neither the login form nor a logged-in page appeared")
    return run


async def _login(v: Visit) -> Run | None:
    """Fill user name and password and submit; None when a cookie already logged in."""
    if v.logged_in:  # a login kept in a cookie: nothing to type
        return None
    tab = v.tab
    password = _password_field(tab)
    if password is None:
        raise ReplayError("no password field on the login form")
    user = tab.find(KEYS["user"]) or next(
        (w for w in tab.widgets.values() if w.kind == "text_input" and w is not password), None
    )
    submit = tab.find(KEYS["submit"]) or next(
        (w for w in tab.widgets.values() if w.kind == "button" and w.form_id), None
    )
    if user is None or submit is None:
        raise ReplayError("the login form has no user name field or no submit button")
    values = {user.id: v.account.username, password.id: v.account.password}
    run = _check(await tab.click(submit, values))
    if not _logged_in(tab) or _password_field(tab) is not None:
        shown = "; ".join(run.alerts) or "no message"
        raise ReplayError(f"login as {v.account.username} failed ({shown})")
    v.logged_in = True
    return run


async def _filter_night(v: Visit) -> Run:
    """Add the period 夜间 (night) to the map filter."""
    periods = v.tab.need(KEYS["periods"], kind="multiselect", index=0)
    options = periods.options
    if len(options) != len(PERIOD_KEYS):
        raise ReplayError(
            f"the period filter offers {len(options)} options, expected "
            f"{len(PERIOD_KEYS)} (geo.periods.PERIOD_KEYS)"
        )
    return _check(await v.tab.set(periods, [options[PERIOD_KEYS.index(NIGHT)]]))


async def _pick_township(v: Visit) -> Run:
    """Pick one township in the map filter (a township account has only its own)."""
    towns = v.tab.need(KEYS["towns"], kind="multiselect", index=2)
    if not towns.options:
        raise ReplayError("the township filter offers no township")
    return _check(await v.tab.set(towns, [towns.options[v.index % len(towns.options)]]))


async def _open_patrol(v: Visit) -> Run:
    """Open 巡逻建议 through the navigation."""
    run = _check(await v.tab.open_page(PAGES["patrol"]))
    v.tab.need(KEYS["plan"])
    return run


async def _make_plan(v: Visit) -> Run:
    """Press the plan form's button with its defaults; the plan and its exports appear."""
    run = _check(await v.tab.click(v.tab.need(KEYS["plan"])))
    if "download_button" not in run.elements:
        raise ReplayError("no plan came back (no export button drawn)")
    return run


async def _open_brief(v: Visit) -> Run:
    """Open 月度通报 through the navigation."""
    run = _check(await v.tab.open_page(PAGES["brief"]))
    v.tab.need(KEYS["brief"])
    return run


async def _pick_month(v: Visit) -> Run:
    """Pick the second month offered (the last complete one)."""
    month = v.tab.need(KEYS["month"], kind="selectbox", index=0)
    if not month.options:
        raise ReplayError("the briefing offers no month")
    return _check(await v.tab.set(month, month.options[min(1, len(month.options) - 1)]))


async def _make_brief(v: Visit) -> Run:
    """Press the briefing button; the DOCX/PDF/PNG downloads appear."""
    run = _check(await v.tab.click(v.tab.need(KEYS["brief"])))
    if "download_button" not in run.elements:
        raise ReplayError("no briefing came back (no download button drawn)")
    return run


ACTIONS: dict[str, Callable[[Visit], Awaitable[Run | None]]] = {
    "open": _open,
    "login": _login,
    "filter_night": _filter_night,
    "pick_township": _pick_township,
    "open_patrol": _open_patrol,
    "make_plan": _make_plan,
    "open_brief": _open_brief,
    "pick_month": _pick_month,
    "make_brief": _make_brief,
}


@dataclass(frozen=True)
class Plan:
    """How sessions behave: where the app is, think time, visits per session."""

    url: str
    think: tuple[float, float]
    iterations: int = 2
    timeout: float = 600.0
    seed: int = 0


async def _step(v: Visit, name: str, iteration: int, t0: float) -> StepResult:
    """Run one step; a failure is recorded in the result, never raised."""
    start = time.perf_counter()
    result = StepResult(v.index, v.account.role, iteration, name, 0.0, at=start - t0)
    try:
        if name == "connect":
            result.seconds = await v.tab.connect()
        else:
            run = await ACTIONS[name](v)
            result.skipped = run is None
            result.seconds = run.seconds if run is not None else 0.0
    except (ReplayError, OSError, websockets.exceptions.WebSocketException) as exc:
        result.seconds = time.perf_counter() - start
        result.error = f"{type(exc).__name__}: {exc}"[:500]
    return result


async def run_session(
    index: int, account: Account, plan: Plan, record: Callable[[StepResult], None], t0: float
) -> None:
    """One user: a ramp-up pause, then ``plan.iterations`` visits with think time between.

    A failed step ends its visit (what follows depends on it); the next visit starts anew.
    """
    rng = random.Random(plan.seed * 1000 + index)
    jar = http.cookiejar.CookieJar()  # the user's browser: cookies survive a reload
    await asyncio.sleep(rng.uniform(0, plan.think[1]))  # people arrive over a few seconds
    for iteration in range(plan.iterations):
        visit = Visit(StreamlitSession(plan.url, jar=jar, timeout=plan.timeout), account, index)
        try:
            for n, name in enumerate(STEPS[account.role]):
                if n > 1:  # no reading between connecting and the page's first run
                    await asyncio.sleep(rng.uniform(*plan.think))
                result = await _step(visit, name, iteration, t0)
                record(result)
                if result.error is not None:
                    break
        finally:
            await visit.tab.close()
        if iteration + 1 < plan.iterations:
            await asyncio.sleep(rng.uniform(*plan.think))
