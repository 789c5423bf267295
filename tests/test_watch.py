"""pipeline watch: a real watch process on a copy of the small fixture, served on loopback.

An edit to text.md must reach the served page (and, with --pdf, the PDF); a bad edit prints
one line and the watch goes on; the page reloads itself in a real browser; SIGTERM stops
the process cleanly.
"""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pymupdf
import pytest
from playwright.sync_api import sync_playwright

from pipeline.serve import BuildCounter, inject_script
from tests.conftest import ROOT

SLUG = "small-pamphlet"
WAIT = 20.0
CHROMIUM = "/usr/bin/chromium"


class Watching:
    """A ``pipeline watch`` process and the lines it prints."""

    def __init__(self, manuscript: Path, build_dir: Path, *options: str):
        command = [sys.executable, "-m", "pipeline", "watch", str(manuscript)]
        command += ["--build-dir", str(build_dir), "--port", "0", *options]
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        served = self.next_line(lambda line: line.startswith("serving "))
        self.url = re.search(r"http://127\.0\.0\.1:\d+/", served).group(0)
        self.next_line(lambda line: line.startswith("built the editions"))

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def next_line(self, wanted: Callable[[str], bool]) -> str:
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                continue
            self.seen.append(line)
            if wanted(line):
                return line
        raise AssertionError(f"no such line within {WAIT} s; printed: {self.seen}")

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=WAIT)


@pytest.fixture
def watching(small_copy: Path, tmp_path: Path) -> Iterator[Callable[..., Watching]]:
    started: list[Watching] = []

    def start(*options: str) -> Watching:
        started.append(Watching(small_copy, tmp_path / "build", *options))
        return started[-1]

    yield start
    for watch in started:
        if watch.process.poll() is None:
            watch.process.kill()
            watch.process.wait()


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode("utf-8")


def until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, f"not true within {WAIT} s"
        time.sleep(0.2)


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def pdf_text(path: Path) -> str:
    try:
        with pymupdf.open(path) as pdf:
            return "".join(page.get_text() for page in pdf)
    except (pymupdf.FileDataError, RuntimeError):
        return ""


def test_edits_are_served_and_a_bad_edit_does_not_stop_the_watch(
    watching, small_copy: Path, tmp_path: Path
) -> None:
    watch = watching("--pdf")
    page = f"{watch.url}{SLUG}.html"
    built = tmp_path / "build" / f"{SLUG}.html"
    served = fetch(watch.url)
    assert "A last paragraph citing an article" in served
    assert "EventSource" in served
    assert "<script" not in built.read_text(encoding="utf-8")

    replace_in(small_copy / "text.md", "A last paragraph", "A freshly edited paragraph")
    until(lambda: "A freshly edited paragraph" in fetch(page))
    until(lambda: "freshly edited" in pdf_text(tmp_path / "build" / f"{SLUG}.pdf"))
    assert "<script" not in built.read_text(encoding="utf-8")

    metadata = small_copy / "metadata.yaml"
    good_metadata = metadata.read_text(encoding="utf-8")
    metadata.write_text(good_metadata + "colour: blue\n", encoding="utf-8")
    error = watch.next_line(lambda line: line.startswith("error:"))
    assert "metadata.yaml" in error and "colour" in error
    assert watch.process.poll() is None
    assert "A freshly edited paragraph" in fetch(page)

    metadata.write_text(good_metadata, encoding="utf-8")
    replace_in(small_copy / "text.md", "A freshly edited", "A twice edited")
    until(lambda: "A twice edited paragraph" in fetch(page))

    assert watch.stop() == 0
    assert watch.seen[-1:] == ["stopped"] or watch.next_line(lambda line: line == "stopped")


def reload_in_browser(url: str, text: str, old: str, new: str) -> None:
    """Open ``url`` in Chromium, make the edit, and wait for the open page to show it.

    Run in a process of its own: the browser tests keep a Playwright session open in the
    test process, and Playwright's sync API allows only one per process.
    """
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            tab = browser.new_page()
            tab.goto(url)
            assert tab.url.endswith(f"/{SLUG}.html"), tab.url
            replace_in(Path(text), old, new)
            tab.wait_for_function(
                f"() => document.body.textContent.includes({new!r})", timeout=WAIT * 1000
            )
        finally:
            browser.close()


def test_the_page_reloads_itself_in_a_browser(watching, small_copy: Path) -> None:
    watch = watching()
    code = "import sys; from tests.test_watch import reload_in_browser as r; r(*sys.argv[1:])"
    text = small_copy / "text.md"
    old, new = "A short opening paragraph", "A reloaded opening"
    probe = subprocess.run(
        [sys.executable, "-c", code, watch.url, str(text), old, new],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=3 * WAIT,
    )
    assert probe.returncode == 0, probe.stderr[-2000:]
    assert watch.stop() == 0


def test_the_script_goes_only_into_the_served_copy() -> None:
    page = "<html><body><p>text</p></body></html>"
    assert inject_script(page, "<script></script>") == (
        "<html><body><p>text</p><script></script></body></html>"
    )
    assert inject_script("<p>no body tag</p>", "<s>") == "<p>no body tag</p><s>"


def test_event_streams_wait_for_the_next_build() -> None:
    counter = BuildCounter()
    assert counter.wait_past(0, timeout=0.01) == 0
    threading.Timer(0.05, counter.advance).start()
    assert counter.wait_past(0, timeout=WAIT) == 1
    counter.close()
    assert counter.wait_past(1, timeout=WAIT) is None
