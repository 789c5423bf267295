"""The web edition: one self-contained HTML5 page, its stylesheet inlined, no script.

Notes sit beside the block that calls them (see ``html_notes``); the stylesheet sets them
in the margin on wide screens and under their paragraph on narrow ones and in print.
"""

from __future__ import annotations

from pathlib import Path
from string import Template

from pipeline.document import BLOCK_ATTRIBUTE, Document
from pipeline.editions import BuildContext, matter
from pipeline.editions.html_embed import embed_files
from pipeline.editions.html_head import head_metadata
from pipeline.editions.html_notes import cited_in, mark_calls, mark_citations, place_notes
from pipeline.files import atomic_write, read_text
from pipeline.markup import drop_attribute, escape, inner_html, shift_headings

TEMPLATE = "templates/web.html"
STYLESHEET = "screen.css"


def write(document: Document, target: Path, context: BuildContext) -> None:
    atomic_write(target, render(document).encode("utf-8"))


def render(document: Document) -> str:
    manuscript = document.manuscript
    meta = document.metadata
    body = document.body_copy()
    drop_attribute(body, BLOCK_ATTRIBUTE)
    shift_headings(body, 1)
    embed_files(body, document.manuscript.root)
    mark_calls(body)
    place_notes(body, document.notes)
    citations = mark_citations(body)
    template = Template(read_text(manuscript.style_path(TEMPLATE)))
    return template.substitute(
        lang=escape(meta.lang),
        title=escape(meta.title),
        head=head_metadata(document),
        css=read_text(manuscript.style_path(STYLESHEET)),
        title_block=matter.title_block(document),
        contents=contents(document),
        body=inner_html(body),
        bibliography=bibliography_section(document, citations),
        colophon=colophon(document),
    )


def contents(document: Document) -> str:
    if not document.headings or not document.metadata.section("html").get("toc", True):
        return ""
    title = matter.DEFAULT_CONTENTS_TITLE
    return (
        f'<nav id="contents" aria-labelledby="contents-title">'
        f'<h2 id="contents-title">{title}</h2>'
        f"{matter.contents_list(document.headings)}</nav>"
    )


def bibliography_section(document: Document, citations: dict[str, list[tuple[int, str]]]) -> str:
    """The bibliography; each entry ends with links back to the notes that cite it."""
    if not document.bibliography:
        return ""
    items = []
    for entry in document.bibliography:
        places = citations.get(entry.key)
        back = " " + cited_in(places) if places else ""
        items.append(
            f'<li id="ref-{escape(entry.key)}"><span class="csl-entry">{entry.html}</span>'
            f"{back}</li>"
        )
    title = escape(matter.bibliography_title(document))
    return (
        f'<section id="bibliography" role="doc-bibliography" aria-labelledby="bibliography-title">'
        f'<h2 id="bibliography-title">{title}</h2>\n'
        f'<ul class="bibliography-entries">\n' + "\n".join(items) + "\n</ul></section>"
    )


def colophon(document: Document) -> str:
    """Who published the text and on what terms, under the bibliography."""
    meta = document.metadata
    lines = [meta.get("series"), meta.get("publisher"), meta.get("rights")]
    paragraphs = "".join(f"<p>{escape(line)}</p>" for line in lines if line)
    return f'<div class="colophon">{paragraphs}</div>' if paragraphs else ""
