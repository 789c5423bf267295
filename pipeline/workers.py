"""Work done in forked worker processes, beside the build's own, on the machine's other cores.

WeasyPrint's layout holds Python's global lock, so threads would only take turns. A process
forked from the build shares its memory (the parsed document, the laid-out pages) without
copying it and runs at the same time. What a worker returns comes back pickled through a
pipe, with the warnings it logged; work that fails in a worker is done again in the build's
own process, so that the error the user sees is the one a build without workers gives.

A fork is only safe while no other thread runs (a lock another thread holds at the fork
stays held for ever in the child), so where another thread runs, where the system cannot
fork, or where one process is asked for (``--jobs 1``), the work is done in place, when
its result is asked for.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import pickle
import select
import signal
import sys
import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pipeline import limits

T = TypeVar("T")
LOGGER = "pipeline"
"""The logger whose warnings a worker sends back to the build."""
JOBS_VARIABLE = "PIPELINE_JOBS"


def default_jobs() -> int:
    """The processes a build may run at once: one per core it may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


_pausable: dict[int, Callable[[], contextlib.AbstractContextManager[Any]]] = {}
"""Threads that may run beside a fork, by identity, each with what holds it still while
the process forks (the terminal display's refresh)."""


def pausable(thread: threading.Thread, pause: Callable[[], contextlib.AbstractContextManager[Any]]):
    """Let workers fork while ``thread`` runs: ``pause()`` is entered around each fork, and
    holds the thread where it owns no lock a worker could need."""
    if thread.ident is not None:
        _pausable[thread.ident] = pause


def not_pausable(thread: threading.Thread) -> None:
    if thread.ident is not None:
        _pausable.pop(thread.ident, None)


def can_fork() -> bool:
    """Whether forking now is safe: a system with ``fork``, called from the main thread,
    and no other thread running but those that pause for it."""
    if not (hasattr(os, "fork") and sys.platform.startswith("linux")):
        return False
    if threading.current_thread() is not threading.main_thread():
        return False
    others = [t for t in threading.enumerate() if t is not threading.main_thread()]
    return all(t.ident in _pausable for t in others)


@dataclass
class Outcome:
    """What a worker sends back: its value, the warnings it logged, the seconds it took."""

    ok: bool
    value: Any = None
    warnings: list[tuple[str, int, str]] = field(default_factory=list)
    seconds: float = 0.0


class Work(Generic[T]):
    """One function's run, in a worker process or (where none can be forked) in place."""

    def __init__(self, function: Callable[[], T], step: str):
        self.function = function
        self.step = step
        self.seconds = 0.0
        self._pid: int | None = None
        self._pipe: int | None = None
        self._chunks: list[bytes] = []
        self._started = 0.0
        self._outcome: Outcome | None = None

    @property
    def running(self) -> bool:
        return self._pipe is not None

    def fork(self) -> None:
        """Start the function in a child process."""
        read, write = os.pipe()
        self._started = time.perf_counter()
        with contextlib.ExitStack() as paused:
            for pause in list(_pausable.values()):
                paused.enter_context(pause())
            # Python 3.12 warns of any fork beside a thread; the threads left are held.
            paused.enter_context(warnings.catch_warnings())
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
        if pid == 0:
            os.close(read)
            _run_child(self.function, write)
        os.close(write)
        self._pid, self._pipe = pid, read

    def wait(self) -> None:
        """Wait for the worker to end (within the time limit) and read what it sent."""
        while self.running:
            _wait_for_any([self])

    def read_some(self) -> None:
        """Read what the worker has sent so far; at its end, reap it and keep its outcome."""
        if self._pipe is None:
            return
        chunk = os.read(self._pipe, 1 << 20)
        if chunk:
            self._chunks.append(chunk)
            return
        os.close(self._pipe)
        self._pipe = None
        if self._pid is not None:
            os.waitpid(self._pid, 0)
            self._pid = None
        self._outcome = _outcome(b"".join(self._chunks))
        self._chunks.clear()

    def result(self) -> T:
        """The function's value: the worker's, or the function run here when no worker ran
        it or the worker failed (the function then raises here what it raised there)."""
        self.wait()
        outcome, self._outcome = self._outcome, None
        if outcome is None or not outcome.ok:
            started = time.perf_counter()
            value = self.function()
            self.seconds = time.perf_counter() - started
            return value
        for name, level, message in outcome.warnings:
            logging.getLogger(name).log(level, "%s", message)
        self.seconds = outcome.seconds
        return outcome.value

    def abandon(self) -> None:
        """End the worker, if it still runs, and forget what it would have sent."""
        if self._pid is not None:
            with contextlib.suppress(ProcessLookupError, ChildProcessError):
                os.kill(self._pid, signal.SIGKILL)
                os.waitpid(self._pid, 0)
            self._pid = None
        if self._pipe is not None:
            os.close(self._pipe)
            self._pipe = None
        self._chunks.clear()

    def deadline(self) -> float | None:
        seconds = limits.current().seconds
        return None if seconds is None else self._started + seconds

    def fileno(self) -> int:
        if self._pipe is None:
            raise ValueError("the worker has ended")
        return self._pipe


