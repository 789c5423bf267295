"""Reading the laid-out pages: where blocks, note calls and notes ended up.

The layout stage lays the pages out, reads back from the box tree where things went, and
lays them out again when a note was cut or set on the wrong page (see stage.lay_out_pages).
The boxes are reached only through the engine's accessors.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from pipeline.document import BLOCK_ATTRIBUTE
from pipeline.layout import engine
from pipeline.layout.notes import CONTINUED_CLASS, NOTE_ATTRIBUTE, NOTE_CLASS

CALL_SUFFIX = "::footnote-call"
MARKER_SUFFIX = "::footnote-marker"


@dataclass
class PageContents:
    """What one laid-out page holds."""

    blocks: list[int] = field(default_factory=list)
    calls: dict[int, int] = field(default_factory=dict)
    """Note number -> the body block whose text calls it on this page."""
    notes: list[int] = field(default_factory=list)
    """Notes whose first piece is set in this page's footnote area."""


def page_contents(rendered) -> list[PageContents]:
    """For each page (in order), the body blocks on it, its note calls and its notes."""
    pages = []
    for page_box in engine.page_boxes(rendered):
        contents = PageContents()
        for box, block in _walk(page_box, None):
            _record(contents, box, block)
        pages.append(contents)
    return pages


OVERFLOW_PT = 1.0
"""How far a line may stand past the text area before it is said to run off it."""


def overflowing_text(rendered) -> list[tuple[int, str]]:
    """(page, words) for each page with text set past the sides of its text area, or
    starting below it: an unbreakable word in a narrow cell, a line nested too deep."""
    found = []
    for number, page_box in enumerate(engine.page_boxes(rendered), start=1):
        area = engine.text_area(page_box)
        stray = next(
            (text for text in _texts_in_area(page_box) if _off(text, area)),
            None,
        )
        if stray is not None:
            found.append((number, engine.text_of(stray).strip()))
    return found


def _texts_in_area(page_box):
    """The text boxes of the page's text and notes, not of its running heads and folios."""
    for child in engine.children_of(page_box):
        if not engine.is_margin_box(child):
            for box in engine.descendants(child):
                if engine.is_text(box) and engine.text_of(box).strip():
                    yield box


def _off(box, area: tuple[float, float, float, float]) -> bool:
    left, _top, right, bottom = area
    x0, y0, x1, _y1 = engine.extent(box)
    return x0 < left - OVERFLOW_PT or x1 > right + OVERFLOW_PT or y0 > bottom + OVERFLOW_PT


def block_pages(pages: list[PageContents]) -> dict[int, int]:
    """The page (1-based) each numbered body block starts on."""
    starts: dict[int, int] = {}
    for number, contents in enumerate(pages, start=1):
        for block in contents.blocks:
            starts.setdefault(block, number)
    return starts


def misplaced_notes(pages: list[PageContents]) -> dict[int, int]:
    """Notes set on another page than their call: note number -> the page (1-based) of the
    call, for notes whose call and note both were found."""
    call_page = {n: page for page, c in enumerate(pages, start=1) for n in c.calls}
    note_page = {n: page for page, c in enumerate(pages, start=1) for n in c.notes}
    return {
        number: call_page[number]
        for number, page in note_page.items()
        if number in call_page and call_page[number] != page
    }


def note_line_lengths(rendered) -> dict[int, list[int]]:
    """Per note, the non-space characters on each line it was set in (its marker left out)."""
    lengths: dict[int, list[int]] = {}
    for page_box in engine.page_boxes(rendered):
        for box in engine.descendants(page_box):
            number = _note_number(box)
            if number is None or not engine.is_block(box) or number in lengths:
                continue
            lines = [b for b in engine.descendants(box) if engine.is_line(b)]
            lengths[number] = [_line_length(line) for line in lines]
    return lengths


def _walk(box, block: int | None) -> Iterator[tuple[object, int | None]]:
    """Every box under ``box`` with the numbered body block it lies in, in document order.

    Iterative: a deeply nested text (quotations in quotations) must not hit Python's
    recursion limit."""
    stack = [(box, block)]
    while stack:
        current, inherited = stack.pop()
        element = engine.element_of(current)
        own = element.get(BLOCK_ATTRIBUTE) if element is not None else None
        if own is not None and own.isdigit():
            inherited = int(own)
        yield current, inherited
        children = engine.children_of(current)
        stack.extend((child, inherited) for child in reversed(children))


def _record(contents: PageContents, box, block: int | None) -> None:
    if block is not None and block not in contents.blocks:
        contents.blocks.append(block)
    number = _note_number(box)
    if number is None:
        return
    if engine.tag_of(box).endswith(CALL_SUFFIX):
        contents.calls.setdefault(number, block if block is not None else 0)
    elif engine.is_block(box) and number not in contents.notes:
        contents.notes.append(number)


def _note_number(box) -> int | None:
    """The note a call or footnote box belongs to; None for other boxes and for the
    continuation pieces of a cut note."""
    element = engine.element_of(box)
    if element is None or getattr(element, "get", None) is None:
        return None
    classes = (element.get("class") or "").split()
    if NOTE_CLASS not in classes or CONTINUED_CLASS in classes:
        return None
    value = element.get(NOTE_ATTRIBUTE) or ""
    return int(value) if value.isdigit() else None


def _line_length(line) -> int:
    count = 0
    stack = [line]
    while stack:
        box = stack.pop()
        if engine.tag_of(box).endswith(MARKER_SUFFIX):
            continue
        if engine.is_text(box):
            count += sum(1 for char in engine.text_of(box) if not char.isspace())
        stack.extend(engine.children_of(box))
    return count
