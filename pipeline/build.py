"""The build: read the manuscript, parse it once, lay the print pages out once (when an
edition reads them), then write each requested edition from those."""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from pipeline.cache import CACHE_FOLDER, Cache
from pipeline.document import BLOCK_ATTRIBUTE, Document, parse
from pipeline.editions import FORMATS, Edition, Layout, registry
from pipeline.errors import PipelineError
from pipeline.incremental import EditionCache, touch
from pipeline.layout import PrintPages, engine, store
from pipeline.manuscript import load_manuscript

SELF_LAYOUT_LIMIT = 4000
"""Blocks and notes past which the pages are not laid out for the EPUB's page list alone:
at about 14 ms a block or note that would take minutes."""
LOGGER = "pipeline"
"""The editions and the layout log what they notice (text set off the page, an image
without alt text…) under this logger."""
log = logging.getLogger(f"{LOGGER}.build")
STAGING_PREFIX = ".staging-"
"""The editions of a build are written into ``<out>/.staging-<pid>-…/`` first."""
NO_PAGE_LIST = "the EPUB has no print page list: {}; build the PDF in the same run to get one"


@dataclass(frozen=True)
class BuiltEdition:
    name: str
    path: Path
    size: int
    seconds: float
    notes: int = 0
    """The number of footnotes, hand-written and from citations, in the edition."""


Progress = Callable[[str], None]


def output_path(out_dir: Path, slug: str, suffix: str) -> Path:
    return out_dir / f"{slug}{suffix}"


def build(
    manuscript_dir: Path,
    formats: Iterable[str] = FORMATS,
    out_dir: Path = Path("build"),
    styles: Path | None = None,
    progress: Progress = lambda message: None,
    warn: Progress = lambda message: None,
    strict: bool = False,
) -> list[BuiltEdition]:
    """Build the requested editions; raise PipelineError on bad input before writing any.

    Active content removed from the manuscript (scripts, event handlers…) is reported
    through ``warn``; with ``strict`` it stops the build instead.
    """
    editions = in_build_order(formats)
    if any(e.layout is not Layout.NONE for e in editions):
        preload_libraries([e.name for e in editions])
    progress("reading the manuscript")
    manuscript = load_manuscript(manuscript_dir, styles)
    progress("parsing with pandoc")
    document = parse(manuscript, Cache(out_dir / CACHE_FOLDER))
    warnings = [*manuscript.metadata.warnings, *document.warnings]
    if strict and warnings:
        raise PipelineError(f"{warnings[0]} (not allowed with --strict)")
    for warning in warnings:
        warn(warning)
    names = [e.name for e in editions]
    return write_editions(document, names, out_dir, progress, warn, strict=strict)


def in_build_order(formats: Iterable[str]) -> list[Edition]:
    """The requested editions in registry order."""
    wanted = set(formats)
    return [edition for name, edition in registry().items() if name in wanted]


def preload_libraries(formats: list[str]) -> None:
    """Import WeasyPrint (and PyMuPDF, for a booklet) in a thread while pandoc runs in its
    own process.

    The imports are a good part of a small pamphlet's build time and need no input, so they
    overlap with the parse instead of following it.
    """

    def load() -> None:
        engine.import_weasyprint()
        if "booklet" in formats:
            import pymupdf  # noqa: F401

    threading.Thread(target=load, name="import-libraries", daemon=True).start()


class PrintPagesOnce:
    """The print layout of this build: kept from the cache or laid out, at most once."""

    def __init__(self, document: Document, cache: EditionCache, progress: Progress):
        self.document = document
        self.cache = cache
        self.progress = progress
        self.key = cache.layout_key()
        self._pages: PrintPages | None = None
        self._told = False

    def full(self) -> PrintPages:
        """The pages with their PDF, laid out now unless kept."""
        if self._pages is None or self._pages.pdf is None:
            kept = self._kept(with_pdf=True)
            self._pages = kept or self._lay_out()
        return self._pages

    def tell_warnings(self) -> None:
        """Tell the kept layout's warnings, for an edition kept as it was."""
        if not self._told:
            self._kept(with_pdf=False)

    def _kept(self, with_pdf: bool) -> PrintPages | None:
        """The layout kept in the cache, its warnings told once as if laid out now."""
        kept = store.load(self.cache.cache, self.cache.slug, self.key, with_pdf=with_pdf)
        if kept is not None and not self._told:
            self._told = True
            for warning in kept.layout.warnings:
                log.warning("%s", warning)
        return kept

    def summary(self, warn: Progress) -> PrintPages | None:
        """The pages for a page list: kept, or laid out unless the text is too long or too
        deeply nested for that, which ``warn`` is told."""
        if self._pages is None:
            self._pages = self._kept(with_pdf=False)
        if self._pages is not None:
            return self._pages
        size = sum(1 for e in self.document.body.iter() if e.get(BLOCK_ATTRIBUTE))
        size += len(self.document.notes)
        if size > SELF_LAYOUT_LIMIT:
            warn(NO_PAGE_LIST.format(f"laying out {size:,} blocks and notes would take too long"))
            return None
        try:
            return self.full()
        except PipelineError as error:
            if "nested too deeply" not in error.message:
                raise
            warn(NO_PAGE_LIST.format("its text is nested too deeply to be laid out"))
            return None

    def _lay_out(self) -> PrintPages:
        from pipeline.layout.stage import lay_out

        self.progress("laying out the print pages")
        with logged_warnings() as warnings:
            pages = _deep(lambda: lay_out(self.document), self.document, "print pages")
        pages.layout.warnings = list(warnings)
        self._told = True
        store.save(self.cache.cache, self.cache.slug, self.key, pages)
        return pages


