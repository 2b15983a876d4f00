"""Work done once per key for every user of a server process (plans, their exports).

Streamlit's own caches replay the page elements made inside a cached call, so a cached call
cannot drive a progress bar made outside it. :class:`SharedMemo` is the plain alternative: a
bounded, thread-safe map from a key to a computed value, where the first caller of a key
computes it (with whatever progress reporting it likes) and callers of the same key at the
same time wait for that result instead of computing it again.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

import pandas as pd

V = TypeVar("V")


class SharedMemo(Generic[V]):
    """A bounded least-recently-used memo whose keys are computed at most once at a time.

    Parameters
    ----------
    max_entries : int
        Values kept; the least recently used one goes first.
    weigh : callable, optional
        A value's weight (e.g. its size in bytes); with ``max_weight``, least recently used
        values go until the kept ones weigh at most that (the newest is always kept).
    max_weight : float
        The most the kept values may weigh together (default: no limit).

    Examples
    --------
    >>> memo: SharedMemo[int] = SharedMemo(2)
    >>> memo.get("a", lambda: 1), memo.get("a", lambda: 2)
    (1, 1)
    """

    def __init__(
        self,
        max_entries: int,
        weigh: Callable[[V], float] | None = None,
        max_weight: float = math.inf,
    ) -> None:
        if max_entries < 1:
            raise ValueError(f"max_entries was {max_entries} but must be at least 1")
        self.max_entries = max_entries
        self.max_weight = max_weight
        self._weigh = weigh
        self._weights: dict[Hashable, float] = {}
        self._values: OrderedDict[Hashable, V] = OrderedDict()
        self._busy: dict[Hashable, threading.Lock] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._values)

    def _cached(self, key: Hashable) -> tuple[bool, V | None]:
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return True, self._values[key]
            return False, None

    def get(self, key: Hashable, compute: Callable[[], V]) -> V:
        """The value of ``key``, computed by ``compute`` when no one has it yet.

        Parameters
        ----------
        key : hashable
            What the value depends on (data revision, scope, request …).
        compute : callable
            Makes the value; called at most once for concurrent callers of one key. An
            exception is passed to its caller and nothing is kept.

        Returns
        -------
        object
            The kept or newly computed value (the same object for every caller).
        """
        found, value = self._cached(key)
        if found:
            return value  # type: ignore[return-value]
        with self._lock:
            busy = self._busy.setdefault(key, threading.Lock())
        with busy:  # a second caller of the same key waits here for the first
            found, value = self._cached(key)
            if found:
                return value  # type: ignore[return-value]
            try:
                made = compute()
            finally:
                with self._lock:
                    self._busy.pop(key, None)
            self._keep(key, made)
            return made

    @property
    def weight(self) -> float:
        """What the kept values weigh together (0 without ``weigh``)."""
        with self._lock:
            return sum(self._weights.values())

    def _keep(self, key: Hashable, value: V) -> None:
        weight = self._weigh(value) if self._weigh is not None else 0.0
        with self._lock:
            self._values[key] = value
            self._values.move_to_end(key)
            self._weights[key] = weight
            total = sum(self._weights.values())
            while len(self._values) > 1 and (
                len(self._values) > self.max_entries or total > self.max_weight
            ):
                old, _ = self._values.popitem(last=False)
                total -= self._weights.pop(old)


def frames_bytes(*frames: pd.DataFrame) -> float:
    """About the memory ``frames`` take (shallow: what a memo's ``weigh`` may count)."""
    return float(sum(int(f.memory_usage(index=True).sum()) for f in frames))
