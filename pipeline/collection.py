"""Fewer full garbage collections while a long text is laid out.

Laying out pages builds a large, long-lived object graph (boxes, styles, pages). Python's
collector traverses every live object in a full collection and starts one whenever the
long-lived objects have grown by a quarter, so on a 1,000-page book a fifth of the layout
time went to some twenty full collections, and their share grew with the length of the
text. Inside ``fewer_full_collections`` a full collection runs only once the memory in use
has doubled since the last one: the young generations are still collected as usual and
memory stays within twice what is alive, but a book pays for a handful of full
collections instead of dozens.
"""

from __future__ import annotations

import gc
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

GROWTH = 2.0
NEVER = 1 << 30
_lock = threading.Lock()
_users = 0
_restore: tuple[tuple[int, int, int], object] | None = None


@contextmanager
def fewer_full_collections(growth: float = GROWTH) -> Iterator[None]:
    """Run full collections only when allocated memory has grown ``growth`` times; the
    policy holds while any thread is inside, and the old thresholds come back after."""
    _enter(growth)
    try:
        yield
    finally:
        _leave()


def _enter(growth: float) -> None:
    global _users, _restore
    with _lock:
        _users += 1
        if _users == 1:
            thresholds = gc.get_threshold()
            watch = _watcher(thresholds[0], thresholds[1], growth)
            _restore = (thresholds, watch)
            gc.set_threshold(thresholds[0], thresholds[1], NEVER)
            gc.callbacks.append(watch)


def _leave() -> None:
    global _users, _restore
    with _lock:
        _users -= 1
        if _users == 0 and _restore is not None:
            thresholds, watch = _restore
            gc.callbacks.remove(watch)
            gc.set_threshold(*thresholds)
            _restore = None


def _watcher(young: int, middle: int, growth: float):
    """A gc callback that lets the next full collection through once memory has grown."""
    baseline = [sys.getallocatedblocks()]

    def watch(phase: str, info: dict) -> None:
        if phase != "stop":
            return
        if info["generation"] == 2:
            baseline[0] = sys.getallocatedblocks()
            gc.set_threshold(young, middle, NEVER)
        elif info["generation"] == 1 and sys.getallocatedblocks() > growth * baseline[0]:
            gc.set_threshold(young, middle, 1)

    return watch
