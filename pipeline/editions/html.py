"""The web edition: one self-contained HTML5 page."""

from __future__ import annotations

from pathlib import Path
from string import Template

from pipeline.document import Document, Note
from pipeline.editions import BuildContext, matter
from pipeline.files import atomic_write, read_text
from pipeline.markup import escape, inner_html, note_number, note_refs, shift_headings

TEMPLATE = "templates/web.html"
STYLESHEET = "screen.css"


def write(document: Document, target: Path, context: BuildContext) -> None:
    atomic_write(target, render(document).encode("utf-8"))


def render(document: Document) -> str:
    styles = document.manuscript.styles
    meta = document.metadata
    template = Template(read_text(styles / TEMPLATE))
    return template.substitute(
        lang=escape(meta.lang),
        title=escape(meta.title),
        head=head_metadata(document),
        css=read_text(styles / STYLESHEET),
        title_block=matter.title_block(document),
        contents=contents(document),
        body=body(document),
        notes=notes_section(document),
        bibliography=bibliography_section(document),
    )


def head_metadata(document: Document) -> str:
    meta = document.metadata
    tags = [("author", ", ".join(meta.authors)), ("description", meta.get("description", ""))]
    tags.append(("keywords", ", ".join(meta.get("keywords") or [])))
    return "\n".join(
        f'<meta name="{name}" content="{escape(value)}">' for name, value in tags if value
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


def body(document: Document) -> str:
    tree = document.body_copy()
    shift_headings(tree, 1)
    for ref in note_refs(tree):
        number = note_number(ref)
        ref.set("role", "doc-noteref")
        ref.set("aria-label", f"Note {number}")
        ref.text = str(number)
    return inner_html(tree)


def notes_section(document: Document) -> str:
    if not document.notes:
        return ""
    items = "\n".join(_note_item(note) for note in document.notes)
    title = escape(matter.notes_title(document))
    return (
        f'<section id="notes" class="footnotes" role="doc-endnotes" aria-labelledby="notes-title">'
        f'<h2 id="notes-title">{title}</h2>\n<ol>\n{items}\n</ol></section>'
    )


def _note_item(note: Note) -> str:
    back = (
        f'<a href="#fnref{note.number}" class="footnote-back" role="doc-backlink" '
        f'aria-label="Back to note call {note.number}">↩</a>'
    )
    return f'<li id="fn{note.number}" role="doc-footnote">{note.html}{back}</li>'


def bibliography_section(document: Document) -> str:
    if not document.bibliography:
        return ""
    title = escape(matter.bibliography_title(document))
    return (
        f'<section id="bibliography" role="doc-bibliography" aria-labelledby="bibliography-title">'
        f'<h2 id="bibliography-title">{title}</h2>\n'
        f"{matter.bibliography_list(document.bibliography)}</section>"
    )
