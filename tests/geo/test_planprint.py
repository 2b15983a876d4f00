"""Printed patrol plans: teams, roster, place names, typed Excel cells, an A4 page, a map."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from geo.config import Settings
from geo.export import plan_documents, plan_package, plan_table, plan_to_html, plan_to_xlsx
from geo.periods import holiday_blocks
from geo.planning import PlanRequest, make_plan, period_window
from geo.planprint import busy_days_note, plan_extent, plan_map_png, printed_plan, roster_of

CHROMIUM = "/usr/bin/chromium"


def national_day_2025() -> tuple[dt.date, ...]:
    blocks = holiday_blocks(dt.date(2025, 9, 1), dt.date(2025, 10, 31))
    (block,) = [b for b in blocks if "national_day" in b.keys]
    return block.days


def test_holiday_presets_come_from_the_calendar() -> None:
    days = national_day_2025()
    assert days[0] == dt.date(2025, 10, 1) and days[-1] == dt.date(2025, 10, 8)  # 8 days
    blocks = holiday_blocks(dt.date(2025, 9, 1), dt.date(2025, 10, 31))
    (block,) = [b for b in blocks if "national_day" in b.keys]
    assert block.keys == ("national_day", "mid_autumn_festival")  # 2025: both in one block
    assert all(
        b.first <= b.last for b in holiday_blocks(dt.date(2024, 1, 1), dt.date(2026, 12, 31))
    )


def test_period_windows() -> None:
    assert period_window("night") == "20:00-06:00"
    with pytest.raises(ValueError):
        period_window("custom")


@pytest.fixture(scope="module")
def plan(demo):
    fixed = tuple(demo.key_areas.loc[demo.key_areas["category"] == "hsr_station", "id"])
    request = PlanRequest(
        period="night", teams=3, fixed_posts=fixed, days=national_day_2025(), res=9, team_size=4
    )
    result = make_plan(demo, request)
    printed = printed_plan(result, request, title="云阳县巡逻建议(夜间)", period_label="夜间")
    return demo, result, printed


def test_teams_posts_and_roster(plan) -> None:
    _, result, printed = plan
    teams = printed.teams
    assert teams["team"].tolist() == list(range(1, len(teams) + 1))
    assert teams.iloc[0]["duty"] == "云阳站(高铁)(固定岗)"
    assert teams["duty"].iloc[1:].str.contains("周边1000米巡逻").all()
    assert (teams["people"] == 4).all() and (teams["hours"] == "20:00-06:00").all()
    # every post has a place name, none is a hexagon id
    names = " ".join(printed.posts["name"]) + " ".join(printed.duty["duty"])
    assert not re.search(r"\b8[0-9a-f]{14}\b", names)
    assert printed.posts["name"].str.len().gt(1).all()
    # the roster: one column per day of the 8-day holiday, the doubled teams on holidays
    assert list(printed.roster.columns) == ["team", *[f"10-0{i}" for i in range(1, 9)]]
    assert len(printed.roster) == 1 + 3 * 2  # 1 fixed + 3 mobile × holiday factor 2
    assert set(printed.roster["10-01"]) <= {f"{n}号岗" for n in printed.posts["post_no"]}
    # coordinates to 5 decimals
    assert (printed.posts["lat"].round(5) == printed.posts["lat"]).all()


def test_holidays_say_the_rotation_needs_more_teams(plan) -> None:
    _, _, printed = plan
    note = busy_days_note(printed, 3, 2.0)
    assert "10-01、10-02" in note and "10-08" in note
    assert "各 6 个机动组(平日 3 个)" in note and "组号 5 及以后" in note  # 1 fixed + 3 mobile
    assert "teams 5 and above" in busy_days_note(printed, 3, 2.0, "en")
    assert busy_days_note(printed, 6, 2.0) == ""  # no day beyond the table: nothing to say


def test_the_plan_tables_in_english(plan) -> None:
    _, _, printed = plan
    teams = plan_table(printed.teams, "en")
    assert teams["Duty"].iloc[0] == "云阳站(高铁) (fixed post)"  # the place's name stays
    assert teams["Duty"].iloc[1:].str.startswith("patrol within 1000 m of ").all()
    roster = roster_of(printed.duty, "en")
    assert set(roster["10-01"]) <= {f"Post {n}" for n in printed.posts["post_no"]}
    assert roster.drop(columns="team").equals(
        printed.roster.drop(columns="team").replace(r"^(\d+)号岗$", r"Post \1", regex=True)
    )


def test_excel_reads_back_with_numbers_as_numbers(plan, tmp_path: Path) -> None:
    demo, result, printed = plan
    picture = plan_map_png(demo, printed, result.cells, size_mm=(120, 80), dpi=80)
    book = openpyxl.load_workbook(io.BytesIO(plan_to_xlsx(printed, map_png=picture)))
    assert book.sheetnames[:2] == ["分组安排", "地图"] and len(book["地图"]._images) == 1
    teams = book["分组安排"]
    assert [c.value for c in teams[1]] == [
        "组号",
        "岗位号",
        "类型",
        "岗位/巡逻范围",
        "时段",
        "人数",
    ]
    assert all(isinstance(teams.cell(2, c).value, int) for c in (1, 2, 6))
    posts = book["岗位"]
    header = [c.value for c in posts[1]]
    lat = posts.cell(2, header.index("纬度") + 1)
    assert isinstance(lat.value, float) and lat.number_format == "0.00000"
    assert abs(lat.value - round(lat.value, 5)) < 1e-12
    duty = book["逐日安排"]
    day = duty.cell(2, 1)
    assert isinstance(day.value, dt.datetime) and day.number_format == "yyyy-mm-dd"
    roster = book["排班表"]
    assert [c.value for c in roster[1]][:3] == ["组号", "10-01", "10-02"]


def test_map_png_fits_every_post(plan) -> None:
    demo, result, printed = plan
    minx, miny, maxx, maxy = plan_extent(printed.posts, printed.radius_m)
    assert (
        printed.posts["lon"].between(minx, maxx) & printed.posts["lat"].between(miny, maxy)
    ).all()
    picture = plan_map_png(demo, printed, result.cells, size_mm=(120, 80), dpi=80)
    assert picture.startswith(b"\x89PNG")


@pytest.mark.browser
def test_printable_page_prints_on_a4(plan, tmp_path: Path) -> None:
    if not Path(CHROMIUM).exists() or shutil.which("pdfinfo") is None:
        pytest.skip("chromium and poppler needed (make test installs them)")
    demo, result, printed = plan
    picture = plan_map_png(demo, printed, result.cells, dpi=100)
    page = plan_to_html(printed, map_png=picture)
    assert "@page{size:A4" in page and "data:image/png;base64," in page
    assert "http://" not in page and "https://" not in page  # prints offline
    src = tmp_path / "plan.html"
    src.write_text(page, encoding="utf-8")
    pdf = tmp_path / "plan.pdf"
    subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            src.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())
    assert abs(width - 595.3) < 2 and abs(height - 841.9) < 2  # A4 in points
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "分组安排" in text and "逐日排班表" in text and "云阳站(高铁)" in text


def test_package_then_documents_as_the_page_makes_them(demo) -> None:
    """The page's plan (shared by its users) and its files (made only when downloaded)."""
    fixed = tuple(demo.key_areas.loc[demo.key_areas["category"] == "hsr_station", "id"])
    request = PlanRequest(period="night", teams=2, fixed_posts=fixed, res=9)
    settings = Settings()
    made = plan_package(demo, request, settings)
    assert made.request == request
    assert made.printed.title == f"{settings.region_name}巡逻建议(夜间 {made.result.time_window})"
    docs = plan_documents(demo, made, settings, synthetic=True)
    assert docs.picture.startswith(b"\x89PNG")
    book = openpyxl.load_workbook(io.BytesIO(docs.xlsx))
    notes = " ".join(str(c.value) for row in book["说明"].iter_rows() for c in row)
    assert "合成" in notes  # the synthetic-data banner travels with the file
    assert made.printed.title in docs.html and "合成" in docs.html
