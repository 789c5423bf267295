"""Front and back matter shared by the editions: title block, contents, bibliography."""

from __future__ import annotations

from pipeline.document import BibEntry, Document, Heading
from pipeline.markup import escape

DEFAULT_BIBLIOGRAPHY_TITLE = "Bibliography"
DEFAULT_CONTENTS_TITLE = "Contents"


def bibliography_title(document: Document) -> str:
    return document.metadata.get("reference-section-title") or DEFAULT_BIBLIOGRAPHY_TITLE


def title_block(document: Document, heading: str = "h1") -> str:
    meta = document.metadata
    parts = [f'<{heading} class="title">{escape(meta.title)}</{heading}>']
    if meta.get("subtitle"):
        parts.append(f'<p class="subtitle">{escape(meta.get("subtitle"))}</p>')
    if meta.authors:
        parts.append(f'<p class="author">{escape(", ".join(meta.authors))}</p>')
    if meta.get("date"):
        parts.append(f'<p class="date">{escape(meta.get("date"))}</p>')
    return "\n".join(parts)


def bibliography_list(entries: tuple[BibEntry, ...]) -> str:
    """The entries as a list; each keeps the ``ref-KEY`` id pandoc gave it."""
    items = "\n".join(
        f'<li id="ref-{escape(entry.key)}" class="csl-entry">{entry.html}</li>' for entry in entries
    )
    return f'<ul class="bibliography-entries">\n{items}\n</ul>'


def contents_list(headings: tuple[Heading, ...], href_for=lambda h: f"#{h.id}") -> str:
    """A nested list of links to the headings, for a table of contents."""
    items = [h for h in headings if h.id]
    if not items:
        return ""
    top = min(h.level for h in items)
    html: list[str] = []
    depth = 0
    for heading in items:
        level = heading.level - top + 1
        while depth < level:
            html.append("<ol>")
            depth += 1
        while depth > level:
            html.append("</li></ol>")
            depth -= 1
        if html and not html[-1].endswith("<ol>"):
            html.append("</li>")
        html.append(f'<li><a href="{escape(href_for(heading))}">{escape(heading.text)}</a>')
    html.append("</li>" + "</ol></li>" * (depth - 1) + "</ol>")
    return "".join(html)
