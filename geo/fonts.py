"""The CJK font of printed output, found by its file and registered with matplotlib explicitly.

matplotlib keeps a cached list of the system's fonts (``fontlist-*.json`` in its config
folder) and does not look again when fonts are installed later: a machine whose cache was
built before ``fonts-noto-cjk`` arrived draws every Chinese character as a box. This module
finds a CJK font *file* (the ``cjk_font`` setting, Noto CJK at the usual places, or what
fontconfig lists for Chinese) and adds it to matplotlib's font manager itself, so the cache
cannot matter. The same family is named in the briefing's Word document, so maps and text
share one typeface.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Final

#: Preferred families, best first: one serif family prints like 公文 (宋体-like).
FAMILIES: Final = (
    "Noto Serif CJK SC",
    "Source Han Serif SC",
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "SimSun",
    "Microsoft YaHei",
)
#: Where distributions put Noto CJK (Debian/Ubuntu, Fedora, Arch) and Windows/macOS fonts.
CANDIDATES: Final = (
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc",
    "/usr/share/fonts/google-noto-serif-cjk-fonts/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "C:/Windows/Fonts/simsun.ttc",
    "C:/Windows/Fonts/msyh.ttc",
    "/System/Library/Fonts/Supplemental/Songti.ttc",
)
#: A character every Chinese font has and Latin-only fonts lack.
_PROBE: Final = "云"


@dataclass(frozen=True)
class CjkFont:
    """A CJK font family and the files that hold it.

    Attributes
    ----------
    family : str
        The family name (e.g. ``Noto Serif CJK SC``), as Word and matplotlib call it.
    files : tuple of Path
        Its font files (regular and bold where present).
    """

    family: str
    files: tuple[Path, ...]


def _fontconfig_files() -> list[Path]:
    """Files fontconfig lists as supporting Chinese (empty without fontconfig)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return []
    try:
        out = subprocess.run(
            [fc_list, ":lang=zh", "file"], capture_output=True, text=True, timeout=20, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return sorted({Path(line.split(":")[0].strip()) for line in out.splitlines() if line.strip()})


def _faces(path: Path) -> list[str]:
    """Family names of the faces in a font file that have Chinese glyphs."""
    from matplotlib.ft2font import FT2Font

    names: list[str] = []
    index, count = 0, 1
    while index < count:  # a collection (.ttc) holds several faces
        try:
            face = FT2Font(str(path), face_index=index) if index else FT2Font(str(path))
        except (OSError, RuntimeError, TypeError, ValueError):
            break  # unreadable, or a matplotlib that reads the first face only
        count = min(int(getattr(face, "num_faces", 1)), 32)
        if face.get_char_index(ord(_PROBE)):
            names.append(str(face.family_name))
        index += 1
    return names


@functools.lru_cache(maxsize=8)
def find_cjk_font(path: str | None = None) -> CjkFont | None:
    """The CJK font to print with: ``path`` if given, else the best one on this machine.

    Parameters
    ----------
    path : str, optional
        A font file (the ``cjk_font`` setting).

    Returns
    -------
    CjkFont or None
        ``None`` when no file with Chinese glyphs is found.
    """
    files = [Path(path)] if path else [Path(p) for p in CANDIDATES] + _fontconfig_files()
    found: dict[str, list[Path]] = {}
    for file in files:
        if not file.is_file():
            continue
        for family in _faces(file):
            found.setdefault(family, [])
            if file not in found[family]:
                found[family].append(file)
    if not found:
        return None
    preferred = [f for f in FAMILIES if f in found] + [f for f in found if f.endswith(" SC")]
    family = preferred[0] if preferred else next(iter(found))
    return CjkFont(family, tuple(found[family]))


def matplotlib_family(path: str | os.PathLike[str] | None = None) -> str | None:
    """Register the CJK font's files with matplotlib; its family name (``None``: none found).

    Safe to call often: matplotlib's font manager is told about each file once per process.
    """
    font = find_cjk_font(str(path) if path else None)
    if font is None:
        return None
    _register(font.files)
    return font.family


@functools.lru_cache(maxsize=8)
def _register(files: tuple[Path, ...]) -> None:
    from matplotlib import font_manager

    for file in files:
        font_manager.fontManager.addfont(str(file))


def soffice() -> str | None:
    """The LibreOffice program that turns DOCX into PDF (``None`` when not installed)."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def missing_for_print(path: str | os.PathLike[str] | None = None) -> list[str]:
    """What printed output lacks on this machine: ``cjk_font`` and/or ``libreoffice``."""
    missing = [] if find_cjk_font(str(path) if path else None) else ["cjk_font"]
    return missing + ([] if soffice() else ["libreoffice"])
