"""Imports go one way: app -> layers -> geo. geo never sees the UI; layers never sees Streamlit."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {
    "geo": {"streamlit", "folium", "streamlit_folium", "branca", "layers", "app_pages"},
    "layers": {"streamlit", "streamlit_folium", "app_pages"},
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def files(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", sorted(FORBIDDEN), ids=sorted(FORBIDDEN))
def test_no_wrong_way_imports(package: str) -> None:
    found = files(package)
    assert found, f"no python files under {package}/"
    bad = {
        str(p.relative_to(ROOT)): sorted(imported_modules(p) & FORBIDDEN[package]) for p in found
    }
    assert not {k: v for k, v in bad.items() if v}


def test_the_checker_sees_imports(tmp_path: Path) -> None:
    sample = tmp_path / "x.py"
    sample.write_text(
        "import streamlit as st\nfrom folium.plugins import X\ndef f():\n    import branca\n"
    )
    assert imported_modules(sample) == {"streamlit", "folium", "branca"}
