"""The printed cover: ``build/<slug>-cover.pdf``, one sheet a print shop can print and trim.

A saddle-stitched pamphlet (``print.binding: saddle``, the default) gets two pages of twice
the page's width: the outside, back and front side by side, and the inside, left blank. A
perfect-bound book (``print.binding: perfect``) gets one page: back, spine and front, the
spine as wide as the stack of leaves, from ``print.paper-caliper`` (the thickness of one
sheet, that is two pages, in millimetres) or ``print.pages-per-inch``. Every page has 3 mm
of bleed and crop marks on every side.

The front is the metadata's ``cover`` image, or else a typographic cover; the back carries
the description and, when ``isbn`` is set, the ISBN over its EAN-13 barcode. The markup is
``styles/templates/cover-print.html``, the look ``styles/cover.css``.
"""

from __future__ import annotations

import base64
import logging
import math
import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.book_identifiers import Identifiers, Isbn, identifiers
from pipeline.document import Document
from pipeline.editions import Edition, Layout
from pipeline.errors import PipelineError
from pipeline.fetch import refused_error, sandboxed_fetcher
from pipeline.files import atomic_write, resolve_inside
from pipeline.labels import labels_for
from pipeline.languages import language_of
from pipeline.layout import PrintPages
from pipeline.layout.front_matter import split_title
from pipeline.layout.pagesize import PageSize
from pipeline.layout.stage import page_size
from pipeline.metadata import TEXT, Metadata
from pipeline.templates import render
from pipeline.typefaces import STYLE_FILES, faces_css

TEMPLATE = "cover-print.html"
STYLESHEET = "cover.css"
BINDINGS = ("saddle", "perfect")
DEFAULT_BINDING = "saddle"
DEFAULT_CALIPER_MM = 0.1
"""A common uncoated 80 g/m² paper, used when a perfect-bound book names no paper."""
MM_PER_INCH = 25.4
BLEED_MM = 3
SLUG_MM = 3
"""The white margin outside the bleed where the crop marks stand."""
SPINE_TEXT_MIN_MM = 3.0
"""Narrower spines carry no words: no press can print them straight on so few millimetres."""
SPINE_FONT_SHARE = 0.5
SPINE_FONT_MAX_PT = 11.0
SPINE_LENGTH_SHARE = 0.85
GLYPH_EM = 0.5
"""The average width of a letter, in ems: enough to keep a long title on its spine."""
PT_PER_MM = 72 / MM_PER_INCH
LENGTH_MM = re.compile(r"^(\d+(?:\.\d+)?)\s*(mm)?$")
BARCODE_OPTIONS = {
    "module_width": 0.33,
    "module_height": 18.0,
    "quiet_zone": 3.63,
    "font_size": 9,
    "text_distance": 4.0,
    "background": "white",
    "foreground": "black",
}
"""An EAN-13 at its nominal size (0.33 mm a module) with its bars shortened, as on books."""
XML_PROLOGUE = re.compile(r"^.*?(?=<svg)", re.DOTALL)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Geometry:
    """The cover's trimmed size: two pages and, for a perfect binding, the spine."""

    binding: str
    page: PageSize
    spine_mm: float

    @property
    def width_mm(self) -> float:
        return 2 * self.page.width + self.spine_mm

    @property
    def height_mm(self) -> float:
        return self.page.height


def write(document: Document, target: Path, pages: PrintPages | None) -> None:
    if pages is None:
        raise ValueError("the cover is sized from the laid-out pages")
    atomic_write(target, cover_pdf(document, pages.layout.page_count))


