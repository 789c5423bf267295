"""The print edition's page numbers in the EPUB: page-break markers and their targets.

The print layout says on which page each numbered block (``data-block``) and each element
with an id starts, and where each page begins: the innermost block holding its first line,
and that line's words. Page N's marker goes where those words are found: before the block
when the page begins with it, else at the first word of the page's first line inside it
(a page that starts halfway through a paragraph or a list item). Without a known top, a
page's marker goes before the first block that starts on it, or before the block it falls
in; pages before the text (the title page and its verso) point at the EPUB's title page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import lxml.html
from lxml.html import HtmlElement

from pipeline.document import BLOCK_ATTRIBUTE
from pipeline.editions.epub.xhtml import ContentDocument
from pipeline.layout import PageTop, PrintLayout
from pipeline.markup import drop_attribute

BEFORE_TEXT = 0
MARKER_CLASS = "pagebreak"
INSIDE_TAGS = ("section", "li", "dt", "dd", "td", "th")
NO_PHRASING = {
    "ul", "ol", "dl", "table", "thead", "tbody", "tfoot", "tr", "colgroup",
    "img", "br", "hr", "wbr", "input", "select", "textarea", "a",
}  # fmt: skip
WORDS_TRIED = (8, 4)


@dataclass(frozen=True)
class Anchor:
    """A place a marker may go: an element, and the print page it starts on."""

    document: ContentDocument
    element: HtmlElement
    page: int


@dataclass(frozen=True)
class PageTarget:
    number: int
    file_name: str
    id: str

    @property
    def href(self) -> str:
        return f"{self.file_name}#{self.id}"


def anchors(documents: list[ContentDocument], layout: PrintLayout) -> list[Anchor]:
    """Every element the layout knows a start page for, in reading order; title pages
    count as coming before the text."""
    found = []
    for document in documents:
        for element in document.body.iter():
            if not isinstance(element.tag, str):
                continue
            page = _start_page(element, layout)
            if page is not None:
                found.append(Anchor(document, element, page))
    return found


def _start_page(element: HtmlElement, layout: PrintLayout) -> int | None:
    if "titlepage" in (element.get("epub:type") or "").split():
        return BEFORE_TEXT
    block = element.get(BLOCK_ATTRIBUTE)
    if block is not None:
        return layout.block_pages.get(int(block))
    identifier = element.get("id")
    if identifier and element.tag in ("section", "li"):
        return layout.id_pages.get(identifier)
    return None


def assign_pages(starts: list[int], page_count: int) -> dict[int, int]:
    """Map each page to the anchor (by index) its marker goes before, knowing only where
    anchors start: the first anchor starting on the page, else the last one starting
    before it. Markers never go backwards in reading order."""
    first_on: dict[int, int] = {}
    for index, page in enumerate(starts):
        first_on.setdefault(page, index)
    placed: dict[int, int] = {}
    floor = 0
    for page in range(1, page_count + 1):
        index = first_on.get(page)
        if index is None:
            earlier = [i for i, start in enumerate(starts) if start < page]
            index = earlier[-1] if earlier else 0
        floor = max(floor, index)
        placed[page] = floor
    return placed


def place_page_breaks(documents: list[ContentDocument], layout: PrintLayout) -> list[PageTarget]:
    """Insert a page-break marker for every print page; return the markers in page order."""
    found = anchors(documents, layout)
    if not found or layout.page_count < 1:
        return []
    fallback = assign_pages([a.page for a in found], layout.page_count)
    by_key = {_key(a.element): a for a in found}
    targets = []
    for page in range(1, layout.page_count + 1):
        span = marker(page)
        top = layout.page_tops.get(page)
        anchor = by_key.get(("block", top.block) if top and top.block is not None else None)
        anchor = anchor or (by_key.get(("id", top.anchor)) if top and top.anchor else None)
        if anchor is None or top is None:
            anchor = found[fallback[page]]
            _insert_before(anchor.element, span)
        else:
            _insert_at_top(anchor, top, page, span)
        targets.append(PageTarget(page, anchor.document.file_name, span.get("id")))
    return targets


def _key(element: HtmlElement) -> tuple[str, object]:
    block = element.get(BLOCK_ATTRIBUTE)
    return ("block", int(block)) if block is not None else ("id", element.get("id"))


def _insert_at_top(anchor: Anchor, top: PageTop, page: int, span: HtmlElement) -> None:
    """Before the block when the page begins with it, else at the page's first words."""
    offset = None if anchor.page == page else find_words(anchor.element, top.words)
    if offset is None:
        _insert_before(anchor.element, span)
    else:
        insert_at_offset(anchor.element, offset, span)


