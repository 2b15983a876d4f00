"""geo.memo.SharedMemo: once per key, bounded, safe across threads."""

from __future__ import annotations

import threading
import time

import pytest

from geo.memo import SharedMemo


def test_a_key_is_computed_once_and_the_oldest_goes_first() -> None:
    memo: SharedMemo[str] = SharedMemo(2)
    calls: list[str] = []

    def make(key: str) -> str:
        calls.append(key)
        return key.upper()

    assert memo.get("a", lambda: make("a")) == "A"
    assert memo.get("a", lambda: make("a")) == "A"
    memo.get("b", lambda: make("b"))
    memo.get("a", lambda: make("a"))  # a is now the most recently used
    memo.get("c", lambda: make("c"))  # b goes
    assert len(memo) == 2
    memo.get("a", lambda: make("a"))
    memo.get("b", lambda: make("b"))
    assert calls == ["a", "b", "c", "b"]


def test_concurrent_callers_of_one_key_wait_for_the_first() -> None:
    memo: SharedMemo[int] = SharedMemo(4)
    calls = []
    results: list[int] = []

    def slow() -> int:
        calls.append(1)
        time.sleep(0.2)
        return 42

    threads = [
        threading.Thread(target=lambda: results.append(memo.get("k", slow))) for _ in range(5)
    ]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert results == [42] * 5 and len(calls) == 1


def test_a_failure_is_not_kept() -> None:
    memo: SharedMemo[int] = SharedMemo(1)

    def fail() -> int:
        raise RuntimeError("no")

    with pytest.raises(RuntimeError):
        memo.get("k", fail)
    assert len(memo) == 0 and memo.get("k", lambda: 7) == 7
    with pytest.raises(ValueError, match="at least 1"):
        SharedMemo(0)


def test_the_least_recently_used_go_until_the_rest_weigh_little_enough() -> None:
    memo: SharedMemo[str] = SharedMemo(10, weigh=len, max_weight=6)
    for key, value in (("a", "xx"), ("b", "yy"), ("c", "zz")):
        memo.get(key, lambda value=value: value)
    memo.get("a", lambda: "never")  # used again: "b" is now the oldest
    memo.get("d", lambda: "www")  # 2 + 2 + 2 + 3 > 6: "b" goes, then "c"
    assert len(memo) == 2 and memo.weight == 5
    assert memo.get("a", lambda: "again") == "xx"
    assert memo.get("b", lambda: "again") == "again"
    big: SharedMemo[str] = SharedMemo(10, weigh=len, max_weight=1)
    assert big.get("k", lambda: "heavy") == "heavy" and len(big) == 1  # the newest stays
