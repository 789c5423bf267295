"""The web edition: one self-contained HTML5 page, its stylesheet inlined, no script.

Notes sit beside the block that calls them (see ``notes``); the stylesheet sets them
in the margin on wide screens and under their paragraph on narrow ones and in print. The
page is ``templates/web.html`` filled in; the words the pipeline adds come from the labels.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup

from pipeline import matter
from pipeline.book_identifiers import identifiers
from pipeline.document import BLOCK_ATTRIBUTE, Document
from pipeline.editions import Edition
from pipeline.editions.html.card import card_size, write_card
from pipeline.editions.html.embed import embed_files
from pipeline.editions.html.head import DUBLIN_CORE_SCHEMA, named_metadata, open_graph
from pipeline.editions.html.notes import mark_calls, mark_citations, place_notes
from pipeline.files import atomic_write, read_text
from pipeline.labels import labels_for
from pipeline.languages import language_of
from pipeline.layout import PrintPages
from pipeline.markup import drop_attribute, inner_html, shift_headings
from pipeline.metadata import FLAG
from pipeline.templates import render as render_template
from pipeline.typefaces import STYLE_FILES, faces_css

TEMPLATE = "web.html"
STYLESHEET = "screen.css"
COLOPHON = ("series", "publisher", "rights")
"""The metadata the page's colophon shows, a paragraph each."""


@dataclass(frozen=True)
class CitedEntry:
    """A bibliography entry with the notes that cite it, as (number, citation id) pairs."""

    key: str
    html: Markup
    cited_in: list[tuple[int, str]]


def write(document: Document, target: Path, pages: PrintPages | None) -> None:
    card = write_card(document, target)
    atomic_write(target, render(document, card).encode("utf-8"))


def render(document: Document, card: str | None = None) -> str:
    """The page; ``card`` is the address of its social card, if it has one."""
    manuscript = document.manuscript
    meta = document.metadata
    labels = labels_for(manuscript)
    body = document.body_copy()
    drop_attribute(body, BLOCK_ATTRIBUTE)
    shift_headings(body, 1)
    embed_files(body, document.manuscript.root)
    mark_calls(body, labels)
    place_notes(body, document.notes, labels)
    citations = mark_citations(body)
    page = render_template(
        manuscript,
        TEMPLATE,
        labels=labels,
        lang=meta.lang,
        dir=language_of(manuscript).direction,
        title=meta.title,
        dublin_core=DUBLIN_CORE_SCHEMA,
        named_metadata=named_metadata(document),
        open_graph=open_graph(document),
        css=Markup(stylesheet(document)),
        title_block=matter.title_block(document),
        contents=contents(document),
        body=Markup(inner_html(body)),
        bibliography_title=matter.bibliography_title(document),
        bibliography=bibliography(document, citations),
        colophon=[meta.get(key) for key in COLOPHON if meta.get(key)],
        identifiers=identifiers(meta),
        og_image=card or "",
        og_image_size=card_size(document) if card else None,
    )
    return page + "\n"


def stylesheet(document: Document) -> str:
    """screen.css followed by the rules of the text's faces."""
    manuscript = document.manuscript
    css = read_text(manuscript.style_path(STYLESHEET))
    if document.typefaces is None:
        return css
    return css + "\n" + faces_css(manuscript, document.typefaces, screen=True)


def contents(document: Document) -> list[matter.NavPoint]:
    """The headings, nested, unless ``html.toc`` is false."""
    if not document.metadata.section("html").get("toc", True):
        return []
    return matter.contents_entries(document.headings)


def bibliography(
    document: Document, citations: dict[str, list[tuple[int, str]]]
) -> list[CitedEntry]:
    """The entries, each with the notes that cite it, for links back to them."""
    return [
        CitedEntry(entry.key, Markup(entry.html), citations.get(entry.key) or [])
        for entry in document.bibliography
    ]


EDITION = Edition(
    name="html",
    suffix=".html",
    write=write,
    styles=(
        "screen*.css",
        "templates/web*",
        "templates/title-block*",
        "templates/cover.svg",
        "templates/cover-raster.html",
        "labels/*.yaml",
        *STYLE_FILES,
    ),
    options={"html": {"toc": FLAG}},
)
