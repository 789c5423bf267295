"""Notes carried to the page after their call, and what is done about it.

WeasyPrint sometimes carries a note over to the next page to make room for a line it keeps
from being a widow or an orphan. The block at the foot of that page is then made to start a
new page, or to give way on widows and orphans, and the pages are laid out again.
"""

from __future__ import annotations

from lxml.html import HtmlElement

from pipeline.document import BLOCK_ATTRIBUTE, Document
from pipeline.layout.markup import block_elements
from pipeline.layout.pages import PageContents, block_pages, misplaced_notes

PAGE_BREAK_CLASS = "print-new-page"
LOOSE_LINES_CLASS = "print-loose-lines"
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def plan_repairs(
    document: Document, pages: list[PageContents], done: dict[int, str]
) -> dict[int, str]:
    """Block index -> class for the blocks at the foot of pages whose notes were carried over.

    The block that ends such a page gets ``PAGE_BREAK_CLASS`` when it starts on that page
    and does not call the note (with the headings just before it, so that none is left at
    the foot of the page), else ``LOOSE_LINES_CLASS``.
    """
    starts = block_pages(pages)
    elements = block_elements(document.body)
    repairs: dict[int, str] = {}
    for number, page in misplaced_notes(pages).items():
        contents = pages[page - 1]
        if not contents.blocks:
            continue
        last = contents.blocks[-1]
        if last in done or last in repairs:
            continue
        if last != contents.calls.get(number) and starts.get(last) == page:
            repairs[_heading_before(elements, last, starts, page)] = PAGE_BREAK_CLASS
        else:
            repairs[last] = LOOSE_LINES_CLASS
    return repairs


def _heading_before(
    elements: dict[int, HtmlElement], block: int, starts: dict[int, int], page: int
) -> int:
    """The block (or the list item or quotation it opens), or the run of headings just before
    it on the same page, if any: where a forced page break takes effect."""
    element = elements.get(block)
    while element is not None and element.getprevious() is None:
        parent = element.getparent()
        if parent is None or parent.get(BLOCK_ATTRIBUTE) is None:
            break
        element, block = parent, int(parent.get(BLOCK_ATTRIBUTE))
    previous = element.getprevious() if element is not None else None
    while previous is not None and previous.tag in HEADINGS:
        index = int(previous.get(BLOCK_ATTRIBUTE, "0"))
        if starts.get(index) != page:
            break
        block, previous = index, previous.getprevious()
    return block