class Workers:
    """Up to ``jobs`` worker processes at once: ``submit`` forks a worker for each piece of
    work while fewer run, and otherwise waits for one to end (the build's own process
    mostly waits meanwhile). Used as a context manager, so that no worker outlives a
    failed build."""

    def __init__(self, jobs: int):
        self.jobs = max(1, jobs)
        self._running: list[Work[Any]] = []

    def submit(self, function: Callable[[], T], step: str) -> Work[T]:
        work = Work(function, step)
        if self.jobs > 1 and can_fork():
            while len(self._running) >= self.jobs:
                _wait_for_any(self._running)
                self._running = [w for w in self._running if w.running]
            work.fork()
            self._running.append(work)
        return work

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc_info: object) -> None:
        for work in self._running:
            work.abandon()
        self._running.clear()


def _wait_for_any(works: list[Work[Any]]) -> None:
    """Read from the workers until one of them ends; past a worker's time limit, stop it
    and raise the time limit's error."""
    while True:
        running = [w for w in works if w.running]
        if not running:
            return
        deadlines = [d for d in (w.deadline() for w in running) if d is not None]
        timeout = max(0.0, min(deadlines) - time.perf_counter()) if deadlines else None
        ready, _, _ = select.select(running, [], [], timeout)
        if not ready:
            late = min(running, key=lambda w: w.deadline() or float("inf"))
            late.abandon()
            raise limits.gave_up(late.step, limits.current().subject)
        for work in ready:
            work.read_some()
        if any(not w.running for w in ready):
            return


class _Collected(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[tuple[str, int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((record.name, record.levelno, record.getMessage()))


def _run_child(function: Callable[[], Any], pipe: int) -> None:
    """The child's whole life: run, send the outcome, leave without Python's exit work
    (no buffers flushed twice, no handlers of the parent's run)."""
    try:
        gc.disable()
        collected = _Collected()
        logger = logging.getLogger(LOGGER)
        logger.handlers = [collected]
        logger.propagate = False
        started = time.perf_counter()
        try:
            outcome = Outcome(True, function(), collected.records)
        except BaseException:  # sent back as a failure, raised again by the parent
            outcome = Outcome(False, warnings=collected.records)
        outcome.seconds = time.perf_counter() - started
        try:
            data = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # a value that does not pickle: the parent runs it itself
            data = pickle.dumps(Outcome(False))
        with open(pipe, "wb", closefd=True) as sent:
            sent.write(data)
    finally:
        os._exit(0)


def _outcome(data: bytes) -> Outcome | None:
    try:
        outcome = pickle.loads(data) if data else None
    except Exception:
        return None
    return outcome if isinstance(outcome, Outcome) else None
