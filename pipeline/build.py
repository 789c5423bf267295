"""The build stage: parse the manuscript once, then write each requested edition from it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from pipeline.cache import CACHE_FOLDER, Cache
from pipeline.deepstack import run_deep
from pipeline.document import Document, parse
from pipeline.editions import FORMATS, BuildContext, Edition, registry
from pipeline.errors import PipelineError
from pipeline.incremental import EditionCache, touch
from pipeline.libraries import import_weasyprint
from pipeline.manuscript import load_manuscript


@dataclass(frozen=True)
class BuiltEdition:
    name: str
    path: Path
    size: int
    seconds: float
    notes: int = 0
    """The number of footnotes, hand-written and from citations, in the edition."""


Progress = Callable[[str], None]
LAID_OUT = ("pdf", "booklet", "epub")


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
    formats = in_build_order(formats)
    if any(name in LAID_OUT for name in formats):
        preload_libraries(formats)
    progress("reading the manuscript")
    manuscript = load_manuscript(manuscript_dir, styles)
    progress("parsing with pandoc")
    document = parse(manuscript, Cache(out_dir / CACHE_FOLDER))
    if strict and document.warnings:
        raise PipelineError(f"{document.warnings[0]} (not allowed with --strict)")
    for warning in document.warnings:
        warn(warning)
    return write_editions(document, formats, out_dir, progress)


def in_build_order(formats: Iterable[str]) -> list[str]:
    """The requested editions in registry order: the PDF first, as later ones reuse its
    layout."""
    wanted = set(formats)
    return [name for name in registry() if name in wanted]


def preload_libraries(formats: list[str]) -> None:
    """Import WeasyPrint (and PyMuPDF, for a booklet) in a thread while pandoc runs in its
    own process.

    The imports are a good part of a small pamphlet's build time and need no input, so they
    overlap with the parse instead of following it.
    """

    def load() -> None:
        import_weasyprint()
        if "booklet" in formats:
            import pymupdf  # noqa: F401

    threading.Thread(target=load, name="import-libraries", daemon=True).start()


def write_editions(
    document: Document, formats: Iterable[str], out_dir: Path, progress: Progress
) -> list[BuiltEdition]:
    """Write each edition, or keep it where nothing it is made from has changed."""
    editions = registry()
    context = BuildContext()
    cache = EditionCache(Cache(out_dir / CACHE_FOLDER), document)
    built = []
    for name in formats:
        edition = editions[name]
        target = output_path(out_dir, document.manuscript.slug, edition.suffix)
        start = time.perf_counter()
        pdf_target = output_path(out_dir, document.manuscript.slug, editions["pdf"].suffix)
        _reuse_print_layout(name, cache, context, pdf_target)
        key = cache.key(name, context)
        if cache.is_current(name, key, target):
            progress(f"keeping the {name.upper()} edition: nothing it is made from changed")
            touch(target)
        else:
            progress(f"writing the {name.upper()} edition")
            _write_deep(edition, document, target, context)
            cache.remember(name, key, target)
            if name == "pdf" and context.print_layout is not None:
                cache.save_layout(key, context.print_layout)
        if name == "pdf":
            context.print_pdf = target
        seconds = time.perf_counter() - start
        size = target.stat().st_size
        built.append(BuiltEdition(name, target, size, seconds, len(document.notes)))
    return built


def _reuse_print_layout(name: str, cache: EditionCache, context: BuildContext, pdf: Path) -> None:
    """Before the EPUB, fetch the print layout of an unchanged PDF from the cache, so the
    page list does not need the pages laid out again."""
    if name != "epub" or context.print_layout is not None:
        return
    pdf_key = cache.key("pdf", context)
    if cache.is_current("pdf", pdf_key, pdf):
        context.print_layout = cache.load_layout(pdf_key)


def _write_deep(edition: Edition, document: Document, target: Path, context: BuildContext) -> None:
    """Write one edition on a deep stack, so deeply nested manuscripts lay out too."""
    try:
        run_deep(lambda: edition.write(document, target, context))
    except RecursionError:
        path = document.manuscript.texts[0].path
        message = f"is nested too deeply to lay out the {edition.name} edition"
        raise PipelineError(message, path) from None
