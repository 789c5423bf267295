"""Checks of the print edition: fonts, tagging, bookmarks, notes on their pages."""

from __future__ import annotations

import re

from pipeline.checks.context import CheckContext
from pipeline.checks.extract import comparable
from pipeline.checks.registry import Severity, rule

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
        for key, meaning in (("StructTreeRoot", "a structure tree"), ("Lang", "a language")):
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
