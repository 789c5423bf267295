"""Run a function on a thread with a deep stack.

Layout engines walk the document recursively; a manuscript nested a few hundred levels
deep (quotations in quotations, lists in lists) exceeds Python's default recursion limit.
A dedicated thread with a large stack lets such a document lay out instead of crashing.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

STACK_BYTES = 512 * 1024 * 1024
RECURSION_LIMIT = 50_000
_lock = threading.Lock()


def run_deep(function: Callable[[], T]) -> T:
    """Call ``function`` on a thread with a large stack and recursion limit; return its
    result or raise its exception here."""
    outcome: dict[str, object] = {}

    def target() -> None:
        try:
            outcome["value"] = function()
        except BaseException as exc:  # re-raised in the calling thread
            outcome["error"] = exc

    with _lock:
        previous_stack = threading.stack_size(STACK_BYTES)
        previous_limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(previous_limit, RECURSION_LIMIT))
        try:
            thread = threading.Thread(target=target, name="deep-layout")
            thread.start()
        finally:
            threading.stack_size(previous_stack)
    thread.join()
    sys.setrecursionlimit(previous_limit)
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["value"]  # type: ignore[return-value]
