"""A long-lived Java process that keeps EPUBCheck and the Nu HTML Checker warm.

Both validators spend seconds setting up their schemas on first use and then answer in
tens of milliseconds, so ``pipeline check`` asks one JVM that outlives the run
(``ValidatorServer.java``, compiled once into the state folder) instead of starting two.
The server listens on a Unix domain socket in a folder only its user may enter, so no other
user can ask it to read files, and exits by itself after ``PIPELINE_VALIDATOR_IDLE``
seconds (default 900) without a request.

A state file records the server's pid and a fingerprint of its code and of the validators'
jars; a server with another fingerprint is stopped and a new one started. Starting holds a
lock, so check runs started side by side (``make -j``) share one server.
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
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import PipelineError

SOURCE = Path(__file__).with_name("ValidatorServer.java")
DEFAULT_IDLE_S = 900
START_TIMEOUT_S = 60
REQUEST_TIMEOUT_S = 300
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
    ``~/.cache/pamphlet-pipeline/validators``."""
    if os.environ.get("PIPELINE_VALIDATOR_DIR"):
        return Path(os.environ["PIPELINE_VALIDATOR_DIR"]).expanduser().absolute()
    if os.environ.get("XDG_RUNTIME_DIR"):
        return Path(os.environ["XDG_RUNTIME_DIR"]) / "pamphlet-pipeline"
    return Path.home() / ".cache" / "pamphlet-pipeline" / "validators"


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
    return _ask("epubcheck", epub, "EPUBCheck needs Java; run `make setup` to install it")


def nu_report(page: Path) -> bytes:
    """The Nu HTML Checker's JSON messages on the HTML file ``page``."""
    return _ask("nu", page, "the Nu HTML Checker needs Java; run `make setup`")


def start() -> ServerStatus:
    """Start the server unless one with the current fingerprint answers already."""
    _ensure_running("the validators need Java; run `make setup`")
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


def _source_hash() -> str:
    return hashlib.sha256(SOURCE.read_bytes()).hexdigest()


def _jars() -> list[Path]:
    """EPUBCheck's jar (from the ``epubcheck`` package) and the Nu HTML Checker's."""
    from pipeline.checks.nuchecker import JAR as VNU_JAR

    try:
        from pipeline.checks.epubcheck import jar_path

        epubcheck_jar = jar_path()
    except ImportError:
        epubcheck_jar = Path("/nonexistent/epubcheck.jar")
    return [epubcheck_jar, VNU_JAR]


def _fingerprint() -> str:
    """The server's code and each jar's path, size and modification time."""
    digest = hashlib.sha256(_source_hash().encode())
    for jar in _jars():
        stat = jar.stat() if jar.is_file() else None
        described = f"{jar}\0{stat.st_size}\0{stat.st_mtime_ns}" if stat else f"{jar}\0missing"
        digest.update(described.encode() + b"\0")
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
        try:
            return _request(folder, f"{command}\t{path}", REQUEST_TIMEOUT_S)
        except TimeoutError:
            raise PipelineError(
                f"the validator server gave no answer in {REQUEST_TIMEOUT_S} s", path
            ) from None
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
    fingerprint = _fingerprint()
    if _is_current(folder, fingerprint):
        return folder
    with _start_lock, _locked(folder):
        if _is_current(folder, fingerprint):
            return folder
        _stop(folder)
        java = shutil.which("java")
        if java is None:
            raise PipelineError(no_java)
        classes = _compile(folder, no_java)
        _launch(folder, java, classes, fingerprint)
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


def _compile(folder: Path, no_java: str) -> Path:
    """The server's classes, compiled once per version of its source."""
    classes = folder / f"classes-{_source_hash()[:16]}"
    if (classes / "ValidatorServer.class").is_file():
        return classes
    javac = shutil.which("javac")
    if javac is None:
        raise PipelineError(no_java)
    with tempfile.TemporaryDirectory(dir=folder, prefix="compiling-") as tmp:
        result = subprocess.run(
            [javac, "-d", tmp, str(SOURCE)], capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            last = (result.stderr.strip().splitlines() or ["no message"])[0]
            raise PipelineError(f"cannot compile the validator server: {last}")
        shutil.rmtree(classes, ignore_errors=True)
        Path(tmp).rename(classes)
    for stale in folder.glob("classes-*"):
        if stale != classes:
            shutil.rmtree(stale, ignore_errors=True)
    return classes


def _launch(folder: Path, java: str, classes: Path, fingerprint: str) -> None:
    """Start the server detached from this process and wait until it answers."""
    from pipeline.checks.epubcheck import JVM_FLAGS

    idle = idle_seconds()
    epubcheck_jar, vnu_jar = _jars()
    command = [
        java,
        *JVM_FLAGS,
        "-cp",
        str(classes),
        "ValidatorServer",
        str(_socket(folder)),
        str(epubcheck_jar),
        str(vnu_jar),
        str(idle),
    ]
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
    return b"ValidatorServer" in command and str(_socket(folder)).encode() in command


def _wait_for_exit(pid: int, folder: Path, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while _pid_alive(pid, folder):
        if time.monotonic() > deadline:
            return False
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        time.sleep(0.05)
    return True
