"""app_pages.warm: every account's first map is made before its user logs in."""

from __future__ import annotations

import pytest

import app_pages.common as common
import app_pages.mapview as mapview
from app_pages import warm
from geo.auth import Scope
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
    made: list[str] = []

    def counted(name: str, real):
        def call(*args, **kwargs):
            made.append(name)
            return real(*args, **kwargs)

        return call

    monkeypatch.setattr(common, "hotspot_view", counted("hotspots", common.hotspot_view))
    monkeypatch.setattr(common, "hotspot_ranking", counted("list", common.hotspot_ranking))
    monkeypatch.setattr(mapview, "situation_map", counted("map", mapview.situation_map))
    at = login(account)
    assert int(metric_values(at)["事件数"].replace(",", "")) > 0
    assert made == []


def test_a_failing_scope_stops_warming_and_nothing_else() -> None:
    seen: list[Scope] = []

    def fail_on_second(scope: Scope) -> None:
        seen.append(scope)
        if len(seen) == 2:
            raise RuntimeError("a broken township file")

    assert warm.warm_all(fail_on_second) == 1 and len(seen) == 2
