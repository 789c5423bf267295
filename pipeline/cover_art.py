"""The typographic cover, shared by the editions that show a cover without an image.

``styles/templates/cover.svg`` is filled in with the title, subtitle, authors, series and
publisher (the title is broken into lines here, at the largest size that keeps it to a few
lines), and drawn as a PNG of the stores' size: the EPUB's cover image and the web page's
social card.
"""

from __future__ import annotations

import base64
import textwrap
from string import Template

from pipeline.document import Document
from pipeline.fetch import refused_error, sandboxed_fetcher
from pipeline.files import read_text
from pipeline.labels import load_labels
from pipeline.markup import escape
from pipeline.templates import render

TEMPLATE = "templates/cover.svg"
DEFAULT_FACES = '"Charis SIL", serif'
"""The cover's faces for a document that names none."""
RASTER_TEMPLATE = "cover-raster.html"
STORE_SIZE = (1600, 2400)
"""The least width and height in pixels e-book stores take for a cover."""

TEXT_WIDTH = 960
GLYPH_EM = {"title": 0.52, "subtitle": 0.45, "author": 0.48, "series": 0.62}
TITLE_SIZES = (120, 104, 90, 78, 66)
MAX_TITLE_LINES = 5
TITLE_LEADING = 1.15
SUBTITLE_SIZE, SUBTITLE_LEADING, SUBTITLE_GAP = 50, 1.3, 60
AUTHOR_SIZE, AUTHOR_LEADING = 58, 1.25
SERIES_SIZE, SERIES_LEADING = 38, 1.4
TITLE_AREA = (320, 1260)


def raster_cover(document: Document) -> bytes:
    """The typographic cover drawn as a PNG of the stores' size: the one drawn ahead
    (``drawn_ahead``) for the same cover, or drawn now."""
    markup = _raster_markup(document)
    drawn = _drawn.get(markup)
    return drawn if drawn is not None else _draw(document, markup)


def draw_raster_cover(document: Document) -> bytes:
    """The PNG drawn now, whatever was drawn ahead: work for a worker process."""
    return _draw(document, _raster_markup(document))


def keep_raster_cover(document: Document, png: bytes) -> None:
    """Keep ``png``, drawn elsewhere, as the raster cover of ``document`` as it is now."""
    _drawn.clear()
    _drawn[_raster_markup(document)] = png


_drawn: dict[str, bytes] = {}
"""The raster cover drawn ahead, by the markup it was drawn from."""


def _raster_markup(document: Document) -> str:
    svg = typographic_cover(document).encode("utf-8")
    return render(
        document.manuscript,
        RASTER_TEMPLATE,
        src="data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii"),
    )


def _draw(document: Document, markup: str) -> bytes:
    """WeasyPrint draws the SVG (with the template's styles and the book's typeface) into a
    one-page PDF, which PyMuPDF renders at the stores' size; both are deterministic, so the
    same book gives the same bytes."""
    import pymupdf

    from pipeline.layout.engine import import_weasyprint

    manuscript = document.manuscript
    weasyprint = import_weasyprint()
    from weasyprint.urls import FatalURLFetchingError

    fetcher = sandboxed_fetcher([manuscript.styles])
    html = weasyprint.HTML(string=markup, base_url=str(manuscript.styles), url_fetcher=fetcher)
    try:
        pdf = html.write_pdf()
    except FatalURLFetchingError:
        raise refused_error(fetcher, manuscript.styles) from None
    with pymupdf.open(stream=pdf, filetype="pdf") as drawn:
        page = drawn[0]
        scale = pymupdf.Matrix(STORE_SIZE[0] / page.rect.width, STORE_SIZE[1] / page.rect.height)
        return page.get_pixmap(matrix=scale, alpha=False).tobytes("png")


def cover_label(document: Document) -> str:
    """The cover image's description: title, subtitle and authors, in the labels' words."""
    meta = document.metadata
    labels = load_labels(document.manuscript)
    subtitle, authors = meta.get("subtitle"), labels["list_separator"].join(meta.authors)
    name = "cover_description" + ("_subtitle" if subtitle else "") + ("_authors" if authors else "")
    return labels.format(name, title=meta.title, subtitle=subtitle, authors=authors)


def typographic_cover(document: Document) -> str:
    """The cover template filled in with the book's title, authors, series and publisher."""
    meta = document.metadata
    size, title_lines = _fit_title(meta.title)
    subtitle_lines = _wrap(meta.get("subtitle") or "", SUBTITLE_SIZE, "subtitle")
    title_height = len(title_lines) * TITLE_LEADING * size
    subtitle_height = (
        SUBTITLE_GAP + len(subtitle_lines) * SUBTITLE_LEADING * SUBTITLE_SIZE
        if subtitle_lines
        else 0
    )
    top = TITLE_AREA[0] + (TITLE_AREA[1] - TITLE_AREA[0] - title_height - subtitle_height) / 2
    template = Template(read_text(document.manuscript.style_path(TEMPLATE)))
    faces = document.typefaces
    return template.substitute(
        faces=faces.css_families() if faces else DEFAULT_FACES,
        subtitle_style="italic" if faces is None or faces.slanted else "normal",
        label=escape(cover_label(document)),
        series_lines=_tspans(
            _wrap(meta.get("series") or "", SERIES_SIZE, "series"), SERIES_LEADING
        ),
        title_size=size,
        title_y=round(top + 0.8 * size),
        title_lines=_tspans(title_lines, TITLE_LEADING),
        subtitle_y=round(top + title_height + SUBTITLE_GAP + 0.8 * SUBTITLE_SIZE),
        subtitle_lines=_tspans(subtitle_lines, SUBTITLE_LEADING),
        author_lines=_tspans(_wrap(_authors(document), AUTHOR_SIZE, "author"), AUTHOR_LEADING),
        publisher=escape(_imprint(meta.get("publisher") or "", meta.authors)),
    )


def _authors(document: Document) -> str:
    """The authors' names, joined as the labels join a list."""
    return load_labels(document.manuscript)["list_separator"].join(document.metadata.authors)


def _imprint(publisher: str, authors: list[str]) -> str:
    """The publisher's name, left out when it only repeats the author's."""
    return "" if publisher == ", ".join(authors) else publisher


def _fit_title(title: str) -> tuple[int, list[str]]:
    """The largest size at which the title fits in a few lines, and its lines."""
    for size in TITLE_SIZES:
        lines = _wrap(title, size, "title")
        width = _line_capacity(size, "title")
        if len(lines) <= MAX_TITLE_LINES and all(len(line) <= width for line in lines):
            return size, lines
    size = TITLE_SIZES[-1]
    return size, _wrap(title, size, "title")


def _line_capacity(size: int, kind: str) -> int:
    return max(8, int(TEXT_WIDTH / (size * GLYPH_EM[kind])))


def _wrap(text: str, size: int, kind: str) -> list[str]:
    return textwrap.wrap(text, _line_capacity(size, kind), break_long_words=False)


def _tspans(lines: list[str], leading: float) -> str:
    spans = []
    for index, line in enumerate(lines):
        shift = f' dy="{leading}em"' if index else ""
        spans.append(f'<tspan x="600"{shift}>{escape(line)}</tspan>')
    return "".join(spans)
