"""layers.kept: work on shared frames done once; templates compiled once, output unchanged."""

from __future__ import annotations

import gc
import itertools

import jinja2
import pytest
from hypothesis import given
from hypothesis import strategies as st

from layers.kept import Verbatim, _plain, per_frame
from layers.situation import situation_map
from tests.layers.test_basemap_layers import base_frames
from tests.layers.test_layers import small_map_parts as small_map_parts  # the fixture

ORIGINAL = jinja2.Environment.from_string.__wrapped__  # jinja2's own, before layers installed


@given(st.text(alphabet="{}%#\r\n a<>\"'\\é", max_size=40), st.booleans())
def test_a_plain_text_renders_as_jinja2_renders_it(source: str, keep_newline: bool) -> None:
    env = jinja2.Environment(keep_trailing_newline=keep_newline)
    try:
        expected = ORIGINAL(env, source).render(this=None, kwargs={})
    except jinja2.TemplateSyntaxError:
        assert not _plain(env, source)  # only texts with jinja2 syntax can fail
        return
    assert env.from_string(source).render(this=None, kwargs={}) == expected
    if _plain(env, source):
        assert Verbatim(source, env).render() == expected


def test_a_template_text_is_compiled_once_and_renders_with_its_context() -> None:
    env = jinja2.Environment()
    first = env.from_string("{{ this }}!")
    assert env.from_string("{{ this }}!") is first
    assert first.render(this="a") == "a!" and first.render(this="b") == "b!"
    assert env.from_string("{{ this }}!", globals={"x": 1}) is not first  # not kept


def test_a_map_is_the_same_with_templates_kept(small_map_parts, monkeypatch) -> None:
    """The whole page, byte for byte (element ids made the same in both runs)."""
    townships, cells, key_areas, events = small_map_parts

    def page() -> str:
        ids = itertools.count()
        monkeypatch.setattr(
            "branca.element.Element._generate_id", classmethod(lambda cls: f"{next(ids):032x}")
        )
        m = situation_map(
            townships=townships, cells=cells, key_areas=key_areas, events=events, base=base_frames()
        )
        return m.get_root().render()

    kept = page()
    with monkeypatch.context() as patched:
        patched.setattr(jinja2.Environment, "from_string", ORIGINAL)
        assert page() == kept


def test_a_frame_s_result_is_made_once_and_forgotten_with_the_frame() -> None:
    frame = base_frames()["roads"]
    made: list[int] = []
    first = per_frame(frame, "x", lambda: made.append(1) or {"n": len(made)})
    assert per_frame(frame, "x", lambda: made.append(1) or {"n": len(made)}) is first
    assert per_frame(frame, "y", lambda: "other") == "other"
    assert made == [1]
    from layers import kept

    key = (id(frame), "x")
    del frame
    gc.collect()
    assert key not in kept._KEPT


@pytest.mark.parametrize("text", ["plain", "a {{ b }}", "{% if x %}y{% endif %}", "{# c #}"])
def test_only_texts_without_syntax_are_plain(text: str) -> None:
    assert _plain(jinja2.Environment(), text) == (text == "plain")