def marker(page: int) -> HtmlElement:
    span = lxml.html.Element("span", {"id": f"page-{page}", "class": MARKER_CLASS})
    span.set("epub:type", "pagebreak")
    span.set("role", "doc-pagebreak")
    span.set("aria-label", str(page))
    return span


def _is_marker(element) -> bool:
    return isinstance(element.tag, str) and element.get("class") == MARKER_CLASS


def _insert_before(element: HtmlElement, span: HtmlElement) -> None:
    """At the start of a section or list item (after markers already there), else just
    before the element: a heading's name must not take in the page number."""
    parent = element.getparent()
    if element.tag not in INSIDE_TAGS and parent is not None:
        parent.insert(parent.index(element), span)
        return
    index = 0
    if not (element.text or "").strip():
        while index < len(element) and _is_marker(element[index]):
            index += 1
            if (element[index - 1].tail or "").strip():
                break
    if index == 0:
        span.tail, element.text = element.text, None
    else:
        previous = element[index - 1]
        span.tail, previous.tail = previous.tail, None
    element.insert(index, span)


def _slots(element: HtmlElement, with_tail: bool = False) -> Iterator[tuple[object, str]]:
    """The text slots under ``element`` in reading order: (node, "text" or "tail")."""
    if isinstance(element.tag, str) and not _is_marker(element):
        yield element, "text"
        for child in element:
            yield from _slots(child, with_tail=True)
    if with_tail:
        yield element, "tail"


def _takes_a_marker(node, slot: str) -> bool:
    container = node if slot == "text" else node.getparent()
    if container is None or _is_marker(container):
        return False
    inside_link = any(e.tag == "a" for e in container.iterancestors())
    return container.tag not in NO_PHRASING and not inside_link


def find_words(element: HtmlElement, words: str) -> int | None:
    """Where a print line's words begin in the element's text (moved back to the start of
    a word the line began halfway through), or None when they are not found."""
    text = "".join(getattr(node, slot) or "" for node, slot in _slots(element))
    tokens = words.split()
    for count in WORDS_TRIED:
        if not tokens:
            return None
        pattern = r"[\s\d]+".join(re.escape(token) for token in tokens[:count])
        match = re.search(pattern, text, re.IGNORECASE)
        if match:
            start = match.start()
            while start > 0 and text[start - 1].isalnum():
                start -= 1
            return start
    return None


def insert_at_offset(element: HtmlElement, offset: int, span: HtmlElement) -> None:
    """Put ``span`` at a character offset of the element's text, in the last slot that
    can hold it there (so markers at one place keep their page order)."""
    position, chosen = 0, None
    for node, slot in _slots(element):
        text = getattr(node, slot) or ""
        if position <= offset and _takes_a_marker(node, slot):
            chosen = (node, slot, min(offset - position, len(text)))
        position += len(text)
    if chosen is None:
        _insert_before(element, span)
        return
    node, slot, local = chosen
    text = getattr(node, slot) or ""
    span.tail = text[local:]
    if slot == "text":
        node.text = text[:local]
        node.insert(0, span)
    else:
        node.tail = text[:local]
        parent = node.getparent()
        parent.insert(parent.index(node) + 1, span)


def strip_block_numbers(documents: list[ContentDocument]) -> None:
    for document in documents:
        drop_attribute(document.body, BLOCK_ATTRIBUTE)
