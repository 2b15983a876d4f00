from __future__ import annotations

from pathlib import Path

import pytest

from geo.config import DEMO_DIR, Settings, load_settings
from geo.errors import ConfigError


def test_defaults_point_at_the_demo(monkeypatch, tmp_path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("HEXPATROL_CONFIG", raising=False)
    s = load_settings()
    assert s == Settings()
    assert s.townships == DEMO_DIR / "townships.geojson"
    # the demo shows its synthetic base map (tile set "demo") and roads, villages, rivers
    assert s.tiles == "local" and s.basemap == "demo" and s.roads == DEMO_DIR / "roads.geojson"


def test_own_data_gets_no_demo_base_map(tmp_path: Path) -> None:
    cfg = tmp_path / "hexpatrol.toml"
    cfg.write_text('townships = "t.geojson"\nevents = ["a.csv"]\n', encoding="utf-8")
    s = load_settings(cfg)
    assert s.tiles == "none" and s.basemap == "" and s.roads is s.villages is s.rivers is None
    cfg.write_text(
        'townships = "t.geojson"\ntiles = "local"\nbasemap = "county"\nroads = "r.shp"\n'
        'villages = ""\n',
        encoding="utf-8",
    )
    s = load_settings(cfg)
    assert (s.tiles, s.basemap, s.villages) == ("local", "county", None)
    assert s.roads == tmp_path / "r.shp"
    cfg.write_text('townships = "t.geojson"\nevents = "a.csv"\ntiles = "local"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="basemap"):
        load_settings(cfg)


def test_toml_overrides_with_paths_relative_to_the_file(tmp_path: Path) -> None:
    cfg = tmp_path / "conf" / "hexpatrol.toml"
    cfg.parent.mkdir()
    cfg.write_text(
        'region_name = "某县"\ntownships = "t.geojson"\nevents = ["a.csv", "../b.xlsx"]\n'
        'h3_resolution = 9\ntiles = "custom"\ntile_url = "http://x/{z}/{x}/{y}.png"\n',
        encoding="utf-8",
    )
    s = load_settings(cfg)
    assert s.region_name == "某县" and s.h3_resolution == 9
    assert s.townships == (cfg.parent / "t.geojson").resolve()
    assert s.events == ((cfg.parent / "a.csv").resolve(), (tmp_path / "b.xlsx").resolve())


def test_env_variable_is_used(monkeypatch, tmp_path: Path) -> None:
    cfg = tmp_path / "x.toml"
    cfg.write_text("h3_resolution = 7\n")
    monkeypatch.setenv("HEXPATROL_CONFIG", str(cfg))
    assert load_settings().h3_resolution == 7


class TestErrors:
    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("h3_resolution = 12\n", "must be 7..10"),
            ('tiles = "google"\n', "tiles was 'google'"),
            ('tiles = "custom"\n', "needs tile_url"),
            ("colour = 1\n", "unknown settings \\['colour'\\]"),
            ("h3_resolution = \n", "not valid TOML"),
            ("tip_weight = -1\n", "must be >= 0"),
        ],
        ids=["resolution", "tiles", "custom-without-url", "unknown-key", "syntax", "weight"],
    )
    def test_bad_settings_explain_themselves(self, tmp_path: Path, text: str, message: str) -> None:
        cfg = tmp_path / "hexpatrol.toml"
        cfg.write_text(text)
        with pytest.raises(ConfigError, match=message):
            load_settings(cfg)

    def test_named_file_must_exist(self, tmp_path: Path) -> None:
        with pytest.raises(ConfigError, match="not found"):
            load_settings(tmp_path / "nope.toml")


def test_the_documented_example_loads() -> None:
    example = Path(__file__).resolve().parents[2] / "docs" / "hexpatrol.example.toml"
    s = load_settings(example)
    assert s.tiles == "none" and s.gi_k == 1 and s.fdr is True
    assert s.data_dir == example.parent / "var" and s.session_minutes == 240
    assert s.periods.night[0].hour == 20 and len(s.periods.chunyun) == 2
    assert s.periods.sensitive_dates[0][0] == s.periods.sensitive_dates[0][1]


def test_store_settings(tmp_path: Path) -> None:
    cfg = tmp_path / "hexpatrol.toml"
    cfg.write_text('region_name = "垫江县"\n', encoding="utf-8")
    assert load_settings(cfg).data_dir == tmp_path.resolve() / "var"  # never another county's
    cfg.write_text("session_minutes = 2\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="session_minutes"):
        load_settings(cfg)


def test_is_demo(tmp_path: Path) -> None:
    from geo.config import is_demo

    assert is_demo(Settings())
    cfg = tmp_path / "hexpatrol.toml"
    cfg.write_text('townships = "t.geojson"\nevents = ["cases.csv"]\n', encoding="utf-8")
    assert not is_demo(load_settings(cfg))
