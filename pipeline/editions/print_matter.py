"""Front matter of the print edition: the title page, the colophon and the contents.

The markup is small and generated from metadata.yaml; how it looks is up to print.css, and
the fixed wording (the typeface line) lives in the page template.
"""

from __future__ import annotations

import re

from pipeline.document import Document
from pipeline.editions import matter
from pipeline.markup import escape

TITLE_LEAD = re.compile(r"^(?P<lead>[^:]{1,16}):\s+(?P<main>\S.*)$")
"""A short lead before a colon, such as the dates in "1922–3: The communist fractions…"."""


def split_title(title: str) -> tuple[str, str]:
    """The title's short lead (or "") and its main part."""
    match = TITLE_LEAD.match(title)
    if match is None:
        return "", title
    return match.group("lead").strip(), match.group("main").strip()


def title_page(document: Document) -> str:
    """The title page in three groups: series at the head, title and author, publisher."""
    meta = document.metadata
    lead, main = split_title(meta.title)
    heading = f'<span class="title-main">{escape(main)}</span>'
    if lead:
        heading = (
            f'<span class="title-lead">{escape(lead)}<span class="title-colon">:</span></span> '
            + heading
        )
    running_head = escape(meta.title)
    middle = [f'<h1 class="title" data-running-head="{running_head}">{heading}</h1>']
    if meta.get("subtitle"):
        middle.append(f'<p class="subtitle">{escape(meta.get("subtitle"))}</p>')
    if meta.authors:
        authors = "".join(f'<span class="name">{escape(a)}</span>' for a in meta.authors)
        middle.append(f'<p class="author">{authors}</p>')
    head = _paragraph("series", meta.get("series"))
    foot = _paragraph("publisher", meta.get("publisher"))
    return (
        f'<div class="title-head">{head}</div>\n'
        f'<div class="title-middle">{"".join(middle)}</div>\n'
        f'<div class="title-foot">{foot}</div>'
    )


def colophon(document: Document) -> str:
    """The colophon's lines that come from metadata; absent keys leave no empty line."""
    meta = document.metadata
    lines = [
        ("colophon-title", meta.title),
        ("colophon-author", ", ".join(meta.authors)),
        ("edition", meta.get("edition")),
        ("publisher", _published(meta.get("publisher"), meta.get("date"))),
        ("series", f"Series: {meta.get('series')}" if meta.get("series") else ""),
        ("rights", meta.get("rights")),
        ("isbn", f"ISBN {meta.get('isbn')}" if meta.get("isbn") else ""),
        ("identifier", meta.get("identifier")),
    ]
    return "\n".join(
        f'<p class="{name}">{escape(text)}</p>' for name, text in lines if text and text.strip()
    )


def contents(document: Document) -> str:
    """The table of contents, or "" unless ``print.toc`` is true; page numbers come from CSS."""
    if not document.metadata.section("print").get("toc") or not document.headings:
        return ""
    entries = matter.contents_list(document.headings)
    if document.bibliography:
        title = escape(matter.bibliography_title(document))
        item = f'<li><a href="#bibliography">{title}</a></li>'
        entries = entries.removesuffix("</ol>") + item + "</ol>"
    return (
        f'<nav class="contents" aria-labelledby="contents-title">'
        f'<h2 id="contents-title">{matter.DEFAULT_CONTENTS_TITLE}</h2>{entries}</nav>'
    )


def _published(publisher: str | None, date: str | None) -> str:
    if publisher:
        return f"Published by {publisher}" + (f", {date}" if date else "")
    return f"Published {date}" if date else ""


def _paragraph(name: str, text: str | None) -> str:
    return f'<p class="{name}">{escape(text)}</p>' if text else ""
