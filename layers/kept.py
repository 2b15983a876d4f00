"""Map work done once, not once per map drawn (issue 19: many users at once).

Two costs repeated for every map a server draws:

* **GeoJSON of shared frames.** The base map's roads, rivers and villages, the townships and
  routes are the same frames (a cached data set's, never modified) in every map of a scope;
  turning them into GeoJSON and labels took a third of a township map's time.
  :func:`per_frame` keeps such a result as long as its frame lives.
* **Template compiling.** folium and branca compile a jinja2 template from its text for every
  element they make (each link, each tooltip …), about a hundred per map.
  :func:`compile_templates_once` makes jinja2 compile each distinct text once per process; a
  compiled template holds no state of a render, so sharing it changes no output.
"""

from __future__ import annotations

import functools
import json
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Final, TypeVar

import geopandas as gpd
import jinja2

V = TypeVar("V")

_KEPT: dict[tuple[int, str], tuple[weakref.ReferenceType[Any], Any]] = {}


def per_frame(frame: object, kind: str, make: Callable[[], V]) -> V:
    """``make()``, once per live ``frame`` and ``kind`` (e.g. "roads-geojson").

    Parameters
    ----------
    frame : object
        A frame that is never modified (a cached data set's); the result is forgotten when
        it is garbage collected.
    kind : str
        What is made of it (one frame can have several results).
    make : callable
        Makes the result from ``frame``; its result is shared, so treat it as read-only.

    Returns
    -------
    object
        The kept or newly made result.
    """
    key = (id(frame), kind)
    found = _KEPT.get(key)
    if found is not None and found[0]() is frame:
        return found[1]
    value = make()
    try:
        ref = weakref.ref(frame, functools.partial(_forget, key))
    except TypeError:  # not weakly referable: not kept
        return value
    _KEPT[key] = (ref, value)
    return value


def _forget(key: tuple[int, str], ref: weakref.ReferenceType[Any]) -> None:
    found = _KEPT.get(key)
    if found is not None and found[0] is ref:
        _KEPT.pop(key, None)


def geojson(frame: gpd.GeoDataFrame) -> dict[str, Any]:
    """``frame`` as a GeoJSON FeatureCollection of plain Python values.

    What folium makes of a GeoDataFrame, so :class:`folium.GeoJson` takes it as it is.
    """
    return json.loads(json.dumps(frame.__geo_interface__))


#: compiled templates kept (the least recently used go first): folium's own texts are a few
#: dozen; texts made from data (a legend's HTML) come and go
MAX_TEMPLATES: Final = 1024
_COMPILED: OrderedDict[tuple[int, str, type], jinja2.Template] = OrderedDict()
_LOCK = threading.Lock()


class Verbatim:
    """A "template" without any jinja2 syntax: it renders as its text, as jinja2 would.

    branca turns every element's rendered script into a template of its own (a unique
    text, compiled for nothing): about half of a map's compiles.
    """

    def __init__(self, source: str, environment: jinja2.Environment) -> None:
        text = source.replace("\r\n", "\n").replace("\r", "\n")
        if not environment.keep_trailing_newline and text.endswith("\n"):
            text = text[:-1]
        self.text = text.replace("\n", environment.newline_sequence)
        self.environment = environment

    def render(self, *_args: Any, **_kwargs: Any) -> str:
        """The text (whatever the context)."""
        return self.text


def _plain(env: jinja2.Environment, source: str) -> bool:
    """``source`` has nothing jinja2 would read as syntax in ``env``."""
    markers = (
        env.block_start_string,
        env.variable_start_string,
        env.comment_start_string,
        env.line_statement_prefix,
        env.line_comment_prefix,
    )
    return not env.extensions and not any(m and m in source for m in markers)


def compile_templates_once() -> None:
    """Make jinja2's ``Environment.from_string`` compile each template text once.

    Only calls without ``globals`` are kept (folium's and branca's); a text without any
    jinja2 syntax is not compiled at all (:class:`Verbatim`). The first call installs it,
    later calls change nothing.
    """
    if getattr(jinja2.Environment.from_string, "_hexpatrol_kept", False):
        return
    original = jinja2.Environment.from_string

    @functools.wraps(original)
    def from_string(
        self: jinja2.Environment,
        source: Any,
        globals: Any = None,  # noqa: A002 - jinja2's own name
        template_class: type[jinja2.Template] | None = None,
    ) -> jinja2.Template:
        if globals is not None or not isinstance(source, str):
            return original(self, source, globals, template_class)
        if _plain(self, source):
            return Verbatim(source, self)  # type: ignore[return-value]
        key = (id(self), source, template_class or self.template_class)
        with _LOCK:
            found = _COMPILED.get(key)
            if found is not None:
                _COMPILED.move_to_end(key)
        if found is None or found.environment is not self:
            found = original(self, source, None, template_class)
            with _LOCK:
                _COMPILED[key] = found
                while len(_COMPILED) > MAX_TEMPLATES:
                    _COMPILED.popitem(last=False)
        return found

    from_string._hexpatrol_kept = True  # type: ignore[attr-defined]
    jinja2.Environment.from_string = from_string  # type: ignore[method-assign]
