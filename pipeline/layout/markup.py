"""The HTML the print layout hands WeasyPrint: front matter, the text with its notes
floated to their calls, and the bibliography, filled into ``templates/print.html``."""

from __future__ import annotations

from lxml.html import HtmlElement
from markupsafe import Markup

from pipeline import matter
from pipeline.book_identifiers import identifiers
from pipeline.document import BLOCK_ATTRIBUTE, BibEntry, Document
from pipeline.labels import load_labels
from pipeline.languages import language_of
from pipeline.layout import front_matter
from pipeline.layout.bidi import keep_ltr_runs, ltr_runs_in
from pipeline.layout.math import draw_formulas, notes_with_drawn_formulas
from pipeline.layout.notes import float_notes
from pipeline.links import XREF_CLASS
from pipeline.markup import inner_html, shift_headings
from pipeline.templates import render as render_template

TEMPLATE = "print.html"
XREF_PAGE = ("data-page-before", "data-page-after")
"""The words before and after the page number print.css adds to a cross-reference, from
the label ``xref_page`` split at its ``{page}``."""


def render(
    document: Document,
    cuts: dict[int, list[int]] | None = None,
    repairs: dict[int, str] | None = None,
) -> str:
    """The HTML that WeasyPrint lays out."""
    meta = document.metadata
    rtl = language_of(document.manuscript).rtl
    return render_template(
        document.manuscript,
        TEMPLATE,
        lang=meta.lang,
        title=meta.title,
        meta=_head(document),
        title_page=front_matter.title_page(document),
        colophon=front_matter.colophon(document),
        typeface=front_matter.typeface(document),
        contents=Markup(front_matter.contents(document)),
        body=Markup(body(document, cuts, repairs)),
        bibliography=[_entry(entry, rtl) for entry in document.bibliography],
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


def _entry(entry: BibEntry, rtl: bool = False) -> dict[str, object]:
    """A bibliography entry; in a right-to-left text, with its left-to-right runs kept in
    order (see ``bidi``)."""
    return {"key": entry.key, "html": Markup(ltr_runs_in(entry.html) if rtl else entry.html)}


def body(
    document: Document,
    cuts: dict[int, list[int]] | None = None,
    repairs: dict[int, str] | None = None,
) -> str:
    tree = document.body_copy()
    shift_headings(tree, 1)
    draw_formulas(tree, document)
    float_notes(tree, notes_with_drawn_formulas(document), cuts)
    if language_of(document.manuscript).rtl:
        keep_ltr_runs(tree)
    label_cross_references(tree, load_labels(document.manuscript).words["xref_page"])
    elements = block_elements(tree) if repairs else {}
    for block, name in (repairs or {}).items():
        element = elements.get(block)
        if element is not None:
            element.set("class", " ".join(filter(None, [element.get("class"), name])))
    return inner_html(tree)


def label_cross_references(tree: HtmlElement, label: str) -> None:
    """Give each cross-reference the words around its page number, for print.css."""
    before, _, after = label.partition("{page}")
    for link in tree.xpath(f"//a[contains(concat(' ', @class, ' '), ' {XREF_CLASS} ')]"):
        link.set(XREF_PAGE[0], before)
        link.set(XREF_PAGE[1], after)


def block_elements(tree: HtmlElement) -> dict[int, HtmlElement]:
    """Each numbered block's element, by number: one walk of the tree for every look-up."""
    elements: dict[int, HtmlElement] = {}
    for element in tree.iter():
        number = element.get(BLOCK_ATTRIBUTE)
        if number is not None and number.isdigit():
            elements.setdefault(int(number), element)
    return elements
