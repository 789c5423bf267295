"""Where each laid-out print page begins, read off WeasyPrint's boxes.

A page often begins inside a paragraph that started on the page before. Knowing which block
the page's first line belongs to, and that line's opening words, lets the EPUB put its
page-break marker at the very word where the print page begins.
"""

from __future__ import annotations

from pipeline.document import BLOCK_ATTRIBUTE
from pipeline.editions import PageTop, PrintLayout


def read_page_positions(layout: PrintLayout, rendered) -> None:
    """Fill in the page each element with an id starts on, and where each page begins."""
    for number, page in enumerate(rendered.pages, start=1):
        for box in page._page_box.descendants():
            element = getattr(box, "element", None)
            identifier = element.get("id") if element is not None else None
            if identifier:
                layout.id_pages.setdefault(identifier, number)
        top = page_top(page._page_box)
        if top is not None:
            layout.page_tops[number] = top


def page_top(page_box) -> PageTop | None:
    """The innermost numbered block (or block with an id) holding the page's first line of
    text or first image, with the words of that line; None for a page without either."""
    from weasyprint.formatting_structure import boxes

    if not page_box.children:
        return None
    block: int | None = None
    anchor: str | None = None
    line = None
    for box in page_box.children[0].descendants():
        if "::" in (getattr(box, "element_tag", None) or ""):
            continue
        element = getattr(box, "element", None)
        if isinstance(box, boxes.BlockLevelBox) and element is not None:
            number, identifier = element.get(BLOCK_ATTRIBUTE), element.get("id")
            if number is not None or identifier:
                block = int(number) if number is not None else None
                anchor = identifier
        if isinstance(box, boxes.LineBox):
            line = box
        elif isinstance(box, boxes.ReplacedBox) or (
            isinstance(box, boxes.TextBox) and box.text.strip()
        ):
            if block is None and anchor is None:
                return None
            words = _line_text(line) if isinstance(box, boxes.TextBox) and line else ""
            return PageTop(block, anchor, " ".join(words.split()))
    return None


def _line_text(line) -> str:
    from weasyprint.formatting_structure import boxes

    return "".join(
        box.text
        for box in line.descendants()
        if isinstance(box, boxes.TextBox) and "::" not in (getattr(box, "element_tag", None) or "")
    )
