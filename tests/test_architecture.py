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


def _declared() -> set[str]:
    """Distribution names in pyproject.toml's dependencies (and test extras)."""
    import re
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = [*project["dependencies"], *project["optional-dependencies"]["test"]]
    return {re.split(r"[<>=!~\[; ]", spec, maxsplit=1)[0].lower() for spec in specs}


@pytest.mark.parametrize("package", ["geo", "layers", "app_pages", "data", "bench"])
def test_every_imported_package_is_declared(package: str) -> None:
    """Found in review: pydeck was imported but not declared (a fresh install lacked it)."""
    import sys
    from importlib.metadata import packages_distributions

    dists = packages_distributions()
    local = {"geo", "layers", "app_pages", "data", "bench", "tests"}
    local |= {p.stem for p in (ROOT / "data").glob("*.py")}  # scripts imported by path
    missing = {}
    for path in files(package):
        for module in imported_modules(path) - local - set(sys.stdlib_module_names):
            names = {d.lower() for d in dists.get(module, [module])}
            if not names & _declared():
                missing.setdefault(module, []).append(str(path.relative_to(ROOT)))
    assert not missing, f"imported but not declared in pyproject.toml: {missing}"


# ---- function length (issue 21): the longest function fits on a screen

MAX_LINES = 60
#: functions allowed to be longer, each with its reason
LONG_FUNCTIONS: dict[str, str] = {}


def code_lines(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """Lines of ``fn`` from its first statement after the docstring to its end."""
    body = fn.body
    if (
        len(body) > 1
        and isinstance(body[0], ast.Expr)
        and isinstance(body[0].value, ast.Constant)
        and isinstance(body[0].value.value, str)
    ):
        body = body[1:]
    return int(fn.end_lineno or fn.lineno) - body[0].lineno + 1


def long_functions(path: Path) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        (f"{path.relative_to(ROOT)}:{node.name}", code_lines(node))
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and code_lines(node) > MAX_LINES
    ]


@pytest.mark.parametrize("package", ["geo", "layers", "app_pages"])
def test_functions_fit_on_a_screen(package: str) -> None:
    found = [
        (name, n)
        for path in files(package)
        for name, n in long_functions(path)
        if name not in LONG_FUNCTIONS
    ]
    assert not found, f"functions over {MAX_LINES} lines (split them): {found}"


def test_the_length_check_counts_code_not_docstrings(tmp_path: Path) -> None:
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_LINES + 1))
    path = tmp_path / "long.py"
    path.write_text(f'def f():\n    """Doc.\n\n    More.\n    """\n{body}\n', encoding="utf-8")
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert code_lines(tree.body[0]) == MAX_LINES + 1  # type: ignore[arg-type]
