"""State and cached loaders shared by the pages (the only place pages get data from)."""

from __future__ import annotations

import os

import streamlit as st

from geo.config import DEMO_DIR, Settings, load_settings
from geo.dataset import Dataset, load_dataset
from geo.i18n import t


@st.cache_resource
def settings() -> Settings:
    """The deployment settings (immutable, read once per process)."""
    return load_settings(os.environ.get("HEXPATROL_CONFIG"))


@st.cache_data(show_spinner="加载数据 / loading data…")
def dataset(_settings: Settings, key: str) -> Dataset:
    """The data set of ``_settings``; ``key`` (its repr) is what the cache hashes."""
    return load_dataset(_settings)


def current_dataset() -> Dataset:
    """The data set for this deployment, cached across reruns and users."""
    s = settings()
    return dataset(s, repr(s))


def lang() -> str:
    """The UI language chosen in the sidebar (``zh`` unless switched)."""
    return str(st.session_state.get("lang", "zh"))


def is_demo(s: Settings) -> bool:
    """Whether the deployment shows the bundled synthetic demo data."""
    return any(DEMO_DIR in p.parents for p in (s.townships, *s.events))


def demo_banner() -> None:
    """Say plainly that the demo data are synthetic."""
    if is_demo(settings()):
        st.caption(f"⚠️ {t('synthetic_banner', lang())}")
