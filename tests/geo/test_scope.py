"""Township scopes: for each of the 42 demo townships, nothing of another township leaks.

Every check compares the scoped result with the full (commander) data set.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

import pandas as pd
import pytest

from geo.auth import Scope
from geo.blacklist import vehicle_blacklist
from geo.briefing import compose, to_docx
from geo.config import Settings
from geo.dataset import Dataset, load_dataset, settings_townships
from geo.export import plan_to_html, plan_to_xlsx, to_safe_csv
from geo.planning import PlanRequest, make_plan
from geo.planprint import printed_plan
from geo.regions import township_of
from geo.store import Store
from geo.views import hotspot_view

SETTINGS = Settings()
CODES = list(settings_townships(SETTINGS)["code"])


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    path = tmp_path_factory.mktemp("scope") / "scope.sqlite"
    with Store(f"sqlite:///{path}") as s:
        yield s


@pytest.fixture(scope="module")
def full(store: Store) -> Dataset:
    return load_dataset(SETTINGS, store=store, scope=Scope(None, mask_plates=False))


def _docx_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read("word/document.xml").decode("utf-8")


def _xlsx_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return " ".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml"))


def test_all_townships_are_demo_townships() -> None:
    assert len(CODES) == 42


@pytest.mark.parametrize("code", CODES)
def test_township_sees_only_its_own(code: str, store: Store, full: Dataset) -> None:
    ds = load_dataset(SETTINGS, store=store, scope=Scope(code, mask_plates=True))
    polygon = full.townships[full.townships["code"] == code]
    inside = pd.notna(township_of(full.events["lon"], full.events["lat"], polygon))
    own = full.events[(full.events["township_code"] == code).to_numpy() & inside]
    foreign = full.events[~full.events["event_id"].isin(own["event_id"])]

    # the data set itself: own events, own polygon, own key areas, masked plates
    assert set(ds.events["event_id"]) == set(own["event_id"])
    assert ds.townships["code"].tolist() == [code]
    assert set(ds.key_areas["township_code"]) <= {code}
    plates = ds.events["plate"].dropna()
    assert plates.str.contains(r"\*").all()
    assert not set(plates) & set(full.events["plate"].dropna())

    # hexagon counts: exactly the own events, nothing of the neighbours in border cells
    view = hotspot_view(ds, res=8, trends=False)
    assert int(view.cells["n"].sum()) == len(own)

    # blacklist: only own events behind each listed vehicle
    listed = vehicle_blacklist(ds.events, mask=False)
    ids = {e for row in listed["event_ids"] for e in row}
    assert ids <= set(own["event_id"])
    assert "*" in "".join(listed["plate"]) or listed.empty

    # patrol plan and its exports
    if len(own) >= 5:
        result = make_plan(ds, PlanRequest(period="night", teams=2, fixed_posts=(), res=8))
        assert result.cells["n"].sum() <= len(own)
        request = PlanRequest(period="night", teams=2, fixed_posts=(), res=8)
        printed = printed_plan(result, request, title="x", period_label="夜间")
        xlsx = _xlsx_text(plan_to_xlsx(printed))
        html = plan_to_html(printed)
        for text in (xlsx, html):
            assert not any(e in text for e in foreign["event_id"].head(500))

    # the briefing of the latest month with events
    month = own["occurred_at"].max().strftime("%Y-%m") if len(own) else None
    if month:
        b = compose(ds, month, township=code, region_name=SETTINGS.region_name)
        text = _docx_text(to_docx(b))
        in_month = own["occurred_at"].dt.strftime("%Y-%m") == month
        total = int(in_month.sum())
        assert f"{total}" in text
        full_plates = set(full.events["plate"].dropna())
        assert not any(p in text for p in full_plates)
        csv = to_safe_csv(ds.events.drop(columns=["occurred_at"])).decode("utf-8-sig")
        assert not any(e in csv for e in foreign["event_id"].head(500))


def test_masked_briefing_counts_vehicles_as_the_commander_does(store: Store, full: Dataset) -> None:
    analyst = load_dataset(SETTINGS, store=store, scope=Scope(None, mask_plates=True))
    month = full.events["occurred_at"].max().strftime("%Y-%m")
    a = compose(analyst, month, region_name=SETTINGS.region_name)
    c = compose(full, month, region_name=SETTINGS.region_name)
    assert a.figures["repeat_vehicles"] == c.figures["repeat_vehicles"] > 0
    assert a.vehicles["本月出现次数"].tolist() == c.vehicles["本月出现次数"].tolist()
    assert a.vehicles["车牌(脱敏)"].str.contains(r"\*").all()
