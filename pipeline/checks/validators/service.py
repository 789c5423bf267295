"""The validator service: one long-lived process that keeps both validators warm.

EPUBCheck and the Nu HTML Checker spend seconds setting up their schemas before their first
verdict and then answer in about a tenth of a second, so ``pipeline check`` asks this
process, which outlives the check run (``client.py`` starts and stops it):

- the Nu HTML Checker runs as its own documented web service, ``java -cp vnu.jar
  nu.validator.servlet.Main PORT``, bound to 127.0.0.1 on a free port and fetching no URLs;
  a page is POSTed to it with ``?out=json``;
- EPUBCheck runs its own command line (``EpubChecker.run``, what ``java -jar epubcheck.jar``
  calls) in a JVM embedded in this process through JPype, on one worker thread, so its
  schemas are set up once per service rather than once per check.

Nothing is compiled: both need only a Java runtime. The service answers on a Unix socket
in a folder only its user may enter, one request per connection, one line each::

    epubcheck<TAB>/abs/path.epub   EPUBCheck's JSON report
    nu<TAB>/abs/path.html          the Nu HTML Checker's JSON messages
    ping                           is the service up?
    stop                           exit now

The reply is ``ok`` and a line break followed by the JSON bytes, or ``error <one line>``.
The service exits after IDLE_SECONDS without a request, and when the Nu service dies.

Usage: python -m pipeline.checks.validators.service SOCKET JAVA IDLE_SECONDS
"""

from __future__ import annotations

import contextlib
import ctypes
import http.client
import os
import shutil
import signal
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import NoReturn

from pipeline.checks.validators.jars import epubcheck_jar, vnu_jar
from pipeline.limits import JVM_HEAP

# Start-up time matters more than peak speed; EPUBCheck's schema code recurses deeply.
JVM_FLAGS = ("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xss8m", JVM_HEAP)
THREAD_STACK_BYTES = 32 << 20
NU_MAX_BYTES = 256 << 20
READY_TIMEOUT_S = 120
NU_TIMEOUT_S = 300
MAX_REQUEST_LINE = 8192
PR_SET_PDEATHSIG = 1
# The Nu service answers HTTP 400 to a request without one.
USER_AGENT = "pamphlet-pipeline"

WARM_UP_PAGE = b"<!DOCTYPE html><html lang=en><title>warm</title><p>warm</p>"

_XHTML = (
    '<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"'
    ' xmlns:epub="http://www.idpf.org/2007/ops"><head><title>{title}</title>{head}</head>'
    "<body>{body}</body></html>"
)
# A book with each kind of file the pipeline's EPUBs hold: package, navigation, NCX, a text
# page with a note, a stylesheet, an SVG.
WARM_UP_BOOK = {
    "META-INF/container.xml": (
        '<?xml version="1.0"?><container version="1.0"'
        ' xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
        '<rootfile full-path="EPUB/content.opf" media-type="application/oebps-package+xml"/>'
        "</rootfiles></container>"
    ),
    "EPUB/content.opf": (
        '<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0"'
        ' unique-identifier="id"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/">'
        '<dc:identifier id="id">urn:uuid:0b7e4a52-93f1-4c1e-8d1a-5f0c2e9a7d31</dc:identifier>'
        "<dc:title>Warm-up</dc:title><dc:language>en</dc:language>"
        '<meta property="dcterms:modified">2000-01-01T00:00:00Z</meta></metadata><manifest>'
        '<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>'
        '<item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>'
        '<item id="text" href="text.xhtml" media-type="application/xhtml+xml"/>'
        '<item id="css" href="style.css" media-type="text/css"/>'
        '<item id="svg" href="mark.svg" media-type="image/svg+xml"/>'
        '</manifest><spine toc="ncx"><itemref idref="text"/></spine></package>'
    ),
    "EPUB/nav.xhtml": _XHTML.format(
        title="Contents",
        head="",
        body='<nav epub:type="toc"><ol><li><a href="text.xhtml">Text</a></li></ol></nav>',
    ),
    "EPUB/toc.ncx": (
        '<?xml version="1.0"?><ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1">'
        '<head><meta name="dtb:uid" content="urn:uuid:0b7e4a52-93f1-4c1e-8d1a-5f0c2e9a7d31"/>'
        "</head><docTitle><text>Warm-up</text></docTitle><navMap>"
        '<navPoint id="p1"><navLabel><text>Text</text></navLabel><content src="text.xhtml"/>'
        "</navPoint></navMap></ncx>"
    ),
    "EPUB/text.xhtml": _XHTML.format(
        title="Text",
        head='<link rel="stylesheet" href="style.css"/>',
        body=(
            '<h1>Text</h1><p>Words<a epub:type="noteref" href="#n1" id="r1">1</a>.</p>'
            '<p><img src="mark.svg" alt="A mark"/></p>'
            '<aside epub:type="footnote" id="n1"><p><a href="#r1">1</a> A note.</p></aside>'
        ),
    ),
    "EPUB/style.css": "body { margin: 0 5%; } aside { font-size: 0.9em; }",
    "EPUB/mark.svg": (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><title>A mark</title>'
        '<rect width="10" height="10"/></svg>'
    ),
}