def write_editions(
    document: Document,
    formats: Iterable[str],
    out_dir: Path,
    progress: Progress,
    warn: Progress = lambda message: None,
    strict: bool = False,
) -> list[BuiltEdition]:
    """Write each edition, or keep it where nothing it is made from has changed; with
    ``strict``, a warning logged while writing (text set off the page, a formula left as
    TeX, an image without a description) stops the build before any edition is moved into
    place.

    The editions are written into a staging folder inside ``out_dir`` and moved into place
    only when every one is written: a build that fails half-way leaves all the previous
    editions, never a new PDF beside an old EPUB.
    """
    cache = EditionCache(Cache(out_dir / CACHE_FOLDER), document)
    print_pages = PrintPagesOnce(document, cache, progress)
    timed: list[tuple[Edition, Path, float]] = []
    written: list[tuple[str, str, Path]] = []
    with staging(out_dir) as stage, logged_warnings() as logged:
        for edition in in_build_order(formats):
            target = output_path(out_dir, document.manuscript.slug, edition.suffix)
            start = time.perf_counter()
            pages = print_pages.summary(warn) if edition.layout is Layout.OPTIONAL else None
            key = cache.key(edition, pages)
            if cache.is_current(edition.name, key, target):
                name = edition.name.upper()
                progress(f"keeping the {name} edition: nothing it is made from changed")
                if edition.layout is not Layout.NONE:
                    print_pages.tell_warnings()
            else:
                if edition.layout is Layout.REQUIRED:
                    pages = print_pages.full()
                progress(f"writing the {edition.name.upper()} edition")
                what = f"{edition.name} edition"
                staged = stage / target.name
                _deep(partial(edition.write, document, staged, pages), document, what)
                written.append((edition.name, key, target))
            timed.append((edition, target, time.perf_counter() - start))
        if strict and logged:
            first = logged[0].removeprefix("warning: ")
            raise PipelineError(f"{first} (not allowed with --strict)")
        commit(stage, out_dir)
    for name, key, target in written:
        cache.remember(name, key, target)
    kept = {target for _name, _key, target in written}
    built = []
    for edition, target, seconds in timed:
        if target not in kept:
            touch(target)
        size = target.stat().st_size
        built.append(BuiltEdition(edition.name, target, size, seconds, len(document.notes)))
    return built


class _Collected(logging.Handler):
    def __init__(self, messages: list[str]):
        super().__init__(logging.WARNING)
        self.messages = messages

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextlib.contextmanager
def logged_warnings() -> Iterator[list[str]]:
    """The warnings the editions and the layout log while the block runs."""
    messages: list[str] = []
    handler = _Collected(messages)
    logger = logging.getLogger(LOGGER)
    logger.addHandler(handler)
    try:
        yield messages
    finally:
        logger.removeHandler(handler)


@contextlib.contextmanager
def staging(out_dir: Path) -> Iterator[Path]:
    """A folder of this build's own inside ``out_dir``, removed afterwards (what a build
    stopped by SIGKILL left behind is removed by the next one)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for left in out_dir.glob(f"{STAGING_PREFIX}*"):
        if left.is_dir() and not _running(left.name):
            shutil.rmtree(left, ignore_errors=True)
    stage = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{os.getpid()}-", dir=out_dir))
    try:
        yield stage
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _running(name: str) -> bool:
    """Whether the build whose process id the staging folder's name carries still runs."""
    pid = name.removeprefix(STAGING_PREFIX).split("-", 1)[0]
    if not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def commit(stage: Path, out_dir: Path) -> None:
    """Move every file written into ``stage`` to ``out_dir``, over the previous ones."""
    for staged in sorted(stage.iterdir()):
        if staged.is_file():
            os.replace(staged, out_dir / staged.name)


def _deep(function: Callable[[], object], document: Document, what: str):
    """Run on a deep stack, so deeply nested manuscripts lay out and serialise too."""
    try:
        return engine.run_deep(function)
    except RecursionError:
        path = document.manuscript.texts[0].path
        raise PipelineError(f"is nested too deeply to lay out the {what}", path) from None
