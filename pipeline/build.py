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

from pipeline import typefaces
from pipeline.cache import CACHE_FOLDER, Cache
from pipeline.document import BLOCK_ATTRIBUTE, Document, parse
from pipeline.editions import FORMATS, Ahead, Edition, Layout, registry
from pipeline.errors import PipelineError
from pipeline.incremental import EditionCache, touch
from pipeline.layout import PrintPages, engine, store
from pipeline.manuscript import Manuscript, load_manuscript
from pipeline.workers import Work, Workers

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
    jobs: int = 1,
) -> list[BuiltEdition]:
    """Build the requested editions; raise PipelineError on bad input before writing any.

    Active content removed from the manuscript (scripts, event handlers…) is reported
    through ``warn``; with ``strict`` it stops the build instead. ``jobs`` is how many
    processes may write editions at once (``write_editions``).
    """
    editions = in_build_order(formats)
    preloading = None
    if any(e.layout is not Layout.NONE for e in editions):
        preloading = preload_libraries([e.name for e in editions])
    progress("reading the manuscript")
    try:
        manuscript = load_manuscript(manuscript_dir, styles)
    except BaseException:
        if preloading is not None:
            preloading.manuscript_read(None)
        raise
    if preloading is not None:
        preloading.manuscript_read(manuscript)
    typefaces.ask_ahead(manuscript)
    progress("parsing with pandoc")
    document = parse(manuscript, Cache(out_dir / CACHE_FOLDER))
    warnings = [*manuscript.metadata.warnings, *document.warnings]
    if strict and warnings:
        raise PipelineError(f"{warnings[0]} (not allowed with --strict)")
    for warning in warnings:
        warn(warning)
    names = [e.name for e in editions]
    return write_editions(document, names, out_dir, progress, warn, strict=strict, jobs=jobs)


def in_build_order(formats: Iterable[str]) -> list[Edition]:
    """The requested editions in registry order."""
    wanted = set(formats)
    return [edition for name, edition in registry().items() if name in wanted]


def preload_libraries(formats: list[str]) -> Preloading:
    """Import WeasyPrint (and PyMuPDF, for a booklet) in a thread while pandoc runs in its
    own process, and once the manuscript is read, parse its print style sheet there.

    The imports are a good part of a small pamphlet's build time and need no input, so they
    overlap with the parse instead of following it.
    """
    preloading = Preloading(formats)
    _loading.append(preloading)
    preloading.thread.start()
    return preloading


class Preloading:
    def __init__(self, formats: list[str]):
        self.formats = formats
        self.thread = threading.Thread(target=self._load, name="import-libraries", daemon=True)
        self._manuscript: Manuscript | None = None
        self._read = threading.Event()

    def manuscript_read(self, manuscript: Manuscript | None) -> None:
        """Hand the thread the manuscript whose style sheet it may parse (None: nothing
        more to do)."""
        if not self._read.is_set():
            self._manuscript = manuscript
            self._read.set()

    def _load(self) -> None:
        engine.import_weasyprint()
        engine.parse_ffi_types()
        if "booklet" in self.formats:
            import pymupdf  # noqa: F401
        self._read.wait()
        if self._manuscript is not None:
            from pipeline.layout.stage import parse_ahead

            with contextlib.suppress(Exception):  # the layout reports a bad sheet itself
                parse_ahead(self._manuscript)


_loading: list[Preloading] = []


def libraries_loaded() -> None:
    """Wait for the libraries being imported, so that no other thread runs when the build
    forks its workers."""
    while _loading:
        preloading = _loading.pop()
        preloading.manuscript_read(None)
        preloading.thread.join()


class PrintPagesOnce:
    """The print layout of this build: kept from the cache or laid out, at most once."""

    def __init__(
        self,
        document: Document,
        cache: EditionCache,
        progress: Progress,
        before_layout: Callable[[], None] = lambda: None,
    ):
        self.document = document
        self.cache = cache
        self.progress = progress
        self.before_layout = before_layout
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
        self.before_layout()
        with logged_warnings() as warnings:
            pages = _deep(lambda: lay_out(self.document), self.document, "print pages")
        pages.layout.warnings = list(warnings)
        self._told = True
        store.save(self.cache.cache, self.cache.slug, self.key, pages)
        return pages