class ValidationError(Exception):
    """A request the service could not answer; its message goes back as one line."""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def one_line(error: BaseException) -> str:
    return " ".join(str(error).split()) or type(error).__name__


class Service:
    def __init__(self, socket_path: Path, java: str, idle_s: int):
        self.socket_path = socket_path
        self.folder = socket_path.parent
        self.java = java
        self.idle_s = idle_s
        self.nu: subprocess.Popen | None = None
        self.nu_port: int | None = None
        self.nu_failure: str | None = None
        self.nu_ready = threading.Event()
        self.epubcheck = ThreadPoolExecutor(1, thread_name_prefix="epubcheck")
        self.socket_inode = 0
        self.busy = 0
        self.busy_lock = threading.Lock()
        self.last_request = time.monotonic()

    # Running -----------------------------------------------------------------------------

    def run(self) -> None:
        """Start both validators, then answer requests until stopped or idle."""
        self._remove_leftovers()
        try:
            self.nu = self._start_nu()
            self._start_jvm()
            self.socket_path.unlink(missing_ok=True)
            server = _Server(str(self.socket_path), _Handler)
        except Exception as exc:
            self.exit(one_line(exc), 1)
        server.service = self
        self.socket_inode = self.socket_path.stat().st_ino
        signal.signal(signal.SIGTERM, lambda signum, frame: self.exit("terminated"))
        if self.nu is not None:
            threading.Thread(target=self._wait_for_nu, name="nu-warm-up", daemon=True).start()
        self.epubcheck.submit(self._warm_epubcheck_up)
        threading.Thread(target=self._watch, name="idle-watch", daemon=True).start()
        log(f"validator service listening on {self.socket_path}")
        server.serve_forever()

    def _remove_leftovers(self) -> None:
        """The temporary folders of a service that was killed in the middle of a check."""
        for folder in [*self.folder.glob("epubcheck-*"), *self.folder.glob("warm-up-*")]:
            shutil.rmtree(folder, ignore_errors=True)

    def exit(self, reason: str, code: int = 0) -> NoReturn:
        """Stop the Nu service and leave at once (the embedded JVM goes with the process)."""
        log(reason)
        if self.nu is not None and self.nu.poll() is None:
            self.nu.terminate()
            try:
                self.nu.wait(5)
            except subprocess.TimeoutExpired:
                self.nu.kill()
        if self._owns_socket():
            with contextlib.suppress(OSError):
                self.socket_path.unlink()
        os._exit(code)

    def _watch(self) -> None:
        while True:
            time.sleep(0.5)
            if self.nu is not None and self.nu.poll() is not None:
                self.exit(f"the Nu HTML Checker exited with code {self.nu.returncode}", 1)
            if not self._owns_socket():
                self.exit("the socket was removed; exiting")
            with self.busy_lock:
                idle = time.monotonic() - self.last_request
                if self.busy == 0 and idle >= self.idle_s:
                    self.exit(f"idle for {int(idle)} s; exiting")

    def _owns_socket(self) -> bool:
        """Whether the socket is still this service's: a deleted state folder leaves no
        one able to reach it."""
        try:
            return self.socket_path.stat().st_ino == self.socket_inode
        except OSError:
            return False

    def begin(self) -> None:
        with self.busy_lock:
            self.busy += 1
            self.last_request = time.monotonic()

    def end(self) -> None:
        with self.busy_lock:
            self.busy -= 1
            self.last_request = time.monotonic()

    def answer(self, command: str, argument: str) -> bytes:
        if command in ("ping", "stop"):
            return b""
        if command == "epubcheck":
            return self.epubcheck.submit(self._check_epub, _existing_file(argument)).result()
        if command == "nu":
            return self._check_page(_existing_file(argument))
        raise ValidationError(f"unknown request {command!r}")

    # The Nu HTML Checker ------------------------------------------------------------------

    def _start_nu(self) -> subprocess.Popen | None:
        """The Nu checker's web service on a free loopback port, ended with this process;
        None, and EPUBCheck alone, where the checker is not installed."""
        jar = vnu_jar()
        if not jar.is_file():
            self.nu_failure = f"the Nu HTML Checker is not installed at {jar}"
            self.nu_ready.set()
            return None
        self.nu_port = _free_port()
        command = [
            self.java,
            *JVM_FLAGS,
            "-Dnu.validator.servlet.bind-address=127.0.0.1",
            "-Dnu.validator.servlet.allowed-address-type=none",
            f"-Dnu.validator.servlet.max-file-size={NU_MAX_BYTES}",
            "-cp",
            str(jar),
            "nu.validator.servlet.Main",
            str(self.nu_port),
        ]
        with (self.folder / "nu.log").open("wb") as nu_log:
            return subprocess.Popen(
                command,
                cwd=self.folder,
                stdin=subprocess.DEVNULL,
                stdout=nu_log,
                stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent,
            )

    def _wait_for_nu(self) -> None:
        """Ready once the service has answered a first page, which loads its schemas."""
        start = time.monotonic()
        failure = "the Nu HTML Checker did not start (see nu.log)"
        while time.monotonic() - start < READY_TIMEOUT_S and self.nu.poll() is None:
            try:
                self._post(WARM_UP_PAGE, 5)
            except (OSError, http.client.HTTPException):
                time.sleep(0.1)
                continue
            except ValidationError as exc:
                failure = str(exc)
                break
            log(f"Nu HTML Checker ready after {int((time.monotonic() - start) * 1000)} ms")
            self.nu_ready.set()
            return
        self.nu_failure = failure
        log(failure)
        self.nu_ready.set()

    def _check_page(self, page: Path) -> bytes:
        if not self.nu_ready.wait(READY_TIMEOUT_S) or self.nu_failure:
            raise ValidationError(self.nu_failure or "the Nu HTML Checker is not ready")
        return self._post(page.read_bytes(), NU_TIMEOUT_S)

    def _post(self, page: bytes, timeout: float) -> bytes:
        connection = http.client.HTTPConnection("127.0.0.1", self.nu_port, timeout=timeout)
        try:
            headers = {"Content-Type": "text/html; charset=utf-8", "User-Agent": USER_AGENT}
            connection.request("POST", "/?out=json", page, headers)
            response = connection.getresponse()
            body = response.read()
        finally:
            connection.close()
        if response.status != 200:
            raise ValidationError(f"the Nu HTML Checker answered HTTP {response.status}")
        return body

    # EPUBCheck ---------------------------------------------------------------------------

    def _start_jvm(self) -> None:
        """EPUBCheck's JVM, inside this process, from the same Java runtime as ``java``."""
        try:
            import jpype
        except ImportError:
            raise ValidationError("JPype is not installed; run `make` to install it") from None
        libjvm = Path(os.path.realpath(self.java)).parents[1] / "lib" / "server" / "libjvm.so"
        if not libjvm.is_file():
            raise ValidationError(f"no libjvm.so beside {self.java} (looked at {libjvm})")
        jar = epubcheck_jar()
        if not jar.is_file():
            raise ValidationError(f"EPUBCheck is not installed at {jar}")
        jpype.startJVM(str(libjvm), *JVM_FLAGS, classpath=[str(jar)], convertStrings=True)

    def _check_epub(self, epub: Path) -> bytes:
        """EPUBCheck's JSON report, as ``java -jar epubcheck.jar EPUB --json REPORT`` writes it."""
        import jpype

        with tempfile.TemporaryDirectory(dir=self.folder, prefix="epubcheck-") as tmp:
            report = Path(tmp) / "report.json"
            arguments = [str(epub), "--json", str(report), "--quiet"]
            checker = jpype.JClass("com.adobe.epubcheck.tool.EpubChecker")()
            try:
                checker.run(jpype.JArray(jpype.JString)(arguments))
            except jpype.JException as exc:
                raise ValidationError(f"EPUBCheck failed: {one_line(exc)}") from None
            body = report.read_bytes() if report.is_file() else b""
        if not body:
            raise ValidationError("EPUBCheck wrote no report")
        return body

    def _warm_epubcheck_up(self) -> None:
        """Check a small book at once, so the schema set-up is not left to the first check."""
        start = time.monotonic()
        try:
            with tempfile.TemporaryDirectory(dir=self.folder, prefix="warm-up-") as tmp:
                book = Path(tmp) / "warm-up.epub"
                _write_book(book, WARM_UP_BOOK)
                self._check_epub(book)
        except Exception as exc:
            log(f"EPUBCheck warm-up failed: {one_line(exc)}")
            return
        log(f"EPUBCheck ready after {int((time.monotonic() - start) * 1000)} ms")


