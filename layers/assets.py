"""Serve folium's JavaScript and CSS from this machine instead of public CDNs.

Folium points every map at jsDelivr, cdnjs and others; on an intranet those never load and
the map stays blank. At install time :func:`fetch` takes the same libraries, at the same
versions, from the npm registry (``npm pack``) into ``static/vendor/``; Streamlit serves that
folder at ``/app/static/vendor/`` (``server.enableStaticServing``). :func:`localize` rewrites
every element of a map to those local copies and refuses any CDN address it does not know, so
a new plugin cannot bring a network dependency in unnoticed.

Run ``python -m layers.assets fetch`` (the Makefile does) to populate the folder.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import folium
from branca.element import Element

STATIC_DIR = Path(__file__).resolve().parent.parent / "static" / "vendor"
BASE_URL = "/app/static/vendor"


@dataclass(frozen=True)
class Package:
    """One npm package and the parts of it the map needs."""

    spec: str  # npm name@version, as folium pins it
    folder: str  # folder under static/vendor
    keep: tuple[str, ...]  # path prefixes inside the package to keep


PACKAGES: tuple[Package, ...] = (
    Package("leaflet@1.9.3", "leaflet", ("dist/", "LICENSE")),
    Package("jquery@3.7.1", "jquery", ("dist/jquery.min.js", "LICENSE.txt")),
    Package(
        "bootstrap@5.2.2",
        "bootstrap",
        ("dist/js/bootstrap.bundle.min.js", "dist/css/bootstrap.min.css", "LICENSE"),
    ),
    Package(
        "@fortawesome/fontawesome-free@6.2.0", "fontawesome", ("css/", "webfonts/", "LICENSE.txt")
    ),
    Package("drmonty-leaflet-awesome-markers@2.0.2", "awesome-markers", ("css/", "js/")),
    Package("leaflet.markercluster@1.1.0", "markercluster", ("dist/", "MIT-LICENCE.txt")),
)

#: CDN address used by folium -> path under static/vendor ("" = not needed, dropped).
_CDNJS = "https://cdnjs.cloudflare.com/ajax/libs"
_FOLIUM_GH = "https://cdn.jsdelivr.net/gh/python-visualization/folium/folium/templates"
URL_MAP: dict[str, str] = {
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js": "leaflet/dist/leaflet.js",
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css": "leaflet/dist/leaflet.css",
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery/dist/jquery.min.js",
    "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/js/bootstrap.bundle.min.js": (
        "bootstrap/dist/js/bootstrap.bundle.min.js"
    ),
    "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/css/bootstrap.min.css": (
        "bootstrap/dist/css/bootstrap.min.css"
    ),
    "https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@6.2.0/css/all.min.css": (
        "fontawesome/css/all.min.css"
    ),
    f"{_CDNJS}/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.js": (
        "awesome-markers/js/leaflet.awesome-markers.min.js"
    ),
    f"{_CDNJS}/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.css": (
        "awesome-markers/css/leaflet.awesome-markers.css"
    ),
    f"{_CDNJS}/leaflet.markercluster/1.1.0/leaflet.markercluster.js": (
        "markercluster/dist/leaflet.markercluster.js"
    ),
    f"{_CDNJS}/leaflet.markercluster/1.1.0/MarkerCluster.css": (
        "markercluster/dist/MarkerCluster.css"
    ),
    f"{_CDNJS}/leaflet.markercluster/1.1.0/MarkerCluster.Default.css": (
        "markercluster/dist/MarkerCluster.Default.css"
    ),
    # Bootstrap 3 glyphicons and rotated awesome-markers: hexpatrol draws neither.
    "https://netdna.bootstrapcdn.com/bootstrap/3.0.0/css/bootstrap-glyphicons.css": "",
    f"{_FOLIUM_GH}/leaflet.awesome.rotate.min.css": "",
}


class UnknownAssetError(ValueError):
    """A map element asks for a CDN address with no local copy."""


def _walk(element: Element) -> Iterator[Element]:
    yield element
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)


def _local(url: str, base_url: str) -> str | None:
    if url.startswith(base_url) or not url.startswith(("http://", "https://", "//")):
        return url
    if url not in URL_MAP:
        raise UnknownAssetError(
            f"map asset {url!r} has no local copy; add it to layers.assets.PACKAGES and URL_MAP"
        )
    path = URL_MAP[url]
    return f"{base_url}/{path}" if path else None


def localize(m: folium.Map, *, base_url: str = BASE_URL) -> folium.Map:
    """Point every element of ``m`` at the local copies under ``base_url`` (in place).

    Raises
    ------
    UnknownAssetError
        If an element needs a CDN address that :data:`URL_MAP` does not map.
    """
    for element in _walk(m):
        for attr in ("default_js", "default_css"):
            links = getattr(element, attr, None)
            if not links:
                continue
            local = [(name, _local(url, base_url)) for name, url in links]
            setattr(element, attr, [(name, url) for name, url in local if url])
    return m


def missing_files(static_dir: Path = STATIC_DIR) -> list[str]:
    """Local asset files that :data:`URL_MAP` needs but ``static_dir`` lacks."""
    return sorted(p for p in set(URL_MAP.values()) if p and not (static_dir / p).is_file())


def fetch(static_dir: Path = STATIC_DIR, *, npm: str = "npm") -> None:
    """Download the pinned packages with ``npm pack`` and unpack what the map needs."""
    if shutil.which(npm) is None:
        raise SystemExit(f"'{npm}' not found: install Node.js/npm (Debian: apt-get install npm)")
    static_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for pkg in PACKAGES:
            print(f"fetching {pkg.spec}", flush=True)
            out = (
                subprocess.run(
                    [npm, "pack", "--silent", "--pack-destination", tmp, pkg.spec],
                    check=True,
                    capture_output=True,
                    text=True,
                )
                .stdout.strip()
                .splitlines()[-1]
            )
            target = static_dir / pkg.folder
            shutil.rmtree(target, ignore_errors=True)
            with tarfile.open(Path(tmp) / out) as tar:
                for member in tar.getmembers():
                    rel = member.name.removeprefix("package/")
                    if not member.isfile() or not rel.startswith(pkg.keep):
                        continue
                    dest = target / rel
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    src = tar.extractfile(member)
                    assert src is not None
                    dest.write_bytes(src.read())
    missing = missing_files(static_dir)
    if missing:
        raise SystemExit(f"assets still missing after fetch: {missing}")
    print(f"map assets ready in {static_dir}")


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m layers.assets fetch|check``."""
    parser = argparse.ArgumentParser(prog="python -m layers.assets")
    parser.add_argument("action", choices=["fetch", "check"])
    parser.add_argument("--dir", type=Path, default=STATIC_DIR)
    args = parser.parse_args(argv)
    if args.action == "fetch":
        fetch(args.dir)
        return 0
    missing = missing_files(args.dir)
    if missing:
        print("missing map assets (run: python -m layers.assets fetch):", *missing, sep="\n  ")
        return 1
    print("map assets complete")
    return 0


if __name__ == "__main__":
    sys.exit(main())
