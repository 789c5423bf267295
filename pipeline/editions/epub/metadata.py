"""The EPUB's package metadata: identifier, bibliographic fields, accessibility.

The accessibility fields follow EPUB Accessibility 1.1: how the content can be perceived
(access modes), what helps a reader find their way (features), that nothing in it is a
hazard, a summary in words, and the conformance claim — made only while every image has a
text alternative. Formulas are MathML, which the features declare.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ebooklib import epub

from pipeline.book_identifiers import identifiers
from pipeline.document import Document
from pipeline.labels import Labels, load_labels
from pipeline.layout.pagesize import DEFAULT_PAGE_SIZE

IDENTIFIER_ID = "id"
W3CDTF = re.compile(r"^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:\d{2}))?)?)?$")
CONFORMANCE = "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"
ONIX_ISBN_13, ONIX_ISBN_10 = "15", "02"


@dataclass(frozen=True)
class AccessibilityFacts:
    """What the built EPUB offers, as found while assembling it."""

    page_list: bool
    images: bool
    images_without_alt: int
    math: bool = False


def identifier(document: Document) -> str:
    """The e-book's identifier (see ``pipeline.book_identifiers``): its ISBN as urn:isbn, the
    print ISBN, the metadata's identifier, or a UUID derived from title and authors."""
    return identifiers(document.metadata).ebook


def describe(book: epub.EpubBook, document: Document) -> None:
    """Title, language, identifier, creators and the other bibliographic fields."""
    meta = document.metadata
    ids = identifiers(meta)
    book.set_identifier(ids.ebook)
    if ids.ebook_isbn:
        kind = ONIX_ISBN_13 if len(ids.ebook_isbn.digits) == 13 else ONIX_ISBN_10
        _refine(book, IDENTIFIER_ID, "identifier-type", kind, scheme="onix:codelist5")
    if ids.print_isbn and ids.ebook_differs:
        book.add_metadata("DC", "source", ids.print_isbn.urn)
    book.title = meta.title
    book.add_metadata("DC", "title", meta.title, {"id": "title"})
    _refine(book, "title", "title-type", "main")
    if meta.get("subtitle"):
        book.add_metadata("DC", "title", meta.get("subtitle"), {"id": "subtitle"})
        _refine(book, "subtitle", "title-type", "subtitle")
    book.set_language(meta.lang)
    for number, author in enumerate(meta.authors, start=1):
        book.add_metadata("DC", "creator", author, {"id": f"creator-{number}"})
        _refine(book, f"creator-{number}", "role", "aut", scheme="marc:relators")
    for key in ("publisher", "rights", "description"):
        if meta.get(key):
            book.add_metadata("DC", key, meta.get(key))
    for keyword in meta.get("keywords") or []:
        book.add_metadata("DC", "subject", keyword)
    if meta.get("date") and W3CDTF.match(meta.get("date")):
        book.add_metadata("DC", "date", meta.get("date"))
    if meta.get("series"):
        _meta(book, "belongs-to-collection", meta.get("series"), id="series")
        _refine(book, "series", "collection-type", "series")


def describe_accessibility(
    book: epub.EpubBook, document: Document, facts: AccessibilityFacts
) -> None:
    modes = ["textual", *(["visual"] if facts.images else [])]
    for mode in modes:
        _meta(book, "schema:accessMode", mode)
    sufficient = ["textual"] if not facts.images_without_alt else []
    if facts.images:
        sufficient.append("textual,visual")
    for modes_set in sufficient:
        _meta(book, "schema:accessModeSufficient", modes_set)
    for feature in accessibility_features(facts):
        _meta(book, "schema:accessibilityFeature", feature)
    _meta(book, "schema:accessibilityHazard", "none")
    labels = load_labels(document.manuscript)
    _meta(book, "schema:accessibilitySummary", accessibility_summary(facts, labels))
    if facts.page_list:
        _meta(book, "pageBreakSource", page_break_source(document, labels))
    if not facts.images_without_alt:
        _meta(book, "dcterms:conformsTo", CONFORMANCE)


def accessibility_features(facts: AccessibilityFacts) -> list[str]:
    features = ["structuralNavigation", "tableOfContents", "readingOrder"]
    if facts.page_list:
        features += ["printPageNumbers", "pageBreakMarkers", "pageNavigation"]
    if facts.images and not facts.images_without_alt:
        features.append("alternativeText")
    if facts.math:
        features.append("MathML")
    return features


def accessibility_summary(facts: AccessibilityFacts, labels: Labels) -> str:
    """The summary in words, one sentence (a ``summary_…`` label) per fact."""
    names = ["summary_reflowable", "summary_contents", "summary_notes"]
    if facts.page_list:
        names.append("summary_page_numbers")
    if facts.images_without_alt:
        names.append("summary_images_without_description")
    elif facts.images:
        names.append("summary_images_described")
    if not facts.images_without_alt:
        names.append("summary_conformance")
    return labels["summary_separator"].join(labels[name] for name in names)


def page_break_source(document: Document, labels: Labels) -> str:
    meta = document.metadata
    size = meta.section("print").get("page-size") or DEFAULT_PAGE_SIZE
    return labels.format("page_break_source", title=meta.title, size=size)


def _meta(book: epub.EpubBook, prop: str, value: str, **attributes: str) -> None:
    book.add_metadata(None, "meta", value, {"property": prop, **attributes})


def _refine(book: epub.EpubBook, target: str, prop: str, value: str, **attributes: str) -> None:
    book.add_metadata(
        None, "meta", value, {"refines": f"#{target}", "property": prop, **attributes}
    )