def cover_pdf(document: Document, page_count: int) -> bytes:
    """The cover of ``document``'s print edition of ``page_count`` pages, as PDF bytes."""
    from pipeline.layout.engine import import_weasyprint

    weasyprint = import_weasyprint()
    from weasyprint.urls import FatalURLFetchingError

    manuscript = document.manuscript
    fetcher = sandboxed_fetcher([manuscript.root, manuscript.styles])
    html = weasyprint.HTML(
        string=cover_markup(document, geometry(document.metadata, page_size(document), page_count)),
        base_url=str(manuscript.root),
        url_fetcher=fetcher,
    )
    stylesheet = weasyprint.CSS(
        filename=str(manuscript.style_path(STYLESHEET)), url_fetcher=fetcher
    )
    sheets = [stylesheet]
    if document.typefaces is not None:
        faces = faces_css(manuscript, document.typefaces, print_edition=True)
        sheets.append(weasyprint.CSS(string=faces, url_fetcher=fetcher))
    try:
        pdf = html.write_pdf(stylesheets=sheets)
    except FatalURLFetchingError:
        raise refused_error(fetcher, manuscript.root) from None
    return finish(pdf, BLEED_MM * PT_PER_MM, identifier_info(identifiers(document.metadata)))


def finish(pdf: bytes, bleed: float, info: dict[str, str]) -> bytes:
    """The PDF with each page's BleedBox ``bleed`` points round its TrimBox (WeasyPrint
    sets it to the whole sheet, slug and crop marks included) and ``info`` added to its
    document information."""
    import pymupdf

    with pymupdf.open(stream=pdf, filetype="pdf") as document:
        kind, reference = document.xref_get_key(-1, "Info")
        if kind == "xref":
            for key, value in info.items():
                document.xref_set_key(int(reference.split()[0]), key, pymupdf.get_pdf_str(value))
        for page in document:
            trim = page.trimbox
            page.set_bleedbox(
                pymupdf.Rect(trim.x0 - bleed, trim.y0 - bleed, trim.x1 + bleed, trim.y1 + bleed)
            )
        return document.tobytes(garbage=3, deflate=True, no_new_id=True)


def geometry(meta: Metadata, page: PageSize, page_count: int) -> Geometry:
    binding = binding_of(meta)
    spine = spine_width_mm(meta, page_count) if binding == "perfect" else 0.0
    return Geometry(binding, page, spine)


def binding_of(meta: Metadata) -> str:
    value = (meta.section("print").get("binding") or DEFAULT_BINDING).lower()
    if value not in BINDINGS:
        raise PipelineError(
            f"'print.binding' must be {' or '.join(BINDINGS)}, not {value!r}",
            meta.path,
            meta.line_of("print.binding"),
        )
    return value


def spine_width_mm(meta: Metadata, page_count: int) -> float:
    """The thickness of the book block: one sheet of paper holds two pages."""
    options = meta.section("print")
    leaves = math.ceil(page_count / 2)
    if "paper-caliper" in options and "pages-per-inch" in options:
        raise PipelineError(
            "sets both 'print.paper-caliper' and 'print.pages-per-inch'; give one of them",
            meta.path,
            meta.line_of("print.pages-per-inch"),
        )
    if "pages-per-inch" in options:
        per_inch = _positive(meta, "pages-per-inch", "a number of pages such as 444")
        return page_count / per_inch * MM_PER_INCH
    if "paper-caliper" in options:
        return leaves * _positive(meta, "paper-caliper", "a thickness in mm such as 0.1mm")
    return leaves * DEFAULT_CALIPER_MM


def _positive(meta: Metadata, key: str, example: str) -> float:
    text = str(meta.section("print")[key]).strip().lower()
    match = LENGTH_MM.match(text)
    value = float(match.group(1)) if match else 0.0
    if key == "pages-per-inch" and match and match.group(2):
        value = 0.0
    if value <= 0:
        line = meta.line_of(f"print.{key}")
        raise PipelineError(f"'print.{key}' must be {example}, not {text!r}", meta.path, line)
    return value


