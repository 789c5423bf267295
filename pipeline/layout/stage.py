"""Laying the pages out: WeasyPrint over the print markup, repaired until every note sits on
the page of its call, and read back into a ``PrintLayout``.

The look is print.css plus the stylesheets that the ``print`` options choose (page size,
larger pages, bleed, crop marks); this module only picks and fills them.
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
from pathlib import Path
from string import Template
from typing import Any

from pipeline import limits, typefaces
from pipeline.clock import build_time
from pipeline.document import Document
from pipeline.errors import PipelineError
from pipeline.fetch import refused_error, sandboxed_fetcher
from pipeline.files import read_text
from pipeline.languages import language_of
from pipeline.layout import PrintLayout, PrintPages, engine, hyphenation, pdfx
from pipeline.layout.markup import render
from pipeline.layout.notes import plan_cuts
from pipeline.layout.page_tops import read_page_positions
from pipeline.layout.pages import (
    block_pages,
    note_line_lengths,
    overflowing_text,
    page_contents,
)
from pipeline.layout.pagesize import DEFAULT_PAGE_SIZE, PageSize, parse_page_size
from pipeline.layout.repairs import plan_repairs
from pipeline.manuscript import Manuscript
from pipeline.metadata import FLAG, TEXT

STYLESHEET = "print.css"
PAGE_STYLESHEET = "print-page.css"
LARGE_PAGE_STYLESHEET = "print-large.css"
LARGE_PAGE_MM = 180
RTL_STYLESHEET = "print-rtl.css"
"""For a right-to-left text: the book bound on the right, its lines set from the right."""
OPTION_STYLESHEETS = {"bleed": "print-bleed.css", "crop-marks": "print-crop-marks.css"}
log = logging.getLogger("pipeline.layout")
LANG_ATTRIBUTE = re.compile(r"""\blang=["']([^"']+)["']""")
OVERFLOW_WARNING = "warning: page %d of the print edition: “%s” is set past the text block"
FEWER_COLLECTIONS_FROM = 500
"""Top-level blocks and notes from which fewer full collections pay for their watch."""
STYLE_FILES = ("print*.css", "templates/print*", "labels/*.yaml", *typefaces.STYLE_FILES)
"""The style files the print layout reads, for its cache key."""
OPTIONS = {
    "page-size": TEXT,
    "bleed": FLAG,
    "crop-marks": FLAG,
    "pdf-variant": TEXT,
    "toc": FLAG,
}
"""The ``print`` options the layout reads; editions made of its pages may add their own."""
DEFAULT_VARIANT = "pdf/ua-1"
MAX_REPAIRS = 4


def _collections(document: Document) -> contextlib.AbstractContextManager:
    """Fewer full garbage collections while a long text is laid out (14 % faster at 10×
    the seed, bench/results.md); at a pamphlet's size the watch gains nothing that the
    bench can tell from noise, so a pamphlet is laid out with the collector as it is."""
    if len(document.body) + len(document.notes) >= FEWER_COLLECTIONS_FROM:
        return engine.fewer_full_collections()
    return contextlib.nullcontext()


def lay_out(document: Document) -> PrintPages:
    """The pages laid out and written as a PDF, with where things fell; past the time limit
    (``pipeline.limits``), an error naming the manuscript."""
    try:
        with _collections(document):
            rendered = lay_out_pages(document)
            layout = print_layout(rendered)
            data = write_pdf(document, rendered)
    except limits.OutOfTime:
        texts = document.manuscript.texts
        subject = texts[0].path if len(texts) == 1 else document.manuscript.root
        raise limits.gave_up("the print layout", subject) from None
    return PrintPages(layout, data)


def write_pdf(document: Document, rendered: Any) -> bytes:
    """The laid-out pages as PDF bytes; a PDF/X variant is completed by ``pdfx.finish``."""
    options = pdf_options(document)
    variant = options["pdf_variant"]
    if pdfx.is_pdfx(variant):
        _need_profiles(document)
        pdfx.date(rendered.metadata, build_time())
    pdf = io.BytesIO()
    from weasyprint.urls import FatalURLFetchingError

    finisher = _pages_turn_right_to_left if language_of(document.manuscript).rtl else None
    try:
        rendered.write_pdf(pdf, finisher=finisher, **options)
    except FatalURLFetchingError:
        raise refused_error(rendered.url_fetcher, document.manuscript.root) from None
    if not pdfx.is_pdfx(variant):
        return pdf.getvalue()
    bleed = bool(document.metadata.section("print").get("bleed"))
    return pdfx.finish(pdf.getvalue(), variant, bleed)


def _pages_turn_right_to_left(_rendered: Any, pdf: Any) -> None:
    """Mark a right-to-left book's PDF so that viewers show its spreads as it opens, the
    first page of each on the right (``/ViewerPreferences /Direction /R2L``)."""
    import pydyf

    preferences = pdf.catalog.get("ViewerPreferences")
    if preferences is None:
        preferences = pdf.catalog["ViewerPreferences"] = pydyf.Dictionary()
    preferences["Direction"] = "/R2L"


def lay_out_pages(document: Document) -> Any:
    """Lay the pages out with WeasyPrint; returns its rendered document.

    A text without long notes, whose notes all land on the page of their call, is laid out
    once. Long notes are cut at the line breaks of that first layout (see notes.py) and the
    pages laid out again; notes carried to the next page are repaired (see repairs.py) and
    the pages laid out again, up to MAX_REPAIRS times.
    """
    hyphenation.preload(hyphenated_languages(document))
    cuts: dict[int, list[int]] = {}
    repairs: dict[int, str] = {}
    render_pages = _Renderer(document)
    rendered = render_pages(cuts, repairs)
    cuts = plan_cuts(note_line_lengths(rendered))
    if cuts:
        rendered = render_pages(cuts, repairs)
    for _attempt in range(MAX_REPAIRS):
        more = plan_repairs(document, page_contents(rendered), repairs)
        if not more:
            break
        repairs.update(more)
        rendered = render_pages(cuts, repairs)
    return rendered


def hyphenated_languages(document: Document) -> list[str]:
    """The languages whose words the print edition hyphenates: the manuscript's, if its
    language is hyphenated, and those its passages are marked with."""
    language = language_of(document.manuscript)
    tags = [document.metadata.lang] if language.hyphenate else []
    tags.extend(document.body.xpath("//@lang"))
    for note in document.notes:
        tags.extend(LANG_ATTRIBUTE.findall(note.html))
    return list(dict.fromkeys(tag for tag in tags if tag))


def _need_profiles(document: Document) -> None:
    missing = pdfx.missing_profiles()
    if missing:
        meta = document.metadata
        raise PipelineError(
            f"'print.pdf-variant' PDF/X needs the ICC profile {missing[0]}, which the Debian"
            " package libgs-common installs (make installs it)",
            meta.path,
            meta.line_of("print.pdf-variant"),
        )


class _Renderer:
    """WeasyPrint's rendering of the print markup, its style sheets parsed once for every
    pass (print.css alone takes 50 ms to parse)."""

    def __init__(self, document: Document):
        manuscript = document.manuscript
        self.document = document
        self.fetcher = sandboxed_fetcher([manuscript.root, manuscript.styles])
        self._sheets: list | None = None

    def __call__(self, cuts: dict[int, list[int]], repairs: dict[int, str]) -> Any:
        weasyprint = engine.import_weasyprint()
        from weasyprint.urls import FatalURLFetchingError

        root = self.document.manuscript.root
        markup = render(self.document, cuts, repairs)
        html = weasyprint.HTML(string=markup, base_url=str(root), url_fetcher=self.fetcher)
        try:
            if self._sheets is None:
                self._sheets = stylesheets(self.document, self.fetcher)
            return html.render(stylesheets=self._sheets)
        except FatalURLFetchingError:
            raise refused_error(self.fetcher, root) from None


def print_layout(rendered: Any) -> PrintLayout:
    """Read off the laid-out pages which page each numbered body block starts on, and
    where each page begins (for the EPUB's page-break markers); warn of text set off the
    page."""
    for page, words in overflowing_text(rendered):
        log.warning(OVERFLOW_WARNING, page, words[:40])
    pages = page_contents(rendered)
    layout = PrintLayout(block_pages=block_pages(pages), page_count=len(rendered.pages))
    read_page_positions(layout, rendered)
    return layout


def page_size(document: Document) -> PageSize:
    meta = document.metadata
    value = meta.section("print").get("page-size") or DEFAULT_PAGE_SIZE
    try:
        return parse_page_size(value)
    except ValueError as exc:
        line = meta.line_of("print.page-size")
        raise PipelineError(f"'print.page-size' {exc}", meta.path, line) from None


_parsed: dict[tuple, Any] = {}
"""Style sheets parsed by WeasyPrint, by file, its state and the folders it may read."""


def parse_ahead(manuscript: Manuscript) -> None:
    """Parse print.css before the layout needs it (while pandoc runs)."""
    fetcher = sandboxed_fetcher([manuscript.root, manuscript.styles])
    _parsed_sheet(manuscript, manuscript.style_path(STYLESHEET), fetcher)


def _parsed_sheet(manuscript: Manuscript, path: Path, fetcher: Any) -> Any:
    weasyprint = engine.import_weasyprint()
    state = path.stat()
    key = (path, state.st_mtime_ns, state.st_size, manuscript.root, manuscript.styles)
    sheet = _parsed.get(key)
    if sheet is None:
        sheet = weasyprint.CSS(filename=str(path), url_fetcher=fetcher)
        _parsed[key] = sheet
    return sheet


def pdf_options(document: Document) -> dict:
    """WeasyPrint's PDF options: tagged, with the variant the metadata asks for."""
    variant = document.metadata.section("print").get("pdf-variant") or DEFAULT_VARIANT
    return {"pdf_variant": variant.lower(), "pdf_tags": True, "custom_metadata": True}


def stylesheets(document: Document, fetcher: Any = None) -> list:
    """print.css, the page size, print-rtl.css for a right-to-left text, and the
    stylesheets the ``print`` options switch on."""
    weasyprint = engine.import_weasyprint()

    manuscript = document.manuscript
    if fetcher is None:
        fetcher = sandboxed_fetcher([manuscript.root, manuscript.styles])
    options = document.metadata.section("print")
    size = page_size(document)
    page_css = Template(read_text(manuscript.style_path(PAGE_STYLESHEET))).substitute(size=size.css)

    def sheet(name: str) -> Any:
        return _parsed_sheet(manuscript, manuscript.style_path(name), fetcher)

    def inline(css: str) -> Any:
        return weasyprint.CSS(string=css, base_url=str(manuscript.styles), url_fetcher=fetcher)

    sheets = [sheet(STYLESHEET), inline(page_css)]
    if document.typefaces is not None:
        sheets.append(inline(typefaces.faces_css(manuscript, document.typefaces, True)))
    if size.width > LARGE_PAGE_MM:
        sheets.append(sheet(LARGE_PAGE_STYLESHEET))
    if language_of(manuscript).rtl:
        sheets.append(sheet(RTL_STYLESHEET))
    sheets.extend(sheet(name) for option, name in OPTION_STYLESHEETS.items() if options.get(option))
    if pdfx.is_pdfx(options.get("pdf-variant")):
        sheets.append(sheet(pdfx.STYLESHEET))
    return sheets
