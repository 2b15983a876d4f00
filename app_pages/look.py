"""What Streamlit itself writes on a page, in the user's language (its widgets speak English).

Streamlit offers no way to translate its own texts ("Drag and drop file here", "Select all",
"Running..."). A small script (``streamlit_words.js``), sent with every page, swaps those
texts, placeholders and tooltips for the Chinese of :data:`geo.i18n.STREAMLIT_WORDS` as they
appear; in English mode it puts the originals back. The same script makes Enter apply a
date typed into a date field (Streamlit itself waits until the field loses focus).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import streamlit as st

from geo.i18n import STREAMLIT_PATTERNS, STREAMLIT_WORDS


@cache
def _script(lang: str) -> str:
    code = (Path(__file__).with_name("streamlit_words.js")).read_text(encoding="utf-8")
    code = code.replace("__WORDS__", json.dumps(STREAMLIT_WORDS, ensure_ascii=False), 1)
    code = code.replace("__PATTERNS__", json.dumps([list(p) for p in STREAMLIT_PATTERNS]), 1)
    code = code.replace("__ZH__", "true" if lang == "zh" else "false", 1)
    return f"<script>{code}</script>"


def streamlit_words(lang: str) -> None:
    """Send the script that words Streamlit's own texts in ``lang`` (once per run)."""
    st.html(_script(lang), unsafe_allow_javascript=True, width=1)
