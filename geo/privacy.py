"""Personal data: plates and persons' names are masked outside the commander role.

The ids that tell masked plates and persons apart (``V1a2b3c4d``, ``P…``) are keyed hashes
whose key is a secret of the deployment, kept in its ``data_dir`` (file ``plate_key``, mode
600, made once by :func:`deployment_secret`): every app process of ``hexpatrol serve
--workers N``, every restart and every command-line export of one deployment give a vehicle
the same id, and nobody without the file can compute an id from a plate. The deployment is
the one whose settings were read last (:func:`geo.config.load_settings` calls
:func:`use_deployment`); a process that read none uses the default look-up's.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import math
import os
import re
import secrets
import tempfile
import unicodedata
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd

_PLATE = re.compile(r"^([\u4e00-\u9fff])([A-Z])[·\.\s-]?([A-Z0-9])([A-Z0-9]+)$")
_PARTY_SPLIT: Final = re.compile(r"[、,,;;]+")
_CJK_GAP: Final = re.compile(r"(?<=[\u3400-\u9fff]) (?=[\u3400-\u9fff])")
_NO_PARTY: Final = frozenset(
    {"无", "不详", "未知", "暂无", "待查", "不明", "NA", "N/A", "NAN", "NONE", "NULL", "<NA>"}
)


def present_value(value: object) -> bool:
    """Whether a cell holds a value (not None, NA, NaT or NaN)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return False
    return not (isinstance(value, float | np.floating) and math.isnan(value))


def _missing(value: object) -> bool:
    return not present_value(value)


def mask_plate(plate: object) -> str:
    """``渝FB2089`` → ``渝F·B****``: province, city letter and first character kept.

    Anything that does not look like a Chinese plate is masked whole except its first
    character, so no unexpected format leaks in full.
    """
    if plate is None or (isinstance(plate, float) and plate != plate):
        return ""
    text = str(plate).strip().upper()
    if not text:
        return ""
    m = _PLATE.match(text)
    if m:
        return f"{m.group(1)}{m.group(2)}·{m.group(3)}{'*' * len(m.group(4))}"
    return text[0] + "*" * (len(text) - 1)


#: the file in ``data_dir`` holding the key of plate and person ids (never shown)
PLATE_KEY_FILE: Final = "plate_key"
_key_dir: Path | None = None


def deployment_secret(data_dir: Path, name: str) -> str:
    """A secret of the deployment, made once and kept in ``data_dir / name`` (mode 600).

    Every process of a deployment reads the same secret. A new one is written to a private
    temporary file and linked into place, so processes starting together never see a
    half-written file and the first one made wins. An empty file is replaced.

    Parameters
    ----------
    data_dir : Path
        The deployment's own folder (created if missing).
    name : str
        The file name, e.g. ``cookie_secret`` or :data:`PLATE_KEY_FILE`.

    Returns
    -------
    str
        The secret (43 URL-safe characters for a new one).
    """
    path = Path(data_dir) / name
    if path.is_file() and path.read_text(encoding="utf-8").strip():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{name}-")  # mode 600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(secrets.token_urlsafe(32))
        try:
            os.link(tmp, path)  # atomic; fails if another process made it first
        except FileExistsError:
            if not path.read_text(encoding="utf-8").strip():  # an empty one: replaced
                os.replace(tmp, path)
        except OSError:  # a file system without hard links
            os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path.read_text(encoding="utf-8").strip()


def use_deployment(data_dir: Path) -> None:
    """Key plate and person ids with the secret kept in ``data_dir`` from now on."""
    global _key_dir
    _key_dir = Path(data_dir).resolve()


@functools.cache
def _key_in(data_dir: Path) -> bytes:
    return deployment_secret(data_dir, PLATE_KEY_FILE).encode("ascii")


def _plate_key() -> bytes:
    if _key_dir is None:  # no settings read yet: the deployment of the default look-up
        from geo.config import load_settings

        use_deployment(load_settings().data_dir)
    assert _key_dir is not None
    return _key_in(_key_dir)


def plate_id(plate: object) -> str:
    """A short non-reversible id of a plate: same plate, same id in one deployment.

    The id is keyed with the deployment's secret (see the module docstring), so it is the
    same in every app process and after restarts, and differs between deployments.
    """
    if plate is None or (isinstance(plate, float) and plate != plate):
        return ""
    text = re.sub(r"[\s·.\-]", "", str(plate)).upper()
    return _keyed("V", text) if text else ""


def masked_label(plate: object) -> str:
    """A plate as a masking scope shows it: ``渝F·B**** (V1a2b3c4d)``, the id telling apart."""
    masked, key = mask_plate(plate), plate_id(plate)
    return f"{masked} ({key})" if key else masked


def _keyed(prefix: str, text: str) -> str:
    digest = hmac.new(_plate_key(), text.encode("utf-8"), hashlib.sha256).hexdigest()
    return prefix + digest[:8]


def normalize_party(text: object) -> list[str]:
    """The persons named in a ``party`` cell, normalised; ``[]`` for none.

    Full-width characters are folded, runs of spaces collapsed and spaces between Chinese
    characters removed (``张 三`` is ``张三``). A cell naming several people (``张三、李四``,
    also ``,`` and ``;``) yields each; placeholders (无, 不详, 未知, N/A …) are dropped.
    """
    if _missing(text):
        return []
    folded = unicodedata.normalize("NFKC", str(text))
    out = []
    for part in _PARTY_SPLIT.split(folded):
        name = _CJK_GAP.sub("", " ".join(part.split()))
        if name and name.upper() not in _NO_PARTY:
            out.append(name)
    return out


def mask_name(name: object) -> str:
    """``张三丰`` → ``张**``: the first character kept, the rest starred (at least one star)."""
    if _missing(name):
        return ""
    text = str(name).strip()
    if not text:
        return ""
    return text[0] + "*" * max(len(text) - 1, 1)


def mask_events(events: pd.DataFrame) -> pd.DataFrame:
    """Events with masked plates and persons, plus ``plate_id``/``party_id`` to count by.

    The ids are keyed hashes (the deployment's secret, see the module docstring): the same
    plate or person gets the same id in every process of the deployment, nobody can turn an
    id back into the plate or name. A ``party`` cell naming several
    people (``张三、李四``) keeps one masked name and one id per person, joined by ``、``.
    """
    out = events.copy()
    if "plate" in out.columns:
        codes, uniques = pd.factorize(out["plate"], use_na_sentinel=True)
        masked = [mask_plate(u) for u in uniques]
        ids = [plate_id(u) for u in uniques]
        out["plate"] = pd.array([masked[c] if c >= 0 else None for c in codes], dtype="string")
        out["plate_id"] = pd.array([ids[c] if c >= 0 else None for c in codes], dtype="string")
    if "party" in out.columns:  # each person of a cell masked, with an id to count by
        codes, uniques = pd.factorize(out["party"], use_na_sentinel=True)
        people = [normalize_party(u) for u in uniques]
        names: list[str | None] = ["、".join(mask_name(n) for n in p) or None for p in people]
        keys: list[str | None] = ["、".join(_keyed("P", n) for n in p) or None for p in people]
        out["party"] = pd.array([names[c] if c >= 0 else None for c in codes], dtype="string")
        out["party_id"] = pd.array([keys[c] if c >= 0 else None for c in codes], dtype="string")
    return out
