"""Deployment settings: one immutable object, defaults in code, overrides from TOML.

Look-up order: an explicit path, then ``$HEXPATROL_CONFIG``, then ``./hexpatrol.toml``; a
missing file means "all defaults". Paths in the file are relative to the file itself.
Settings are passed explicitly; nothing here is mutated at run time. One thing follows the
settings read last: the ``data_dir`` whose secret keys masked plate ids
(:func:`geo.privacy.use_deployment`), so one deployment's ids agree in every process.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from geo.errors import ConfigError
from geo.i18n import LANGS
from geo.periods import PeriodSettings
from geo.privacy import use_deployment
from geo.screening.settings import ScreeningSettings

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEMO_DIR = PROJECT_DIR / "data" / "demo"

TILE_CHOICES = ("none", "local", "osm", "tianditu", "amap", "custom")
BASEMAP_NAME = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"


@dataclass(frozen=True)
class Settings:
    """Every setting of a deployment, with its default.

    Attributes
    ----------
    region_name : str
        Shown in titles, e.g. "云阳县".
    region_code : str
        The region's administrative code (6 digits for a county), shown in exports.
    townships : Path
        Jurisdiction polygons: GeoJSON, Shapefile or GeoPackage in any CRS (converted to
        WGS-84; a file without a CRS is taken as WGS-84).
    township_code_field, township_name_field : str
        Columns of that file holding the 9-digit code and the name (default ``code``,
        ``name``).
    key_areas : Path
        GeoJSON of key areas (points) with ``name``, ``category``, ``radius_m``.
    routes : Path
        GeoJSON of key routes (lines) with ``name``; optional.
    events : tuple of Path
        Ledger files loaded at start (cases and tips in any format ``hexpatrol check`` reads).
    h3_resolution : int
        Default hexagon resolution, 7 (coarse, ~5 km²) to 10 (fine, ~0.015 km²).
    tiles : str
        Base map: ``local`` (the tile set ``basemap`` imported with ``hexpatrol basemap
        import``, served by the app itself; the demo's default), ``none`` (no tiles; township
        boundaries are the base; the default of a deployment's own ``hexpatrol.toml``),
        ``osm`` (internet), ``tianditu`` (天地图, needs ``tianditu_key``), ``amap`` (高德; its
        tiles are GCJ-02, so every layer is shifted to GCJ-02 to line up) or ``custom``
        (``tile_url``, e.g. an intranet tile server).
    tile_url, tile_attribution : str
        For ``tiles = "custom"``: an XYZ template ``https://host/{z}/{x}/{y}.png``.
    tianditu_key : str
        The 天地图 browser key for ``tiles = "tianditu"``.
    basemap : str
        For ``tiles = "local"``: the name of an imported tile set (``hexpatrol basemap
        list``); the demo's synthetic tile set is ``demo``.
    roads, villages, rivers : Path or None
        Vector layers drawn under the hexagons, with labels that appear by zoom level:
        roads (lines), villages (points) and rivers (lines or polygons), each a GeoJSON,
        Shapefile or GeoPackage in any CRS; ``None`` (``""`` in the file) for none. The
        defaults are the demo's synthetic layers.
    roads_name_field, villages_name_field, rivers_name_field : str
        The files' own name columns (default ``name``; e.g. ``MC`` or ``NAME``).
    roads_class_field : str
        The roads' class column (高速/国道/省道/县道/乡道/村道 or expressway, primary, …);
        optional, default ``class``.
    cjk_font : Path or None
        A CJK font file (OTF/TTF/TTC) for the briefing's and the plan's maps; default: Noto
        CJK found on the system (Debian ``fonts-noto-cjk``).
    language : str
        Default UI language, ``zh`` or ``en`` (users can switch).
    deck_threshold : int
        Above this many hexagons the map switches to the deck.gl view.
    data_dir : Path
        Where the deployment keeps its own files: the SQLite store ``hexpatrol.sqlite``
        (default: ``var/`` beside the config file; without a config file, ``var/`` in the
        project folder).
    database_url : str
        SQLAlchemy URL of the store, e.g. ``postgresql+psycopg://user:pass@host/hexpatrol``;
        empty means the SQLite file in ``data_dir``. ``$HEXPATROL_DB_URL`` overrides it.
    users_file : str
        Reserved (users live in the store; see ``hexpatrol users``).
    session_minutes : int
        A login ends after this many minutes without activity (default 240).
    case_weight, tip_weight : float
        Weight of one case and one tip in a cell's score.
    gi_k : int
        Gi* neighbourhood: k rings of hexagons around each cell (1 = the 6 touching cells).
    gi_transform : str
        ``none`` (classic Gi* on scores) or ``log1p`` (flags smaller clusters too).
    fdr : bool
        Correct Gi* p-values for multiple testing (Benjamini-Hochberg). Default true.
    periods : PeriodSettings
        The ``[periods]`` table: night hours, school windows, 春运 windows, school
        vacations, sensitive dates, a holiday table (see :class:`geo.periods.PeriodSettings`).
    screening : ScreeningSettings
        The ``[screening]`` table: how checkpoint passes are cleaned, described and scored
        (see :class:`geo.screening.settings.ScreeningSettings`).
    """

    region_name: str = "云阳县"
    region_code: str = "500235"
    townships: Path = DEMO_DIR / "townships.geojson"
    township_code_field: str = "code"
    township_name_field: str = "name"
    key_areas: Path = DEMO_DIR / "key_areas.geojson"
    routes: Path = DEMO_DIR / "routes.geojson"
    events: tuple[Path, ...] = (DEMO_DIR / "cases.csv", DEMO_DIR / "tips.csv")
    h3_resolution: int = 8
    tiles: str = "local"
    tile_url: str = ""
    tile_attribution: str = ""
    tianditu_key: str = ""
    basemap: str = "demo"
    roads: Path | None = DEMO_DIR / "roads.geojson"
    villages: Path | None = DEMO_DIR / "villages.geojson"
    rivers: Path | None = DEMO_DIR / "rivers.geojson"
    roads_name_field: str = "name"
    villages_name_field: str = "name"
    rivers_name_field: str = "name"
    roads_class_field: str = "class"
    cjk_font: Path | None = None
    language: str = "zh"
    deck_threshold: int = 3000
    data_dir: Path = PROJECT_DIR / "var"
    database_url: str = ""
    users_file: str = ""
    session_minutes: int = 240
    case_weight: float = 1.0
    tip_weight: float = 0.5
    gi_k: int = 1
    gi_transform: str = "none"
    fdr: bool = True
    periods: PeriodSettings = field(default_factory=PeriodSettings)
    screening: ScreeningSettings = field(default_factory=ScreeningSettings)

    def __post_init__(self) -> None:
        if not 7 <= self.h3_resolution <= 10:
            raise ConfigError(f"h3_resolution was {self.h3_resolution} but must be 7..10")
        if self.tiles not in TILE_CHOICES:
            raise ConfigError(f"tiles was {self.tiles!r} but is expected to be in {TILE_CHOICES}")
        if self.tiles == "custom" and "{z}" not in self.tile_url:
            raise ConfigError("tiles = 'custom' needs tile_url with {z}/{x}/{y} placeholders")
        if self.tiles == "local" and not re.match(BASEMAP_NAME, self.basemap):
            raise ConfigError(
                f"basemap was {self.basemap!r}: tiles = 'local' needs the name of an imported "
                f"tile set (letters, digits, - and _; see hexpatrol basemap list)"
            )
        if self.tiles == "tianditu" and not self.tianditu_key:
            raise ConfigError("tiles = 'tianditu' needs tianditu_key (a 天地图 browser key)")
        if self.language not in LANGS:
            raise ConfigError(
                f"language was {self.language!r} but is expected to be in {LANGS}"
            )
        if not 5 <= self.session_minutes <= 1440:
            raise ConfigError(f"session_minutes was {self.session_minutes} but must be 5..1440")
        if self.deck_threshold < 100:
            raise ConfigError(f"deck_threshold was {self.deck_threshold} but must be >= 100")
        if self.case_weight < 0 or self.tip_weight < 0:
            raise ConfigError("case_weight and tip_weight must be >= 0")
        if not 1 <= self.gi_k <= 5:
            raise ConfigError(f"gi_k was {self.gi_k} but must be 1..5")
        if self.gi_transform not in ("none", "log1p"):
            raise ConfigError(f"gi_transform was {self.gi_transform!r} but must be none or log1p")


def is_demo(settings: Settings) -> bool:
    """Whether the settings show the bundled synthetic demo data (labelled so everywhere)."""
    return any(DEMO_DIR in Path(p).parents for p in (settings.townships, *settings.events))


_PATH_FIELDS = {"townships", "key_areas", "routes", "data_dir"}
_OPTIONAL_PATHS = {"roads", "villages", "rivers", "cjk_font"}
#: defaults that belong to the demo: a deployment of its own data gets none of them unless its
#: file names them (no synthetic base map or roads under real records)
_DEMO_ONLY: dict[str, Any] = {
    "tiles": "none",
    "basemap": "",
    "roads": None,
    "villages": None,
    "rivers": None,
}


def config_file(path: str | os.PathLike[str] | None = None) -> Path | None:
    """The settings file :func:`load_settings` reads (absolute), or None for the demo defaults."""
    candidate = path or os.environ.get("HEXPATROL_CONFIG") or "hexpatrol.toml"
    file = Path(candidate)
    return file.resolve() if file.is_file() else None


def load_settings(path: str | os.PathLike[str] | None = None) -> Settings:
    """Read settings from a TOML file (see module docstring for the look-up order).

    Masked plate and person ids are keyed with the secret in the returned ``data_dir`` from
    then on (:func:`geo.privacy.use_deployment`).
    """
    candidate = path or os.environ.get("HEXPATROL_CONFIG") or "hexpatrol.toml"
    file = Path(candidate)
    if not file.is_file():
        if path is not None or os.environ.get("HEXPATROL_CONFIG"):
            raise ConfigError(f"config file {file} not found")
        return _deployment(Settings())
    try:
        raw: dict[str, Any] = tomllib.loads(file.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file}: not valid TOML ({exc})") from exc
    known = {f.name for f in fields(Settings)}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ConfigError(f"{file}: unknown settings {unknown}; known settings are {sorted(known)}")
    base = file.resolve().parent
    values: dict[str, Any] = {"data_dir": base / "var"}
    for key, value in raw.items():
        if key in _PATH_FIELDS:
            values[key] = (base / value).resolve()
        elif key in _OPTIONAL_PATHS:  # "" = no such file
            values[key] = (base / value).resolve() if str(value).strip() else None
        elif key == "periods":
            if not isinstance(value, dict):
                raise ConfigError(f"{file}: [periods] must be a table")
            values[key] = PeriodSettings.from_mapping(value, base=str(base))
        elif key == "screening":
            if not isinstance(value, dict):
                raise ConfigError(f"{file}: [screening] must be a table")
            values[key] = ScreeningSettings.from_mapping(value)
        elif key == "events":
            items = [value] if isinstance(value, str) else list(value)
            values[key] = tuple((base / v).resolve() for v in items)
        else:
            values[key] = value
    if not is_demo(
        replace(Settings(), **{k: values[k] for k in ("townships", "events") if k in values})
    ):
        values = {**{k: v for k, v in _DEMO_ONLY.items() if k not in raw}, **values}
    return _deployment(replace(Settings(), **values))


def _deployment(settings: Settings) -> Settings:
    use_deployment(settings.data_dir)  # masked plate ids keyed with this deployment's secret
    return settings
