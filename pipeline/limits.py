"""Bounds on the time and memory of each step, so that no manuscript can hang a build.

A manuscript is untrusted, and some markup makes pandoc or a layout take minutes or eat
gigabytes (thousands of brackets never closed on one line, spans opened and never shut).
Each step therefore runs under a time limit (``--time-limit``, 120 s by default): pandoc and
the other programs the pipeline starts are stopped past it, and the layout, which runs
inside this process on a thread of its own, is interrupted there
(``pipeline.layout.engine.run_deep``). The programs also run under a ceiling on their memory
(``--memory-limit``, 4 GiB by default; the address space, ``RLIMIT_AS``), and the Java
validators under a heap of their own. A step that gives up stops the build with one
sentence naming the step and the manuscript; nothing is written, since every edition is
written to a temporary file and renamed only when complete.
"""

from __future__ import annotations

import contextlib
import resource
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from pipeline.errors import PipelineError

DEFAULT_SECONDS = 120.0
DEFAULT_MEMORY_MIB = 4096
JVM_HEAP = "-Xmx2g"
"""The Java validators' heap: the JVM reserves far more address space than it uses, so it is
bounded by its own heap flag rather than by ``RLIMIT_AS``."""
OUT_OF_MEMORY = ("out of memory", "heap exhausted", "cannot allocate memory")


@dataclass(frozen=True)
class Limits:
    """The bounds of one command's steps; ``subject`` is the manuscript as the command was
    given it, for messages about steps that do not know it."""

    seconds: float = DEFAULT_SECONDS
    memory_mib: int = DEFAULT_MEMORY_MIB
    subject: Path | None = None

    @property
    def memory_bytes(self) -> int:
        return self.memory_mib << 20


_current = Limits()


class OutOfTime(BaseException):
    """Raised inside a step that ran past its time limit. Not an ``Exception``, so that no
    ``except Exception`` in a library swallows it."""


def current() -> Limits:
    """The limits of the command running now."""
    return _current


@contextlib.contextmanager
def limited(
    seconds: float | None = None, memory_mib: int | None = None, subject: Path | None = None
) -> Iterator[Limits]:
    """Run a command's steps under these limits (the defaults for what is None)."""
    global _current
    previous = _current
    changes = {"seconds": seconds, "memory_mib": memory_mib, "subject": subject}
    _current = replace(previous, **{k: v for k, v in changes.items() if v is not None})
    try:
        yield _current
    finally:
        _current = previous


def shown_seconds(seconds: float) -> str:
    return f"{seconds:g} s"


def gave_up(step: str, subject: Path | str | None, why: str = "") -> PipelineError:
    """The sentence for ``step`` stopped at the time limit while working on ``subject``."""
    seconds = shown_seconds(current().seconds)
    on = f" on {subject}" if subject else ""
    reason = why or "it would take longer than --time-limit allows"
    return PipelineError(f"{step} gave up after {seconds}{on}: {reason}")


def run(
    command: list[str], step: str, subject: Path | str | None, **options
) -> subprocess.CompletedProcess:
    """``subprocess.run`` under the time and memory limits; past the time limit the program is
    stopped and ``gave_up`` raised. ``options`` go to ``subprocess.run``."""
    limits = current()
    try:
        return subprocess.run(
            bounded_command(command, limits), timeout=limits.seconds, **_memory(limits), **options
        )
    except subprocess.TimeoutExpired:
        raise gave_up(step, subject) from None


def ran_out_of_memory(result: subprocess.CompletedProcess) -> bool:
    """Whether a program run by ``run`` stopped for want of memory."""
    stderr = result.stderr if isinstance(result.stderr, bytes | str) else b""
    if isinstance(stderr, bytes):
        stderr = stderr.decode("utf-8", "replace")
    return result.returncode != 0 and any(s in stderr.lower() for s in OUT_OF_MEMORY)


def out_of_memory(step: str, subject: Path | str | None) -> PipelineError:
    on = f" on {subject}" if subject else ""
    return PipelineError(
        f"{step} ran out of memory{on}: it needed more than {current().memory_mib} MiB"
        " (--memory-limit)"
    )


def bounded_command(command: list[str], limits: Limits | None = None) -> list[str]:
    """``command`` started through ``prlimit`` with the memory ceiling, where it is installed
    (otherwise ``run`` sets the ceiling in the child before it starts the program)."""
    limits = limits or current()
    prlimit = _prlimit()
    if prlimit is None:
        return command
    size = limits.memory_bytes
    return [prlimit, f"--as={size}:{size}", "--", *command]


@cache
def _prlimit() -> str | None:
    return shutil.which("prlimit")


def _memory(limits: Limits) -> dict:
    """``preexec_fn`` setting the ceiling, only where ``prlimit`` is missing: a function
    run between fork and exec is best avoided while other threads run."""
    if _prlimit() is not None:
        return {}
    size = limits.memory_bytes

    def ceiling() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (size, size))

    return {"preexec_fn": ceiling}
