"""The EPUB's text files: the title page, one file per section, the bibliography.

The body is cut at each heading of the split level (``epub.split-level``, 1 by default);
every file carries the notes it calls, as footnote asides after its text, so that a
reading system can show each note in a pop-up beside its call.
"""

from __future__ import annotations

import copy
import logging
from dataclasses import dataclass, field

import lxml.html
from lxml.html import HtmlElement
from markupsafe import Markup

from pipeline import matter
from pipeline.assets import locate
from pipeline.document import Document, Note
from pipeline.editions.epub.xhtml import ContentDocument
from pipeline.errors import PipelineError
from pipeline.labels import Labels, load_labels
from pipeline.manuscript import Manuscript
from pipeline.markup import fragment, note_number, note_refs
from pipeline.templates import render

HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
DEFAULT_SPLIT_LEVEL = 1
OPENING_FILE = "text/opening.xhtml"
TITLE_PAGE_FILE = "text/title-page.xhtml"
BIBLIOGRAPHY_FILE = "text/bibliography.xhtml"
TITLE_PAGE_TEMPLATE = "epub/titlepage.xhtml"
BIBLIOGRAPHY_TEMPLATE = "epub/bibliography.xhtml"

log = logging.getLogger(__name__)


@dataclass
class Chapter:
    """A run of body blocks that becomes one XHTML file; ``level`` 0 is the untitled opening."""

    file_name: str
    title: str
    level: int
    blocks: list[HtmlElement] = field(default_factory=list)


def split_level(document: Document) -> int:
    meta = document.metadata
    level = meta.section("epub").get("split-level", DEFAULT_SPLIT_LEVEL)
    if not 1 <= level <= len(HEADINGS):
        raise PipelineError(
            f"'epub.split-level' must be a heading level from 1 to 6, not {level}",
            meta.path,
            meta.line_of("epub.split-level"),
        )
    return level


def split_chapters(document: Document) -> list[Chapter]:
    """Cut a copy of the body at each heading of the split level or above."""
    split_tags = set(HEADINGS[: split_level(document)])
    chapters = [Chapter(OPENING_FILE, document.metadata.title, 0)]
    for block in document.body_copy():
        if block.tag in split_tags:
            number = len(chapters)
            title = heading_text(block)
            chapters.append(Chapter(f"text/chapter-{number:02d}.xhtml", title, int(block.tag[1])))
        chapters[-1].blocks.append(block)
    if not chapters[0].blocks:
        chapters.pop(0)
    return chapters


def heading_text(heading: HtmlElement) -> str:
    """A heading's words as a reader sees them in a table of contents: no note calls."""
    words = copy.deepcopy(heading)
    for ref in note_refs(words):
        ref.drop_tree()
    return " ".join(words.text_content().split())


def chapter_document(document: Document, chapter: Chapter) -> ContentDocument:
    """The chapter in a section, followed by the notes it calls."""
    section = lxml.html.Element("section")
    if chapter.level <= 1:
        section.set("epub:type", "chapter")
        section.set("role", "doc-chapter")
    first = chapter.blocks[0] if chapter.blocks else None
    if first is not None and first.tag in HEADINGS and first.get("id"):
        section.set("aria-labelledby", first.get("id"))
    else:
        section.set("aria-label", chapter.title)
    section.extend(chapter.blocks)
    content = ContentDocument(chapter.file_name, chapter.title, "bodymatter")
    content.body.append(section)
    labels = load_labels(document.manuscript)
    for number in mark_note_refs(section):
        content.body.append(footnote(document.notes[number - 1], labels))
    return content


def mark_note_refs(tree: HtmlElement) -> list[int]:
    """Mark each note call for reading systems; return the note numbers in order."""
    numbers = []
    for ref in note_refs(tree):
        number = note_number(ref)
        numbers.append(number)
        ref.set("epub:type", "noteref")
        ref.set("role", "doc-noteref")
        ref.set("id", f"fnref{number}")
        ref.text = str(number)
    return numbers


def footnote(note: Note, labels: Labels) -> HtmlElement:
    """The note as an aside whose number links back to its call, named by the label
    ``back_to_note``."""
    aside = lxml.html.Element("aside", {"id": f"fn{note.number}", "class": "footnote"})
    aside.set("epub:type", "footnote")
    aside.set("role", "doc-footnote")
    body = fragment(note.html)
    first = body[0] if len(body) and body[0].tag == "p" else None
    if first is None:
        first = lxml.html.Element("p")
        body.insert(0, first)
    back = lxml.html.Element(
        "a",
        {
            "href": f"#fnref{note.number}",
            "role": "doc-backlink",
            "aria-label": labels.format("back_to_note", number=note.number),
        },
    )
    back.text = f"{note.number}."
    back.tail = " " + (first.text or "")
    first.text = None
    first.insert(0, back)
    aside.extend(list(body))
    return aside


def title_page(document: Document) -> ContentDocument:
    """Series, title, subtitle, authors, then publisher and rights, from
    ``templates/epub/titlepage.xhtml``."""
    meta = document.metadata
    markup = render(
        document.manuscript,
        TITLE_PAGE_TEMPLATE,
        series=meta.get("series") or "",
        title_block=matter.title_block(document),
        imprint=[meta.get(key) for key in ("publisher", "rights") if meta.get(key)],
    )
    content = ContentDocument(TITLE_PAGE_FILE, meta.title, "frontmatter")
    content.body.append(fragment(markup)[0])
    return content


def bibliography_document(document: Document) -> ContentDocument:
    """The bibliography, from ``templates/epub/bibliography.xhtml``."""
    title = matter.bibliography_title(document)
    markup = render(
        document.manuscript,
        BIBLIOGRAPHY_TEMPLATE,
        title=title,
        entries=[(entry.key, Markup(entry.html)) for entry in document.bibliography],
    )
    content = ContentDocument(BIBLIOGRAPHY_FILE, title, "backmatter")
    content.body.append(fragment(markup)[0])
    return content


def link_across_files(documents: list[ContentDocument], manuscript: Manuscript) -> None:
    """Point each in-text link (``#id``) at the file that now holds its target.

    A link to an id found in no file is a broken cross-reference in the manuscript: it is
    reported and left as plain text.
    """
    owner = {
        element.get("id"): document
        for document in documents
        for element in document.body.iter()
        if isinstance(element.tag, str) and element.get("id")
    }
    for document in documents:
        for link in document.body.iter("a"):
            href = link.get("href") or ""
            if not href.startswith("#") or len(href) == 1:
                continue
            target = owner.get(href[1:])
            if target is None:
                place, line = locate(manuscript, f"]({href})")
                where = f"{place}:{line}" if line else str(place)
                log.warning(
                    "warning: %s: a link points at %s, which is nowhere in the text", where, href
                )
                del link.attrib["href"]
            elif target is not document:
                link.set("href", document.href_to(f"{target.file_name}{href}"))
