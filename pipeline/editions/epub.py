"""The EPUB 3 edition, assembled with ebooklib: one XHTML file per top-level section."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import lxml.html
from ebooklib import epub
from lxml.html import HtmlElement

from pipeline.document import Document, Note
from pipeline.editions import BuildContext, matter
from pipeline.files import atomic_output, read_text
from pipeline.markup import escape, fragment, inner_html, note_number, note_refs

STYLESHEET = "epub.css"
IDENTIFIER_NAMESPACE = uuid.UUID("5b0a6f3e-52a4-4f55-8a45-6b1c5e3c9d21")


@dataclass
class Chapter:
    """A run of body blocks that becomes one XHTML file."""

    file_name: str
    title: str
    blocks: list[HtmlElement] = field(default_factory=list)
    heading_ids: list[str] = field(default_factory=list)


def write(document: Document, target: Path, context: BuildContext) -> None:
    book = assemble(document)
    with atomic_output(target) as tmp:
        epub.write_epub(str(tmp), book, {"mtime": build_time(), "epub3_pages": False})


def build_time() -> dt.datetime:
    """The modification time: SOURCE_DATE_EPOCH when set, so rebuilds give the same bytes."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
    return dt.datetime.now(tz=dt.UTC)


def identifier(document: Document) -> str:
    """ISBN or identifier from the metadata; else a UUID derived from title and authors."""
    meta = document.metadata
    if meta.get("isbn"):
        return "urn:isbn:" + meta.get("isbn").replace("-", "").replace(" ", "")
    if meta.get("identifier"):
        return meta.get("identifier")
    seed = "\n".join([meta.title, *meta.authors])
    return f"urn:uuid:{uuid.uuid5(IDENTIFIER_NAMESPACE, seed)}"


def assemble(document: Document) -> epub.EpubBook:
    meta = document.metadata
    book = epub.EpubBook()
    book.set_identifier(identifier(document))
    book.set_title(meta.title)
    book.set_language(meta.lang)
    for author in meta.authors:
        book.add_author(author)
    for key, dc_name in (("publisher", "publisher"), ("rights", "rights")):
        if meta.get(key):
            book.add_metadata("DC", dc_name, meta.get(key))
    if meta.get("description"):
        book.add_metadata("DC", "description", meta.get("description"))
    for keyword in meta.get("keywords") or []:
        book.add_metadata("DC", "subject", keyword)
    if meta.get("date"):
        book.add_metadata("DC", "date", meta.get("date"))

    style = epub.EpubItem(
        uid="style",
        file_name="styles/epub.css",
        media_type="text/css",
        content=read_text(document.manuscript.styles / STYLESHEET).encode("utf-8"),
    )
    book.add_item(style)

    chapters = split_chapters(document)
    items = [_chapter_item(document, chapter, style) for chapter in chapters]
    if document.bibliography:
        items.append(_bibliography_item(document, style))
    for item in items:
        book.add_item(item)

    book.toc = _toc(document, chapters, items)
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    book.spine = ["nav", *items]
    book.guide = [{"type": "text", "title": "Start of text", "href": items[0].file_name}]
    return book


def split_chapters(document: Document) -> list[Chapter]:
    """Cut the body at each heading of the split level (1 by default)."""
    level = int(document.metadata.section("epub").get("split-level", 1))
    split_tags = {f"h{n}" for n in range(1, level + 1)}
    chapters = [Chapter("text/opening.xhtml", document.metadata.title)]
    for block in document.body_copy():
        if block.tag in split_tags:
            number = len(chapters)
            chapters.append(Chapter(f"text/chapter-{number:02d}.xhtml", block.text_content()))
        chapters[-1].blocks.append(block)
    if not chapters[0].blocks and len(chapters) > 1:
        chapters.pop(0)
    for chapter in chapters:
        for block in chapter.blocks:
            chapter.heading_ids.extend(
                h.get("id") for h in block.iter("h1", "h2", "h3", "h4", "h5", "h6") if h.get("id")
            )
    return chapters


def _chapter_item(document: Document, chapter: Chapter, style: epub.EpubItem) -> epub.EpubHtml:
    wrapper = fragment("")
    if chapter.file_name.endswith("opening.xhtml"):
        wrapper.extend(fragment(matter.title_block(document)))
    wrapper.extend(chapter.blocks)
    numbers = _mark_note_refs(wrapper)
    notes = "".join(_aside(document.notes[n - 1]) for n in numbers)
    body = f'<section epub:type="chapter">{inner_html(wrapper)}</section>{notes}'
    item = epub.EpubHtml(
        title=chapter.title, file_name=chapter.file_name, lang=document.metadata.lang
    )
    item.content = body
    item.add_link(href="../styles/epub.css", rel="stylesheet", type="text/css")
    return item


def _mark_note_refs(wrapper: HtmlElement) -> list[int]:
    numbers = []
    for ref in note_refs(wrapper):
        number = note_number(ref)
        numbers.append(number)
        ref.set("epub:type", "noteref")
        ref.set("role", "doc-noteref")
        ref.text = str(number)
    return numbers


def _aside(note: Note) -> str:
    body = fragment(note.html)
    back = lxml.html.fragment_fromstring(
        f'<a href="#fnref{note.number}" role="doc-backlink">{note.number}.</a>'
    )
    back.tail = " "
    first = body[0] if len(body) and body[0].tag == "p" else None
    if first is None:
        first = lxml.html.Element("p")
        body.insert(0, first)
    back.tail = " " + (first.text or "")
    first.text = None
    first.insert(0, back)
    return (
        f'<aside epub:type="footnote" role="doc-footnote" id="fn{note.number}" class="footnote">'
        f"{inner_html(body)}</aside>"
    )


def _bibliography_item(document: Document, style: epub.EpubItem) -> epub.EpubHtml:
    title = matter.bibliography_title(document)
    item = epub.EpubHtml(
        title=title, file_name="text/bibliography.xhtml", lang=document.metadata.lang
    )
    item.content = (
        f'<section epub:type="bibliography" role="doc-bibliography" id="bibliography">'
        f"<h1>{escape(title)}</h1>{matter.bibliography_list(document.bibliography)}</section>"
    )
    item.add_link(href="../styles/epub.css", rel="stylesheet", type="text/css")
    return item


def _toc(document: Document, chapters: list[Chapter], items: list[epub.EpubHtml]) -> list:
    where = {hid: chapter.file_name for chapter in chapters for hid in chapter.heading_ids}
    toc: list = []
    if chapters and not chapters[0].heading_ids:
        toc.append(epub.Link(chapters[0].file_name, chapters[0].title, "opening"))
    for heading in document.headings:
        if heading.id in where and heading.level == 1:
            toc.append(epub.Link(f"{where[heading.id]}#{heading.id}", heading.text, heading.id))
    if document.bibliography:
        toc.append(epub.Link(items[-1].file_name, matter.bibliography_title(document), "biblio"))
    return toc
