"""Front and back matter shared by the editions: title block, contents, bibliography.

The markup is in templates (``title-block.html`` here, the contents and bibliography in
each edition's own templates) and the words in the labels; this module gathers what they
are filled in with.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup

from pipeline.document import Document, Heading
from pipeline.labels import load_labels
from pipeline.templates import render

TITLE_BLOCK_TEMPLATE = "title-block.html"


@dataclass
class NavPoint:
    """An entry of a table of contents, with the entries nested under it."""

    label: str
    href: str
    children: list[NavPoint] = field(default_factory=list)


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


def bibliography_title(document: Document) -> str:
    """``reference-section-title`` from the metadata, else the label ``bibliography``."""
    given = document.metadata.get("reference-section-title")
    return given or load_labels(document.manuscript)["bibliography"]


def contents_title(document: Document) -> str:
    return load_labels(document.manuscript)["contents"]


def title_block(document: Document, heading: str = "h1") -> Markup:
    """Title, subtitle, authors and date, from ``templates/title-block.html``."""
    meta = document.metadata
    return Markup(
        render(
            document.manuscript,
            TITLE_BLOCK_TEMPLATE,
            heading=heading,
            title=meta.title,
            subtitle=meta.get("subtitle") or "",
            authors=load_labels(document.manuscript)["list_separator"].join(meta.authors),
            date=meta.get("date") or "",
        )
    )


def contents_entries(headings: tuple[Heading, ...], href_for=lambda h: f"#{h.id}"):
    """The headings that have an id, nested by level, for a table of contents."""
    return outline([(h.level, h.text, href_for(h)) for h in headings if h.id])