@dataclass
class _Planned:
    """An edition of this build: where it goes, its key, the pages it reads, and whether
    the file already there is the one its key would make."""

    edition: Edition
    target: Path
    key: str
    pages: PrintPages | None
    kept: bool
    seconds: float
    """Spent so far: the layout, for the edition that asked for it first."""


def write_editions(
    document: Document,
    formats: Iterable[str],
    out_dir: Path,
    progress: Progress,
    warn: Progress = lambda message: None,
    strict: bool = False,
    jobs: int = 1,
) -> list[BuiltEdition]:
    """Write each edition, or keep it where nothing it is made from has changed; with
    ``strict``, a warning logged while writing (text set off the page, a formula left as
    TeX, an image without a description) stops the build before any edition is moved into
    place.

    With ``jobs`` above one, the editions are written in worker processes at the same
    time, and the work of an edition that needs no print pages (the EPUB's cover) is done
    in one while the pages are laid out (``pipeline.workers``).

    The editions are written into a staging folder inside ``out_dir`` and moved into place
    only when every one is written: a build that fails half-way leaves all the previous
    editions, never a new PDF beside an old EPUB.
    """
    libraries_loaded()
    cache = EditionCache(Cache(out_dir / CACHE_FOLDER), document)
    editions = in_build_order(formats)
    with (
        staging(out_dir) as stage,
        logged_warnings() as logged,
        Workers(jobs) as pool,
    ):
        ahead = AheadWork(document, editions, pool)
        print_pages = PrintPagesOnce(document, cache, progress, before_layout=ahead.start)
        planned = [
            _plan(edition, document, cache, print_pages, out_dir, warn) for edition in editions
        ]
        ahead.keep()
        works = []
        for plan in planned:
            if plan.kept:
                name = plan.edition.name.upper()
                progress(f"keeping the {name} edition: nothing it is made from changed")
            else:
                works.append((plan, _submit(plan, document, stage, pool, progress)))
        for plan, work in works:
            work.result()
            plan.seconds += work.seconds
        if strict and logged:
            first = logged[0].removeprefix("warning: ")
            raise PipelineError(f"{first} (not allowed with --strict)")
        commit(stage, out_dir)
    for plan in planned:
        if plan.kept:
            touch(plan.target)
        else:
            cache.remember(plan.edition.name, plan.key, plan.target)
    return [
        BuiltEdition(
            plan.edition.name,
            plan.target,
            plan.target.stat().st_size,
            plan.seconds,
            len(document.notes),
        )
        for plan in planned
    ]


def _plan(
    edition: Edition,
    document: Document,
    cache: EditionCache,
    print_pages: PrintPagesOnce,
    out_dir: Path,
    warn: Progress,
) -> _Planned:
    """The edition's key and pages, laying the pages out if it is the first to need them."""
    start = time.perf_counter()
    target = output_path(out_dir, document.manuscript.slug, edition.suffix)
    pages = print_pages.summary(warn) if edition.layout is Layout.OPTIONAL else None
    key = cache.key(edition, pages)
    kept = cache.is_current(edition.name, key, target)
    if kept and edition.layout is not Layout.NONE:
        print_pages.tell_warnings()
    if not kept and edition.layout is Layout.REQUIRED:
        pages = print_pages.full()
    return _Planned(edition, target, key, pages, kept, time.perf_counter() - start)


def _submit(
    plan: _Planned, document: Document, stage: Path, pool: Workers, progress: Progress
) -> Work[object]:
    name = plan.edition.name
    progress(f"writing the {name.upper()} edition")
    write = partial(plan.edition.write, document, stage / plan.target.name, plan.pages)
    what = f"{name} edition"
    return pool.submit(partial(_deep, write, document, what), f"writing the {what}")


class AheadWork:
    """The work of the editions that needs no print pages, started in a worker when the
    pages are laid out, and its values handed to the editions before they are written."""

    def __init__(self, document: Document, editions: list[Edition], pool: Workers):
        self.document = document
        self.editions = editions
        self.pool = pool
        self._started: list[tuple[Ahead, Work[object]]] = []

    def start(self) -> None:
        if self._started:
            return
        for edition in self.editions:
            ahead = edition.ahead(self.document) if edition.ahead else None
            if ahead is not None:
                self._started.append((ahead, self.pool.submit(ahead.work, ahead.step)))

    def keep(self) -> None:
        for ahead, work in self._started:
            ahead.keep(work.result())
        self._started.clear()


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
