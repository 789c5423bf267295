"""The web edition's head: description, Dublin Core and Open Graph metadata.

Dublin Core names the work for catalogues and reference managers; Open Graph gives the card
a link preview shows when the page is shared.
"""

from __future__ import annotations

import copy

from pipeline.document import Document

DUBLIN_CORE_SCHEMA = "http://purl.org/dc/elements/1.1/"
DESCRIPTION_LENGTH = 200


def description(document: Document) -> str:
    """The manuscript's description, or else the opening of its first paragraph."""
    given = document.metadata.get("description")
    if given:
        return " ".join(given.split())
    first = next(iter(document.body.iter("p")), None)
    if first is None:
        return ""
    paragraph = copy.deepcopy(first)
    for ref in paragraph.find_class("footnote-ref"):
        ref.drop_tree()
    return shorten(" ".join(paragraph.text_content().split()), DESCRIPTION_LENGTH)


def shorten(text: str, limit: int) -> str:
    """Cut ``text`` at a word boundary to at most ``limit`` characters, marking the cut."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:–— ")
    return cut + "…"


def og_locale(lang: str) -> str:
    """Open Graph writes locales as language_TERRITORY: en-GB becomes en_GB."""
    parts = lang.split("-")
    if len(parts) > 1 and len(parts[-1]) == 2:
        return f"{parts[0].lower()}_{parts[-1].upper()}"
    return parts[0].lower()


def named_metadata(document: Document) -> list[tuple[str, str]]:
    """(name, content) pairs for ``<meta name>``: the page's own and Dublin Core."""
    meta = document.metadata
    keywords = list(meta.get("keywords") or [])
    pairs = [
        ("description", description(document)),
        ("author", ", ".join(meta.authors)),
        ("keywords", ", ".join(keywords)),
        ("DC.title", meta.title),
    ]
    pairs += [("DC.creator", author) for author in meta.authors]
    pairs += [
        ("DC.language", meta.lang),
        ("DC.date", meta.get("date", "")),
        ("DC.publisher", meta.get("publisher", "")),
        ("DC.rights", meta.get("rights", "")),
        ("DC.description", description(document)),
        ("DC.type", "Text"),
        ("DC.format", "text/html"),
    ]
    pairs += [("DC.subject", keyword) for keyword in keywords]
    return [(name, value) for name, value in pairs if value]


def open_graph(document: Document) -> list[tuple[str, str]]:
    """(property, content) pairs for Open Graph's ``<meta property>``."""
    meta = document.metadata
    pairs = [
        ("og:title", meta.title),
        ("og:type", "article"),
        ("og:description", description(document)),
        ("og:locale", og_locale(meta.lang)),
        ("og:site_name", meta.get("publisher", "")),
    ]
    pairs += [("article:author", author) for author in meta.authors]
    pairs += [("article:tag", keyword) for keyword in meta.get("keywords") or []]
    return [(prop, value) for prop, value in pairs if value]
