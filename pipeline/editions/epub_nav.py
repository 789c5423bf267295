"""The EPUB's navigation: the EPUB 3 navigation document and the NCX for older readers.

Both carry the same outline (every heading, nested by level), and the print edition's page
list; the navigation document adds the landmarks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import lxml.etree

from pipeline.editions.epub_pages import PageTarget
from pipeline.editions.epub_xhtml import (
    EPUB_NS,
    STYLESHEET,
    XHTML_NS,
    relative_href,
    to_bytes,
)
from pipeline.markup import escape

NAV_FILE = "nav.xhtml"
NCX_FILE = "toc.ncx"
NCX_NS = "http://www.daisy.org/z3986/2005/ncx/"
CONTENTS_TITLE = "Contents"
LANDMARKS_TITLE = "Landmarks"
PAGES_TITLE = "Pages"


@dataclass
class NavPoint:
    label: str
    href: str
    children: list[NavPoint] = field(default_factory=list)


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


def outline(entries: list[tuple[int, str, str]]) -> list[NavPoint]:
    """Nest (level, label, href) entries: each heading goes under the nearest earlier
    heading of a higher level, so a skipped level leaves no empty entry."""
    roots: list[NavPoint] = []
    stack: list[tuple[int, NavPoint]] = []
    for level, label, href in entries:
        point = NavPoint(label, href)
        while stack and stack[-1][0] >= level:
            stack.pop()
        (stack[-1][1].children if stack else roots).append(point)
        stack.append((level, point))
    return roots


def depth(points: list[NavPoint]) -> int:
    return max((1 + depth(p.children) for p in points), default=0)


def nav_document(nav: Navigation) -> bytes:
    def href(target: str) -> str:
        return escape(relative_href(NAV_FILE, target))

    def items(points: list[NavPoint]) -> str:
        return "".join(
            f'<li><a href="{href(p.href)}">{escape(p.label)}</a>'
            + (f"<ol>{items(p.children)}</ol>" if p.children else "")
            + "</li>"
            for p in points
        )

    parts = [
        '<nav epub:type="toc" id="toc" role="doc-toc" aria-labelledby="toc-title">'
        f'<h1 id="toc-title">{CONTENTS_TITLE}</h1><ol>{items(nav.toc)}</ol></nav>'
    ]
    if nav.landmarks:
        links = "".join(
            f'<li><a epub:type="{m.epub_type}" href="{href(m.href)}">{escape(m.label)}</a></li>'
            for m in nav.landmarks
        )
        parts.append(
            f'<nav epub:type="landmarks" id="landmarks" hidden="hidden">'
            f"<h2>{LANDMARKS_TITLE}</h2><ol>{links}</ol></nav>"
        )
    if nav.pages:
        links = "".join(f'<li><a href="{href(p.href)}">{p.number}</a></li>' for p in nav.pages)
        parts.append(
            f'<nav epub:type="page-list" id="page-list" role="doc-pagelist" hidden="hidden">'
            f"<h2>{PAGES_TITLE}</h2><ol>{links}</ol></nav>"
        )
    lang = escape(nav.lang)
    markup = (
        f'<html xmlns="{XHTML_NS}" xmlns:epub="{EPUB_NS}" lang="{lang}" xml:lang="{lang}">'
        f'<head><meta charset="utf-8"/><title>{escape(nav.title)}</title>'
        f'<link rel="stylesheet" type="text/css" href="{href(STYLESHEET)}"/></head>'
        f'<body epub:type="frontmatter">{"".join(parts)}</body></html>'
    )
    return to_bytes(lxml.etree.fromstring(markup.encode("utf-8")))


def ncx_document(nav: Navigation, reading_order: Callable[[str], tuple[int, int]]) -> bytes:
    """The NCX: playOrder follows reading order, the same target always getting the same
    number."""
    targets = {p.href for p in _walk(nav.toc)} | {p.href for p in nav.pages}
    play_order = {h: n for n, h in enumerate(sorted(targets, key=reading_order), start=1)}
    counter = iter(range(1, 1_000_000))

    def points(items: list[NavPoint]) -> str:
        return "".join(
            f'<navPoint id="navpoint-{next(counter)}" playOrder="{play_order[p.href]}">'
            f"<navLabel><text>{escape(p.label)}</text></navLabel>"
            f'<content src="{escape(p.href)}"/>{points(p.children)}</navPoint>'
            for p in items
        )

    last_page = max((p.number for p in nav.pages), default=0)
    head = {
        "dtb:uid": nav.identifier,
        "dtb:depth": str(max(1, depth(nav.toc))),
        "dtb:totalPageCount": str(len(nav.pages)),
        "dtb:maxPageNumber": str(last_page),
    }
    metas = "".join(f'<meta name="{k}" content="{escape(v)}"/>' for k, v in head.items())
    authors = "".join(f"<docAuthor><text>{escape(a)}</text></docAuthor>" for a in nav.authors)
    page_list = ""
    if nav.pages:
        page_list = (
            f"<pageList><navLabel><text>{PAGES_TITLE}</text></navLabel>"
            + "".join(
                f'<pageTarget id="pagetarget-{p.number}" type="normal" value="{p.number}" '
                f'playOrder="{play_order[p.href]}"><navLabel><text>{p.number}</text>'
                f'</navLabel><content src="{escape(p.href)}"/></pageTarget>'
                for p in nav.pages
            )
            + "</pageList>"
        )
    markup = (
        f'<ncx xmlns="{NCX_NS}" version="2005-1" xml:lang="{escape(nav.lang)}">'
        f"<head>{metas}</head><docTitle><text>{escape(nav.title)}</text></docTitle>{authors}"
        f"<navMap>{points(nav.toc)}</navMap>{page_list}</ncx>"
    )
    return to_bytes(lxml.etree.fromstring(markup.encode("utf-8")), doctype=None)


def _walk(points: list[NavPoint]):
    for point in points:
        yield point
        yield from _walk(point.children)
