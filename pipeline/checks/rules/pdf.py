"""Checks of the print edition: fonts, tagging, bookmarks, notes on their pages."""

from __future__ import annotations

import re

from pipeline.checks.context import CheckContext
from pipeline.checks.extract import comparable
from pipeline.checks.registry import Severity, rule

MM = 72 / 25.4
SIDE_MARGIN = 0.09
FONT_FAMILY = re.compile(r"font-family\s*:\s*([^;}]+)", re.IGNORECASE)
GENERIC_FAMILIES = {
    "serif",
    "sans-serif",
    "monospace",
    "cursive",
    "fantasy",
    "system-ui",
    "inherit",
}


def configured_families(context: CheckContext) -> set[str]:
    """The font families the print stylesheets name, squeezed (``charissil``)."""
    manuscript = context.manuscript
    sheets = [*manuscript.styles.glob("print*.css"), *(manuscript.root / "styles").glob("*.css")]
    families = set()
    for sheet in sheets:
        for declaration in FONT_FAMILY.findall(sheet.read_text(encoding="utf-8")):
            for family in declaration.split(","):
                name = family.strip().strip("'\"").strip()
                if name and name.lower() not in GENERIC_FAMILIES:
                    families.add(_squeeze(name))
    return families


def _squeeze(name: str) -> str:
    return re.sub(r"[\s_-]+", "", name).lower()


def _open(context: CheckContext):
    import pymupdf

    path = context.edition_path("pdf")
    return None if path is None else pymupdf.open(path)


def _fonts(context: CheckContext) -> list[tuple[int, str, str]]:
    """(page, font name, font type) of every font used, the subset prefix removed."""

    def read():
        pdf = _open(context)
        if pdf is None:
            return []
        with pdf:
            fonts = []
            for page in pdf:
                for xref, ext, _kind, name, *_ in page.get_fonts(full=True):
                    fonts.append((page.number + 1, name.split("+", 1)[-1], ext, xref))
            return fonts

    return context.memo("pdf-fonts", read)


@rule("pdf.fonts-embedded", Severity.ERROR, "A font is not embedded.")
def fonts_embedded(context: CheckContext):
    reported = set()
    for page, name, ext, _xref in _fonts(context):
        if ext in ("n/a", "") and name not in reported:
            reported.add(name)
            yield f"page {page}", f"font {name} is not embedded"


@rule("pdf.font-family", Severity.ERROR, "A font outside the configured families was used.")
def font_family(context: CheckContext):
    reported = set()
    allowed = tuple(configured_families(context))
    for page, name, _ext, _xref in _fonts(context):
        if not _squeeze(name).startswith(allowed) and name not in reported:
            reported.add(name)
            yield f"page {page}", f"fallback font {name} was used"


@rule("pdf.tagged", Severity.ERROR, "The PDF is not tagged or lacks its language or title.")
def tagged(context: CheckContext):
    pdf = _open(context)
    if pdf is None:
        return
    with pdf:
        catalog = pdf.pdf_catalog()
        for key, meaning in (("StructTreeRoot", "structure tree"), ("Lang", "language")):
            if pdf.xref_get_key(catalog, key)[0] == "null":
                yield "catalog", f"has no {meaning} (/{key})"
        if not (pdf.metadata or {}).get("title"):
            yield "metadata", "has no document title"


@rule("pdf.bookmarks", Severity.ERROR, "The bookmarks do not match the headings.")
def bookmarks(context: CheckContext):
    if context.edition_path("pdf") is None:
        return
    found = context.content("pdf").headings
    for heading in context.document().headings:
        if heading.text not in found:
            yield "outline", f"no bookmark for “{heading.text}”"


@rule("pdf.note-on-call-page", Severity.ERROR, "A footnote is not on the page of its call.")
def note_on_call_page(context: CheckContext):
    """Each note must start on a page whose body text holds its call."""
    pdf = _open(context)
    if pdf is None:
        return
    from pipeline.checks.extract import note_pages

    with pdf:
        for number, note_page, call_pages in note_pages(pdf):
            if note_page not in call_pages:
                yield f"page {note_page}", f"note {number} is not on the page of its call"


@rule("pdf.note-text", Severity.ERROR, "A footnote's text differs from the manuscript's.")
def note_text(context: CheckContext):
    if context.edition_path("pdf") is None:
        return
    found = [comparable(n) for n in context.content("pdf").notes]
    for note in context.document().notes:
        if note.number > len(found) or found[note.number - 1] != comparable(note.text):
            yield f"note {note.number}", "the printed note differs from the manuscript's"


def _trim(page):
    """The page as trimmed: the trim box where there is bleed, else the media box."""
    trim = page.trimbox
    return trim if trim.width > 0 and trim.height > 0 else page.rect


@rule("pdf.page-size", Severity.ERROR, "A page is not of the configured size.")
def page_size_matches(context: CheckContext):
    from pipeline.layout.stage import page_size

    pdf = _open(context)
    if pdf is None:
        return
    expected = page_size(context.document())
    width, height = expected.points
    with pdf:
        for page in pdf:
            trim = _trim(page)
            if abs(trim.width - width) > 1 or abs(trim.height - height) > 1:
                size = f"{trim.width / MM:.0f}×{trim.height / MM:.0f} mm"
                yield f"page {page.number + 1}", f"is {size}, not {expected}"


@rule("pdf.text-block", Severity.ERROR, "Text runs outside the text block.")
def text_block(context: CheckContext):
    """No word may reach into the inner tenth of the page's width on either side: the print
    stylesheet's side margins are wider than that, so only an overflowing line gets there."""
    pdf = _open(context)
    if pdf is None:
        return
    with pdf:
        for page in pdf:
            trim = _trim(page)
            low = trim.x0 + trim.width * SIDE_MARGIN
            high = trim.x1 - trim.width * SIDE_MARGIN
            for word in page.get_text("words"):
                if word[0] < low - 1 or word[2] > high + 1:
                    yield f"page {page.number + 1}", f"“{word[4][:30]}” runs past the text block"
                    break


@rule("booklet.page-count", Severity.ERROR, "The booklet does not hold every page, in fours.")
def booklet_page_count(context: CheckContext):
    import pymupdf

    booklet, printed = context.edition_path("booklet"), context.edition_path("pdf")
    if booklet is None or printed is None:
        return
    with pymupdf.open(booklet) as sheets, pymupdf.open(printed) as pages:
        slots = 2 * sheets.page_count
        if slots % 4:
            yield booklet.name, f"{sheets.page_count} sides hold {slots} pages, not a multiple of 4"
        if not pages.page_count <= slots < pages.page_count + 4:
            yield booklet.name, f"{slots} page places for the {pages.page_count} pages of the PDF"