class _Server(socketserver.ThreadingUnixStreamServer):
    daemon_threads = True
    service: Service

    def verify_request(self, request, client_address) -> bool:
        """Counted busy from the moment of accepting, so the idle watch never ends a
        service with a request on the way."""
        self.service.begin()
        return True

    def shutdown_request(self, request) -> None:
        super().shutdown_request(request)
        self.service.end()


class _Handler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        service: Service = self.server.service
        line = self.rfile.readline(MAX_REQUEST_LINE)
        if not line.endswith(b"\n"):
            self.wfile.write(b"error request without an end of line\n")
            return
        command, _, argument = line.decode("utf-8", "replace").rstrip("\n").partition("\t")
        try:
            body = service.answer(command, argument)
        except (ValidationError, OSError) as exc:
            self.wfile.write(f"error {one_line(exc)}\n".encode())
            return
        self.wfile.write(b"ok\n" + body)
        if command == "stop":
            self.wfile.flush()
            service.exit("stopped on request")


def _existing_file(argument: str) -> Path:
    path = Path(argument)
    if not path.is_absolute() or not path.is_file():
        raise ValidationError(f"not an absolute path to a file: {argument}")
    return path


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _die_with_parent() -> None:
    """In the Nu service's process: be ended when this service ends, even by SIGKILL."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _write_book(path: Path, files: dict[str, str]) -> None:
    with zipfile.ZipFile(path, "w") as book:
        book.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip")
        for name, text in files.items():
            book.writestr(name, text, compress_type=zipfile.ZIP_DEFLATED)


def main(argv: list[str]) -> None:
    if len(argv) != 3 or not argv[2].isdigit():
        sys.exit("usage: python -m pipeline.checks.validators.service SOCKET JAVA IDLE_SECONDS")
    threading.stack_size(THREAD_STACK_BYTES)
    Service(Path(argv[0]), argv[1], int(argv[2])).run()


if __name__ == "__main__":
    main(sys.argv[1:])
