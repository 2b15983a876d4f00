from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo import privacy
from geo.config import load_settings
from geo.privacy import PLATE_KEY_FILE, deployment_secret, mask_plate, plate_id
from geo.serve import cookie_secret

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("plate", "masked"),
    [
        ("渝FB2089", "渝F·B****"),
        ("渝F·32345", "渝F·3****"),
        ("渝fab12c", "渝F·A****"),
        ("京A12345D", "京A·1*****"),
        ("ABC123", "A*****"),
        ("", ""),
        (None, ""),
    ],
    ids=["plain", "dotted", "lower", "new-energy", "foreign", "empty", "none"],
)
def test_mask(plate, masked) -> None:
    assert mask_plate(plate) == masked


@given(st.text(min_size=1, max_size=12))
def test_never_shows_more_than_three_leading_characters(text: str) -> None:
    masked = mask_plate(text)
    clean = text.strip().upper().replace("·", "")
    if len(clean) > 4:
        assert clean not in masked.replace("·", "")
        assert masked.count("*") >= len(clean) - 3 - 1


# ---- masked ids: one key per deployment (found in review: a key per process gave the same
# vehicle different ids in the workers of `hexpatrol serve --workers 2`)

_ID_OF = "from geo.privacy import plate_id; print(plate_id('渝FB2089'))"


def _id_in_new_process(config: Path) -> str:
    env = {**os.environ, "HEXPATROL_CONFIG": str(config)}
    out = subprocess.run(
        [sys.executable, "-c", _ID_OF], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def _config(folder: Path) -> Path:
    folder.mkdir()
    config = folder / "hexpatrol.toml"
    config.write_text('data_dir = "var"\n', encoding="utf-8")
    return config


class TestDeploymentKey:
    def test_same_id_in_every_process_of_a_deployment(self, tmp_path: Path) -> None:
        config = _config(tmp_path / "a")
        first, second = _id_in_new_process(config), _id_in_new_process(config)
        assert first == second and first.startswith("V") and len(first) == 9
        key = tmp_path / "a" / "var" / PLATE_KEY_FILE
        assert stat.S_IMODE(key.stat().st_mode) == 0o600

    def test_another_deployment_another_id(self, tmp_path: Path) -> None:
        assert _id_in_new_process(_config(tmp_path / "a")) != _id_in_new_process(
            _config(tmp_path / "b")
        )

    def test_settings_read_name_the_key(self, tmp_path: Path, monkeypatch) -> None:
        monkeypatch.setattr(privacy, "_key_dir", None)
        config = _config(tmp_path / "a")
        load_settings(config)
        here = plate_id("渝FB2089")
        assert here == _id_in_new_process(config)
        assert privacy._key_dir == (tmp_path / "a" / "var").resolve()


class TestDeploymentSecret:
    def test_made_once_then_read(self, tmp_path: Path) -> None:
        secret = deployment_secret(tmp_path / "var", "s")
        assert len(secret) >= 40 and deployment_secret(tmp_path / "var", "s") == secret
        assert stat.S_IMODE((tmp_path / "var" / "s").stat().st_mode) == 0o600
        assert [p.name for p in (tmp_path / "var").iterdir()] == ["s"]  # no temporary left

    def test_an_empty_file_is_replaced(self, tmp_path: Path) -> None:
        (tmp_path / "s").write_text("", encoding="utf-8")
        assert deployment_secret(tmp_path, "s")

    def test_the_cookie_secret_is_one(self, tmp_path: Path) -> None:
        assert cookie_secret(tmp_path) == deployment_secret(tmp_path, "cookie_secret")