def cover_markup(document: Document, shape: Geometry) -> str:
    meta = document.metadata
    ids = identifiers(meta)
    lead, main = split_title(meta.title)
    spine_words = len(meta.title) + sum(len(a) + 3 for a in meta.authors)
    spine_font = min(
        SPINE_FONT_MAX_PT,
        shape.spine_mm * SPINE_FONT_SHARE * PT_PER_MM,
        shape.height_mm * PT_PER_MM * SPINE_LENGTH_SHARE / (spine_words * GLYPH_EM),
    )
    if shape.binding == "perfect" and shape.spine_mm < SPINE_TEXT_MIN_MM:
        line = meta.line_of("print.paper-caliper") or meta.line_of("print.pages-per-inch")
        where = f"{meta.path}:{line or meta.line_of('print.binding')}"
        log.warning(
            "warning: %s: the spine is %.1f mm wide, too narrow for its title, which is left off",
            where,
            shape.spine_mm,
        )
    return render(
        document.manuscript,
        TEMPLATE,
        labels=labels_for(document.manuscript),
        lang=meta.lang,
        rtl=language_of(document.manuscript).rtl,
        title=meta.title,
        meta=_head(meta),
        binding=shape.binding,
        bleed=BLEED_MM + SLUG_MM,
        sheet_width=_mm(shape.width_mm),
        sheet_height=_mm(shape.height_mm),
        page_width=_mm(shape.page.width),
        spine_width=_mm(shape.spine_mm),
        spine_text=shape.spine_mm >= SPINE_TEXT_MIN_MM,
        spine_font=f"{spine_font:.2f}",
        front_image=front_image(document),
        series=meta.get("series") or "",
        lead=lead,
        main=main,
        subtitle=meta.get("subtitle") or "",
        authors=list(meta.authors),
        publisher=meta.get("publisher") or "",
        description=meta.get("description") or "",
        isbn=ids.print_isbn.shown if ids.print_isbn else "",
        barcode=barcode_uri(ids.print_isbn) if ids.print_isbn else "",
    )


def _head(meta: Metadata) -> list[tuple[str, str]]:
    """The PDF's metadata: WeasyPrint writes each ``<meta>`` into the document info."""
    tags = [
        ("author", ", ".join(meta.authors)),
        ("description", meta.get("description") or ""),
        ("keywords", ", ".join(meta.get("keywords") or [])),
    ]
    return [(name, value) for name, value in tags if value]


def identifier_info(ids: Identifiers) -> dict[str, str]:
    """The identifiers the PDF's document information carries, beside title and author."""
    info = {"EbookIdentifier": ids.ebook}
    if ids.print_isbn:
        info["ISBN"] = ids.print_isbn.shown
    return info


def _mm(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".") + "mm"


def front_image(document: Document) -> str:
    """The ``cover`` image's URL for WeasyPrint, or "" for the typographic front."""
    meta = document.metadata
    reference = meta.get("cover")
    if not reference:
        return ""
    root = document.manuscript.root
    try:
        path = resolve_inside(reference, root, [root])
    except PipelineError as exc:
        raise PipelineError(f"'cover' {exc.message}", meta.path, meta.line_of("cover")) from None
    if not path.is_file():
        raise PipelineError(
            f"'cover' names {reference!r}, which does not exist", meta.path, meta.line_of("cover")
        )
    return path.as_uri()


def barcode_svg(isbn: Isbn) -> str:
    """The ISBN's EAN-13 barcode as SVG, the digits under the bars."""
    from barcode import EAN13
    from barcode.writer import SVGWriter

    code = EAN13(isbn.ean13, writer=SVGWriter(), guardbar=True)
    svg = code.render(BARCODE_OPTIONS).decode("utf-8")
    return XML_PROLOGUE.sub("", svg, count=1)


def barcode_uri(isbn: Isbn) -> str:
    encoded = base64.b64encode(barcode_svg(isbn).encode("utf-8")).decode("ascii")
    return f"data:image/svg+xml;base64,{encoded}"


EDITION = Edition(
    name="cover",
    suffix="-cover.pdf",
    write=write,
    styles=("cover.css", "templates/cover-print*", "labels/*.yaml", *STYLE_FILES),
    options={
        "print": {"binding": TEXT, "paper-caliper": TEXT, "pages-per-inch": TEXT},
    },
    layout=Layout.REQUIRED,
)
