"""The EPUB's navigation: the EPUB 3 navigation document and the NCX for older readers.

Both carry the same outline (every heading, nested by level), and the print edition's page
list; the navigation document adds the landmarks. Their markup is in the templates
``epub/nav.xhtml`` and ``epub/toc.ncx``; the words in them come from the labels.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pipeline.editions.epub.pages import PageTarget
from pipeline.editions.epub.xhtml import STYLESHEET, from_template, relative_href
from pipeline.languages import language_of
from pipeline.manuscript import Manuscript
from pipeline.matter import NavPoint

NAV_FILE = "nav.xhtml"
NCX_FILE = "toc.ncx"
NAV_TEMPLATE = "epub/nav.xhtml"
NCX_TEMPLATE = "epub/toc.ncx"


@dataclass(frozen=True)
class Landmark:
    epub_type: str
    label: str
    href: str


@dataclass
class Navigation:
    title: str
    lang: str
    identifier: str
    authors: list[str]
    toc: list[NavPoint]
    landmarks: list[Landmark]
    pages: list[PageTarget]


def depth(points: list[NavPoint]) -> int:
    return max((1 + depth(p.children) for p in points), default=0)


def nav_document(nav: Navigation, manuscript: Manuscript) -> bytes:
    """The EPUB 3 navigation document, from ``templates/epub/nav.xhtml``."""
    return from_template(
        manuscript,
        NAV_TEMPLATE,
        nav=nav,
        lang=nav.lang,
        dir=language_of(manuscript).direction,
        title=nav.title,
        stylesheet=relative_href(NAV_FILE, STYLESHEET),
        href=lambda target: relative_href(NAV_FILE, target),
    )


@dataclass(frozen=True)
class NcxPoint:
    """A navPoint as the NCX numbers it: ``number`` in document order, ``play_order`` in
    reading order."""

    number: int
    play_order: int
    label: str
    src: str
    children: list[NcxPoint]


@dataclass(frozen=True)
class NcxPage:
    number: int
    play_order: int
    src: str


def ncx_document(
    nav: Navigation,
    reading_order: Callable[[str], tuple[int, int]],
    manuscript: Manuscript,
) -> bytes:
    """The NCX, from ``templates/epub/toc.ncx``: playOrder follows reading order, the same
    target always getting the same number."""
    targets = {p.href for p in _walk(nav.toc)} | {p.href for p in nav.pages}
    play_order = {h: n for n, h in enumerate(sorted(targets, key=reading_order), start=1)}
    counter = iter(range(1, 1_000_000))

    def points(items: list[NavPoint]) -> list[NcxPoint]:
        numbered = []
        for p in items:
            number = next(counter)
            numbered.append(
                NcxPoint(number, play_order[p.href], p.label, p.href, points(p.children))
            )
        return numbered

    return from_template(
        manuscript,
        NCX_TEMPLATE,
        doctype=None,
        lang=nav.lang,
        title=nav.title,
        identifier=nav.identifier,
        authors=nav.authors,
        depth=max(1, depth(nav.toc)),
        points=points(nav.toc),
        pages=[NcxPage(p.number, play_order[p.href], p.href) for p in nav.pages],
        max_page=max((p.number for p in nav.pages), default=0),
    )


def _walk(points: list[NavPoint]):
    for point in points:
        yield point
        yield from _walk(point.children)
