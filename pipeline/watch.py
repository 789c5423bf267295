"""pipeline watch: rebuild the web edition (and the print edition) whenever a file of the
manuscript or of the styles changes, and serve the build folder with live reload.

One process does every rebuild, so WeasyPrint is imported once and pandoc's output is
reused from the build cache whenever the text has not changed (a style edit).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import watchfiles

from pipeline.build import preload_libraries, write_editions
from pipeline.cache import CACHE_FOLDER, Cache
from pipeline.document import parse
from pipeline.errors import PipelineError
from pipeline.files import STYLES_DIR, read_text
from pipeline.manuscript import load_manuscript
from pipeline.serve import SCRIPT_TEMPLATE, LiveServer

DEFAULT_PORT = 8000
WAKE_MS = 500
Echo = Callable[[str], None]


class Rebuilder:
    """Builds the watched editions; remembers the slug of the last manuscript that loaded."""

    def __init__(
        self,
        manuscript_dir: Path,
        build_dir: Path,
        pdf: bool,
        styles: Path | None,
        echo: Echo,
        built: Callable[[], None],
    ):
        self.manuscript_dir = manuscript_dir
        self.build_dir = build_dir
        self.pdf = pdf
        self.styles = styles
        self.echo = echo
        self.built = built
        self.slug: str | None = None

    def page(self) -> str | None:
        return f"{self.slug}.html" if self.slug else None

    def rebuild(self, reason: str) -> bool:
        """Build once; a bad edit prints one line and returns False instead of raising."""
        try:
            self._rebuild(reason)
        except PipelineError as exc:
            self.echo(f"error: {exc}")
            return False
        except Exception as exc:  # a half-typed edit must not end the watch
            self.echo(f"error: {type(exc).__name__}: {exc}")
            return False
        return True

    def _rebuild(self, reason: str) -> None:
        start = time.perf_counter()
        manuscript = load_manuscript(self.manuscript_dir, self.styles)
        self.slug = manuscript.slug
        document = parse(manuscript, Cache(self.build_dir / CACHE_FOLDER))
        for warning in document.warnings:
            self.echo(f"warning: {warning}")
        parsed = time.perf_counter() - start
        timings = [f"parse {parsed:.2f} s"]
        for edition in write_editions(document, ["html"], self.build_dir, _quiet):
            timings.append(f"{edition.name} {edition.seconds:.2f} s")
        self.built()
        if self.pdf:
            for edition in write_editions(document, ["pdf"], self.build_dir, _quiet):
                timings.append(f"{edition.name} {edition.seconds:.2f} s")
        total = time.perf_counter() - start
        self.echo(f"built {reason} in {total:.2f} s ({', '.join(timings)})")


def _quiet(message: str) -> None:
    """Progress messages are not printed while watching: one line per build is enough."""


def watched_folders(manuscript_dir: Path, styles: Path | None) -> list[Path]:
    """The manuscript's folder (with its own styles/, images…; a single-file manuscript's
    folder too, so a bibliography beside it and saves that replace the file are seen) and
    the shared styles."""
    folder = manuscript_dir.resolve()
    if folder.is_file():
        folder = folder.parent
    return [folder, (styles or STYLES_DIR).resolve()]


def changed_names(changes: Iterable[tuple[watchfiles.Change, str]]) -> str:
    """The names of the changed files that are still there (an editor's or sed's temporary
    file comes and goes within one batch), or of every changed file if none is."""
    paths = {Path(path) for _change, path in changes}
    names = sorted({path.name for path in paths if path.exists()} or {p.name for p in paths})
    shown = ", ".join(names[:3])
    return shown + (f" and {len(names) - 3} more" if len(names) > 3 else "")


def watch(
    manuscript_dir: Path,
    build_dir: Path = Path("build"),
    pdf: bool = False,
    port: int = DEFAULT_PORT,
    styles: Path | None = None,
    echo: Echo = print,
    stop: threading.Event | None = None,
) -> None:
    """Serve ``build_dir`` on 127.0.0.1:``port``, build once, then rebuild on every change
    until ``stop`` is set or the process is interrupted."""
    if pdf:
        preload_libraries(["pdf"])
    script = read_text(STYLES_DIR / SCRIPT_TEMPLATE)
    rebuilder = Rebuilder(manuscript_dir, build_dir, pdf, styles, echo, built=lambda: None)
    server = LiveServer(build_dir, port, script, rebuilder.page)
    rebuilder.built = server.reload
    server.start()
    try:
        echo(f"serving {server.url} (Ctrl-C stops)")
        first = True
        for changes in _changes(manuscript_dir, build_dir, styles, stop):
            if first:
                rebuilder.rebuild("the editions")
                first = False
            elif changes:
                rebuilder.rebuild(f"after a change to {changed_names(changes)}")
    finally:
        server.close()


def _changes(
    manuscript_dir: Path, build_dir: Path, styles: Path | None, stop: threading.Event | None
) -> Iterator[set[tuple[watchfiles.Change, str]]]:
    """Batches of changed files; an empty batch whenever a short wait saw none.

    The first (empty) batch comes once the watcher runs, so the first build starts after it
    and an edit made during that build is not missed.
    """
    return watchfiles.watch(
        *watched_folders(manuscript_dir, styles),
        watch_filter=watchfiles.DefaultFilter(ignore_paths=[build_dir.resolve()]),
        stop_event=stop,
        debounce=200,
        step=50,
        rust_timeout=WAKE_MS,
        yield_on_timeout=True,
    )
