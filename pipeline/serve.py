"""Serve the build folder on the loopback interface, with live reload for the web edition.

The HTML edition on disk runs no script. Only the copy this server sends gets a small script
(``styles/templates/live-reload.html``) that listens to ``/__live``, a server-sent event
stream announcing each new build, and reloads the page when one lands.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from string import Template

HOST = "127.0.0.1"
EVENTS_PATH = "/__live"
SCRIPT_TEMPLATE = "templates/live-reload.html"
KEEP_ALIVE_SECONDS = 15.0


class BuildCounter:
    """The number of the latest build, and a way for event streams to wait for the next."""

    def __init__(self) -> None:
        self._number = 0
        self._closed = False
        self._changed = threading.Condition()

    @property
    def number(self) -> int:
        with self._changed:
            return self._number

    def advance(self) -> None:
        with self._changed:
            self._number += 1
            self._changed.notify_all()

    def wait_past(self, seen: int, timeout: float) -> int | None:
        """The build number once it differs from ``seen`` (or after ``timeout``, unchanged);
        None once the server is closing."""
        with self._changed:
            self._changed.wait_for(lambda: self._closed or self._number != seen, timeout)
            return None if self._closed else self._number

    def close(self) -> None:
        with self._changed:
            self._closed = True
            self._changed.notify_all()


def inject_script(page: str, script: str) -> str:
    """The page with ``script`` just before its closing body tag (or at its end)."""
    at = page.lower().rfind("</body>")
    if at == -1:
        return page + script
    return page[:at] + script + page[at:]


class LiveHandler(SimpleHTTPRequestHandler):
    """Files from the build folder; HTML pages with the reload script; the event stream."""

    counter: BuildCounter
    script: Template
    index: Callable[[], str | None]

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == EVENTS_PATH:
            self._events()
        elif path == "/" and self.index():
            self.send_response(HTTPStatus.FOUND)
            self.send_header("Location", f"/{self.index()}")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif path.endswith(".html"):
            self._page()
        else:
            super().do_GET()

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:
        """Requests are not logged: the watch prints builds, not traffic."""

    def _page(self) -> None:
        number = self.counter.number
        file = Path(self.translate_path(self.path))
        try:
            page = file.read_text(encoding="utf-8")
        except OSError:
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        body = inject_script(page, self.script.substitute(build=number, events=EVENTS_PATH)).encode(
            "utf-8"
        )
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _events(self) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        seen = self.counter.number
        message = f"data: {seen}\n\n"
        try:
            while True:
                self.wfile.write(message.encode("ascii"))
                self.wfile.flush()
                number = self.counter.wait_past(seen, KEEP_ALIVE_SECONDS)
                if number is None:
                    return
                message = f"data: {number}\n\n" if number != seen else ": still here\n\n"
                seen = number
        except (BrokenPipeError, ConnectionResetError):
            return


class LiveServer:
    """An HTTP server on 127.0.0.1 serving ``folder`` in a background thread."""

    def __init__(self, folder: Path, port: int, script: str, index: Callable[[], str | None]):
        self.counter = BuildCounter()
        handler = type(
            "Handler",
            (LiveHandler,),
            {"counter": self.counter, "script": Template(script), "index": staticmethod(index)},
        )
        folder.mkdir(parents=True, exist_ok=True)
        self._server = ThreadingHTTPServer((HOST, port), partial(handler, directory=str(folder)))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="live-server")

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/"

    def start(self) -> None:
        self._thread.start()

    def reload(self) -> None:
        """Tell every open page that a new build is there."""
        self.counter.advance()

    def close(self) -> None:
        self.counter.close()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
