"""Work done in forked worker processes: values and warnings back, failures redone here,
no worker left behind, no fork while another thread runs."""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time

import pytest

from pipeline import limits
from pipeline.errors import PipelineError
from pipeline.workers import Workers, can_fork, not_pausable, pausable


@pytest.fixture(autouse=True)
def threads_left_by_earlier_tests():
    """Threads earlier tests leave idle (a browser driver's asyncio waiters) are let be, as
    the display's refresh is: they hold nothing a worker needs."""
    left = [t for t in threading.enumerate() if t is not threading.main_thread()]
    for thread in left:
        pausable(thread, contextlib.nullcontext)
    yield
    for thread in left:
        not_pausable(thread)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_value_comes_back_from_a_worker_process():
    with Workers(2) as pool:
        work = pool.submit(lambda: (os.getpid(), b"\x00" * 3_000_000), "a large value")
        pid, data = work.result()
    assert pid != os.getpid()
    assert data == b"\x00" * 3_000_000


def test_warnings_logged_in_a_worker_are_logged_here_once(caplog: pytest.LogCaptureFixture):
    def warn() -> int:
        logging.getLogger("pipeline.editions.epub").warning("warning: %s has no alt text", "a.png")
        return os.getpid()

    with caplog.at_level(logging.WARNING, logger="pipeline"), Workers(2) as pool:
        pid = pool.submit(warn, "warning").result()
    assert pid != os.getpid()
    assert [r.getMessage() for r in caplog.records] == ["warning: a.png has no alt text"]
    assert caplog.records[0].name == "pipeline.editions.epub"


def test_work_that_fails_in_a_worker_is_done_again_here():
    parent = os.getpid()

    def only_here() -> int:
        if os.getpid() != parent:
            raise RuntimeError("not in a worker")
        return os.getpid()

    with Workers(2) as pool:
        assert pool.submit(only_here, "failing there").result() == parent


def test_an_error_is_raised_here_as_without_workers():
    def refuse() -> None:
        raise PipelineError("is not a manuscript", "text.md", 3)

    with Workers(2) as pool, pytest.raises(PipelineError) as raised:
        pool.submit(refuse, "refusing").result()
    assert raised.value.message == "is not a manuscript"
    assert raised.value.line == 3


def test_a_value_that_does_not_pickle_is_made_here():
    with Workers(2) as pool:
        made = pool.submit(lambda: (os.getpid(), lambda: None), "a function").result()
    assert made[0] == os.getpid()


def test_one_job_is_done_in_place():
    with Workers(1) as pool:
        assert pool.submit(os.getpid, "in place").result() == os.getpid()


def test_no_fork_while_another_thread_runs():
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not can_fork()
        with Workers(4) as pool:
            assert pool.submit(os.getpid, "beside a thread").result() == os.getpid()
    finally:
        stop.set()
        thread.join()
    assert can_fork()


def test_no_more_workers_at_once_than_jobs():
    def span() -> tuple[float, float]:
        start = time.monotonic()
        time.sleep(0.15)
        return start, time.monotonic()

    with Workers(2) as pool:
        works = [pool.submit(span, f"work {n}") for n in range(5)]
        spans = [w.result() for w in works]
    for start, _end in spans:
        running = sum(1 for s, e in spans if s <= start < e)
        assert running <= 2, spans


def test_a_worker_past_the_time_limit_is_stopped_with_one_sentence(tmp_path):
    pid_file = tmp_path / "pid"

    def hang() -> None:
        pid_file.write_text(str(os.getpid()))
        time.sleep(60)

    with limits.limited(0.5, limits.DEFAULT_MEMORY_MIB, tmp_path), Workers(2) as pool:
        work = pool.submit(hang, "writing the epub edition")
        with pytest.raises(PipelineError) as raised:
            work.result()
    assert "writing the epub edition" in raised.value.message
    assert not _alive(int(pid_file.read_text()))


def test_no_worker_outlives_a_failed_build(tmp_path):
    pid_file = tmp_path / "pid"

    def hang() -> None:
        pid_file.write_text(str(os.getpid()))
        time.sleep(60)

    with pytest.raises(KeyboardInterrupt), Workers(2) as pool:
        pool.submit(hang, "hanging")
        while not pid_file.exists() or not pid_file.read_text():
            time.sleep(0.01)
        raise KeyboardInterrupt
    assert not _alive(int(pid_file.read_text()))


def test_a_thread_that_pauses_for_forks_lets_workers_fork():
    held = threading.Lock()
    entered = []

    @contextlib.contextmanager
    def pause():
        with held:
            entered.append(True)
            yield

    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    pausable(thread, pause)
    try:
        assert can_fork()
        with Workers(2) as pool:
            pid = pool.submit(os.getpid, "beside a paused thread").result()
        assert pid != os.getpid()
        assert entered == [True]
        assert not held.locked()
    finally:
        not_pausable(thread)
        stop.set()
        thread.join()
