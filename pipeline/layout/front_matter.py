"""Front matter of the print edition: the title page, the colophon and the contents.

The markup is small and generated from metadata.yaml, in the templates
``print-title-page.html``, ``print-colophon.html`` and ``print-contents.html``; how it looks
is up to print.css, and the words come from the labels.
"""

from __future__ import annotations

import re

from markupsafe import Markup

from pipeline import matter
from pipeline.book_identifiers import identifiers
from pipeline.document import Document
from pipeline.labels import labels_for
from pipeline.templates import render

TITLE_PAGE_TEMPLATE = "print-title-page.html"
COLOPHON_TEMPLATE = "print-colophon.html"
CONTENTS_TEMPLATE = "print-contents.html"
TYPEFACE = "Charis SIL"
"""The family print.css sets the text in when the document names no faces."""
TITLE_LEAD = re.compile(r"^(?P<lead>[^:]{1,16}):\s+(?P<main>\S.*)$")
"""A short lead before a colon, such as the dates in "1922–3: The communist fractions…"."""


def split_title(title: str) -> tuple[str, str]:
    """The title's short lead (or "") and its main part."""
    match = TITLE_LEAD.match(title)
    if match is None:
        return "", title
    return match.group("lead").strip(), match.group("main").strip()


def title_page(document: Document) -> Markup:
    """The title page in three groups: series at the head, title and author, publisher."""
    meta = document.metadata
    lead, main = split_title(meta.title)
    markup = render(
        document.manuscript,
        TITLE_PAGE_TEMPLATE,
        labels=labels_for(document.manuscript),
        title=meta.title,
        lead=lead,
        main=main,
        subtitle=meta.get("subtitle") or "",
        authors=list(meta.authors),
        series=meta.get("series") or "",
        publisher=meta.get("publisher") or "",
    )
    return Markup(markup)


def typeface(document: Document) -> str:
    """The name of the face the text is set in, for the colophon's line ``typeface``: the
    first face of its script (styles/scripts.yaml)."""
    faces = document.typefaces
    return faces.primary if faces is not None else TYPEFACE


def colophon(document: Document) -> Markup:
    """The colophon's lines that come from metadata; absent keys leave no empty line."""
    meta = document.metadata
    fields = ("edition", "publisher", "date", "series", "rights", "isbn", "identifier")
    markup = render(
        document.manuscript,
        COLOPHON_TEMPLATE,
        title=meta.title,
        authors=labels_for(document.manuscript)["list_separator"].join(meta.authors),
        identifiers=identifiers(meta),
        **{key: meta.get(key) or "" for key in fields},
    )
    return Markup(markup)


def contents(document: Document) -> str:
    """The table of contents, or "" unless ``print.toc`` is true; page numbers come from CSS."""
    if not document.metadata.section("print").get("toc") or not document.headings:
        return ""
    markup = render(
        document.manuscript,
        CONTENTS_TEMPLATE,
        entries=matter.contents_entries(document.headings),
        bibliography_title=matter.bibliography_title(document) if document.bibliography else "",
    )
    return Markup(markup)
