"""The EPUB's package metadata: identifier, bibliographic fields, accessibility.

The accessibility fields follow EPUB Accessibility 1.1: how the content can be perceived
(access modes), what helps a reader find their way (features), that nothing in it is a
hazard, a summary in words, and the conformance claim — made only while every image has a
text alternative.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from ebooklib import epub

from pipeline.document import Document
from pipeline.errors import PipelineError
from pipeline.labels import Labels, load_labels
from pipeline.layout.pagesize import DEFAULT_PAGE_SIZE

IDENTIFIER_NAMESPACE = uuid.UUID("5b0a6f3e-52a4-4f55-8a45-6b1c5e3c9d21")
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


def identifier(document: Document) -> str:
    """ISBN (as urn:isbn) or identifier from the metadata; else a UUID derived from title
    and authors, so that a rebuild keeps it."""
    meta = document.metadata
    if meta.get("isbn"):
        return "urn:isbn:" + isbn(document)
    if meta.get("identifier"):
        return meta.get("identifier")
    seed = "\n".join([meta.title, *meta.authors])
    return f"urn:uuid:{uuid.uuid5(IDENTIFIER_NAMESPACE, seed)}"


def isbn(document: Document) -> str:
    """The metadata's ISBN as bare digits, or an error when its check digit is wrong."""
    meta = document.metadata
    digits = re.sub(r"[\s-]", "", meta.get("isbn")).upper()
    if not _valid_isbn(digits):
        raise PipelineError(
            f"'isbn' {meta.get('isbn')!r} is not a valid ISBN-10 or ISBN-13",
            meta.path,
            meta.line_of("isbn"),
        )
    return digits


def _valid_isbn(digits: str) -> bool:
    if re.fullmatch(r"\d{13}", digits):
        total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits))
        return total % 10 == 0
    if re.fullmatch(r"\d{9}[\dX]", digits):
        values = [10 if d == "X" else int(d) for d in digits]
        return sum(v * (10 - i) for i, v in enumerate(values)) % 11 == 0
    return False


def describe(book: epub.EpubBook, document: Document) -> None:
    """Title, language, identifier, creators and the other bibliographic fields."""
    meta = document.metadata
    book.set_identifier(identifier(document))
    if meta.get("isbn"):
        kind = ONIX_ISBN_13 if len(isbn(document)) == 13 else ONIX_ISBN_10
        _refine(book, IDENTIFIER_ID, "identifier-type", kind, scheme="onix:codelist5")
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
