"""The HTML the print layout hands WeasyPrint: front matter, the text with its notes
floated to their calls, and the bibliography, filled into ``templates/print.html``."""

from __future__ import annotations

from lxml.html import HtmlElement
from markupsafe import Markup

from pipeline import matter
from pipeline.book_identifiers import identifiers
from pipeline.document import BLOCK_ATTRIBUTE, BibEntry, Document
from pipeline.layout import front_matter
from pipeline.layout.math import draw_formulas, notes_with_drawn_formulas
from pipeline.layout.notes import float_notes
from pipeline.markup import inner_html, shift_headings
from pipeline.templates import render as render_template

TEMPLATE = "print.html"


def render(
    document: Document,
    cuts: dict[int, list[int]] | None = None,
    repairs: dict[int, str] | None = None,
) -> str:
    """The HTML that WeasyPrint lays out."""
    meta = document.metadata
    return render_template(
        document.manuscript,
        TEMPLATE,
        lang=meta.lang,
        title=meta.title,
        meta=_head(document),
        title_page=front_matter.title_page(document),
        colophon=front_matter.colophon(document),
        contents=Markup(front_matter.contents(document)),
        body=Markup(body(document, cuts, repairs)),
        bibliography=[_entry(entry) for entry in document.bibliography],
        bibliography_title=matter.bibliography_title(document),
    )


def _head(document: Document) -> list[tuple[str, str]]:
    """The document's metadata, which WeasyPrint writes into the PDF's information (the
    identifiers as custom keys, as the cover's PDF carries them)."""
    meta = document.metadata
    ids = identifiers(meta)
    tags = [
        ("author", ", ".join(meta.authors)),
        ("description", meta.get("description", "")),
        ("keywords", ", ".join(meta.get("keywords") or [])),
        ("dcterms.created", meta.get("date", "")),
        ("publisher", meta.get("publisher", "")),
        ("rights", meta.get("rights", "")),
        ("ISBN", ids.print_isbn.shown if ids.print_isbn else ""),
        ("EbookIdentifier", ids.ebook),
    ]
    return [(name, value) for name, value in tags if value]


def _entry(entry: BibEntry) -> dict[str, object]:
    return {"key": entry.key, "html": Markup(entry.html)}


def body(
    document: Document,
    cuts: dict[int, list[int]] | None = None,
    repairs: dict[int, str] | None = None,
) -> str:
    tree = document.body_copy()
    shift_headings(tree, 1)
    draw_formulas(tree, document)
    float_notes(tree, notes_with_drawn_formulas(document), cuts)
    elements = block_elements(tree) if repairs else {}
    for block, name in (repairs or {}).items():
        element = elements.get(block)
        if element is not None:
            element.set("class", " ".join(filter(None, [element.get("class"), name])))
    return inner_html(tree)


def block_elements(tree: HtmlElement) -> dict[int, HtmlElement]:
    """Each numbered block's element, by number: one walk of the tree for every look-up."""
    elements: dict[int, HtmlElement] = {}
    for element in tree.iter():
        number = element.get(BLOCK_ATTRIBUTE)
        if number is not None and number.isdigit():
            elements.setdefault(int(number), element)
    return elements
