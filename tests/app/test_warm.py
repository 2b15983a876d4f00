"""app_pages.warm: every account's first map is made before its user logs in."""

from __future__ import annotations

import pytest

import app_pages.common as common
import app_pages.mapview as mapview
from app_pages import warm
from geo.auth import Scope
from geo.views import canonical_towns
from tests.app.test_pages import login, metric_values


def test_the_scopes_are_those_of_the_accounts(demo) -> None:
    found = warm.scopes()
    townships = [s for s in found if s.township_code is not None]
    assert found[:2] == [Scope(None, mask_plates=False), Scope(None, mask_plates=True)]
    assert sorted(s.township_code for s in townships) == sorted(demo.townships["code"])
    assert all(s.mask_plates for s in townships)


@pytest.mark.parametrize(
    ("account", "scope"), [("commander", Scope(None, False)), ("t500235105", Scope("500235105"))]
)
def test_a_login_after_warming_computes_nothing_of_its_first_map(
    account: str, scope: Scope, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Same keys as a session's: the login finds the hotspots, list and map already made."""
    warm.warm_scope(scope)
    made = _count_work(monkeypatch)
    at = login(account)
    assert int(metric_values(at)["事件数"].replace(",", "")) > 0
    assert made == []


def _count_work(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of what the app computes from now on (hotspots, list, map)."""
    made: list[str] = []

    def counted(name: str, real):
        def call(*args, **kwargs):
            made.append(name)
            return real(*args, **kwargs)

        return call

    monkeypatch.setattr(common, "hotspot_view", counted("hotspots", common.hotspot_view))
    monkeypatch.setattr(common, "hotspot_ranking", counted("list", common.hotspot_ranking))
    monkeypatch.setattr(mapview, "situation_map", counted("map", mapview.situation_map))
    return made


def test_a_township_picking_its_own_township_sees_the_same_map(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Its own township is all it has: the same map as no choice, not made again."""
    warm.warm_scope(Scope("500235105"))
    made = _count_work(monkeypatch)
    at = login("t500235105")
    before = metric_values(at)
    at.multiselect(key="map_towns").set_value(["500235105"]).run()
    assert not at.exception, at.exception
    assert metric_values(at) == before and made == []
    at.multiselect(key="map_periods").set_value(["morning"]).run()  # a period none warms
    assert made == ["hotspots", "list", "map"]  # a real change is made, once


def test_the_townships_chosen_are_one_key() -> None:
    assert canonical_towns(["b", "a"], ["a", "b", "c"]) == ("a", "b")  # the data's order
    assert canonical_towns(["c", "a", "b"], ["a", "b", "c"]) == ()  # all of them: none
    assert canonical_towns([], ["a"]) == ()
    assert canonical_towns(["a"], ["a"]) == ()  # a township's own


def test_a_failing_scope_stops_warming_and_nothing_else() -> None:
    seen: list[Scope] = []

    def fail_on_second(scope: Scope, period: str | None) -> None:
        seen.append(scope)
        if len(seen) == 2:
            raise RuntimeError("a broken township file")

    assert warm.warm_all(fail_on_second) == 1 and len(seen) == 2


def test_first_maps_then_night_then_plans_then_the_other_periods(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    jobs: list[tuple[Scope, str | None]] = []
    county, town = Scope(None), Scope("500235105")
    monkeypatch.setattr(warm, "scopes", lambda: [county, town])
    assert warm.warm_all(lambda s, p: jobs.append((s, p)), mode="first") == 2
    assert jobs == [(county, None), (town, None)]
    jobs.clear()
    assert warm.warm_all(lambda s, p: jobs.append((s, p))) == 2 * (2 + len(warm.PERIODS))
    assert jobs[2:6] == [(county, "night"), (town, "night"), (county, "plan"), (town, "plan")]
    assert {p for _, p in jobs[6:]} == set(warm.PERIODS) - {"night"}


def test_a_period_s_map_after_warming_is_not_made_again(monkeypatch: pytest.MonkeyPatch) -> None:
    warm.warm_scope(Scope("500235105"))
    warm.warm_scope(Scope("500235105"), "night")
    made = _count_work(monkeypatch)
    at = login("t500235105")
    at.multiselect(key="map_periods").set_value(["night"]).run()
    assert not at.exception, at.exception
    assert made == []


@pytest.mark.parametrize(("value", "mode"), [("", "all"), ("first", "first"), ("OFF", "off")])
def test_the_mode_comes_from_the_environment(value, mode, monkeypatch) -> None:
    monkeypatch.setenv("HEXPATROL_WARM", value)
    assert warm.mode() == mode


def test_a_default_plan_after_warming_is_not_made_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pressing 生成巡逻方案 without a change finds the plan and its map already made."""
    warm.warm_plan(Scope("500235105"))
    made: list[str] = []
    real_plan, real_map = common.plan_package, mapview.situation_map
    monkeypatch.setattr(
        common, "plan_package", lambda *a, **k: made.append("plan") or real_plan(*a, **k)
    )
    monkeypatch.setattr(
        mapview, "situation_map", lambda *a, **k: made.append("map") or real_map(*a, **k)
    )
    at = login("t500235105")
    at.switch_page("app_pages/patrol.py").run()
    next(b for b in at.button if b.label == "生成巡逻方案").click().run()
    assert not at.exception, at.exception
    assert int(metric_values(at)["岗位"]) > 0
    assert made == []
