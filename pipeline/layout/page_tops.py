"""Where each laid-out print page begins, read off the laid-out boxes.

A page often begins inside a paragraph that started on the page before. Knowing which block
the page's first line belongs to, and that line's opening words, lets the EPUB put its
page-break marker at the very word where the print page begins.
"""

from __future__ import annotations

from typing import Any

from pipeline.document import BLOCK_ATTRIBUTE
from pipeline.layout import PageTop, PrintLayout, engine


def read_page_positions(layout: PrintLayout, rendered: Any) -> None:
    """Fill in the page each element with an id starts on, and where each page begins."""
    for number, page_box in enumerate(engine.page_boxes(rendered), start=1):
        for box in engine.descendants(page_box):
            element = engine.element_of(box)
            identifier = element.get("id") if element is not None else None
            if identifier:
                layout.id_pages.setdefault(identifier, number)
        top = page_top(page_box)
        if top is not None:
            layout.page_tops[number] = top


def page_top(page_box: Any) -> PageTop | None:
    """The innermost numbered block (or block with an id) holding the page's first line of
    text or first image, with the words of that line; None for a page without either."""
    children = engine.children_of(page_box)
    if not children:
        return None
    block: int | None = None
    anchor: str | None = None
    line = None
    for box in engine.descendants(children[0]):
        if "::" in engine.tag_of(box):
            continue
        element = engine.element_of(box)
        if engine.is_block_level(box) and element is not None:
            number, identifier = element.get(BLOCK_ATTRIBUTE), element.get("id")
            if number is not None or identifier:
                block = int(number) if number is not None else None
                anchor = identifier
        if engine.is_line(box):
            line = box
        elif engine.is_replaced(box) or (engine.is_text(box) and engine.text_of(box).strip()):
            if block is None and anchor is None:
                return None
            words = _line_text(line) if engine.is_text(box) and line else ""
            return PageTop(block, anchor, " ".join(words.split()))
    return None


def _line_text(line: Any) -> str:
    return "".join(
        engine.text_of(box)
        for box in engine.descendants(line)
        if engine.is_text(box) and "::" not in engine.tag_of(box)
    )
