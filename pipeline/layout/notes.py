"""Footnotes of the print edition: each note floated from its call, long ones in pieces.

Every note becomes a ``float: footnote`` span where it is called, so WeasyPrint sets it at the
foot of the page that holds the call. WeasyPrint never breaks one footnote across pages: a
note taller than the room left on its page would overflow the page. A long note is therefore
cut, at the line breaks of a first layout, into its opening lines and then one piece per line,
all floated from the same call; the pieces that do not fit are carried to the next page, where
the note goes on. The first piece keeps the note's number; the others carry no call and no
marker, and as the notes are ragged-right and unhyphenated each piece sets exactly the line
it was cut from.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator

import lxml.html
from lxml.html import HtmlElement

from pipeline.document import Note
from pipeline.markup import fragment, note_number, note_refs

SPLIT_AFTER_LINES = 6
"""Notes of more lines than this may continue on the next page; shorter ones stay whole."""
KEEP_LINES = 2
"""Lines kept together at the start and at the end of a note that is cut."""

NOTE_CLASS = "footnote"
CONTINUED_CLASS = "footnote-continued"
NOTE_ATTRIBUTE = "data-note"
HEADING_ATTRIBUTE = "data-heading"
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})

Cuts = dict[int, list[int]]
"""Note number -> where to cut it, as counts of non-space characters from its start."""


def float_notes(body: HtmlElement, notes: tuple[Note, ...], cuts: Cuts | None = None) -> None:
    """Replace every note call in ``body`` with the note's text, as footnote floats."""
    refs = note_refs(body)
    for ref in refs:
        label_heading(ref)
    for ref in refs:
        note = notes[note_number(ref) - 1]
        pieces = cut(note_span(note), (cuts or {}).get(note.number, []))
        parent = ref.getparent()
        index = parent.index(ref)
        pieces[-1].tail = ref.tail
        parent.remove(ref)
        for offset, piece in enumerate(pieces):
            parent.insert(index + offset, piece)


def label_heading(ref: HtmlElement) -> None:
    """Give a heading that calls a note its text without the call, for the running head
    and the bookmark: the stylesheet reads them from ``HEADING_ATTRIBUTE``, because the
    floated note would otherwise lend them its number."""
    heading = next((e for e in ref.iterancestors() if e.tag in HEADINGS), None)
    if heading is None or heading.get(HEADING_ATTRIBUTE) is not None:
        return
    plain = copy.deepcopy(heading)
    for call in note_refs(plain):
        call.drop_tree()
    heading.set(HEADING_ATTRIBUTE, " ".join(plain.text_content().split()))


def note_span(note: Note) -> HtmlElement:
    """The note as one inline span; its paragraphs are joined by line breaks."""
    span = lxml.html.Element(
        "span", {"class": NOTE_CLASS, "id": f"fn{note.number}", NOTE_ATTRIBUTE: str(note.number)}
    )
    for index, block in enumerate(fragment(note.html)):
        paragraph = lxml.html.Element("span", {"class": "footnote-paragraph"})
        paragraph.text = block.text
        paragraph.extend(list(block))
        if index:
            span.append(lxml.html.Element("br"))
        span.append(paragraph)
    return span


def cut(span: HtmlElement, positions: list[int]) -> list[HtmlElement]:
    """Cut the note span after each position (counted in non-space characters)."""
    pieces = []
    start = 0
    for position in [*positions, None]:
        piece = copy.deepcopy(span)
        if position is not None:
            _keep_before(piece, position)
        if start:
            _keep_from(piece, start)
            piece.attrib.pop("id", None)
            piece.set("class", f"{NOTE_CLASS} {CONTINUED_CLASS}")
        pieces.append(piece)
        start = position or 0
    return pieces


def plan_cuts(line_lengths: dict[int, list[int]]) -> Cuts:
    """Where to cut each note that is long enough to be allowed to continue overleaf.

    ``line_lengths`` gives, per note, the non-space characters on each of its laid-out lines.
    """
    cuts: Cuts = {}
    for number, lengths in line_lengths.items():
        if len(lengths) <= SPLIT_AFTER_LINES:
            continue
        ends = []
        total = 0
        for index, length in enumerate(lengths[:-KEEP_LINES], start=1):
            total += length
            if index >= KEEP_LINES and length:
                ends.append(total)
        cuts[number] = ends
    return cuts


def _slots(element: HtmlElement) -> Iterator[tuple[HtmlElement, str]]:
    """Every text slot under ``element`` in reading order: (element, "text" or "tail")."""
    yield element, "text"
    for child in element:
        yield from _slots(child)
        yield child, "tail"


def _locate(root: HtmlElement, position: int) -> tuple[int, int]:
    """The slot index and the offset in it just after the ``position``-th non-space char."""
    seen = 0
    for index, (element, attribute) in enumerate(_slots(root)):
        text = getattr(element, attribute) or ""
        for offset, char in enumerate(text):
            if not char.isspace():
                seen += 1
                if seen == position:
                    return index, offset + 1
    return -1, 0


def _keep_before(root: HtmlElement, position: int) -> None:
    """Drop everything after the ``position``-th non-space character."""
    slot_index, offset = _locate(root, position)
    if slot_index < 0:
        return
    slots = list(_slots(root))
    element, attribute = slots[slot_index]
    setattr(element, attribute, (getattr(element, attribute) or "")[:offset].rstrip() or None)
    opened = {id(e) for e, a in slots[: slot_index + 1] if a == "text"}
    for later, attribute in slots[slot_index + 1 :]:
        if attribute == "text" and id(later) not in opened:
            later.getparent().remove(later)
            continue
        if later.getparent() is not None or later is root:
            setattr(later, attribute, None)


def _keep_from(root: HtmlElement, position: int) -> None:
    """Drop everything up to and including the ``position``-th non-space character."""
    slot_index, offset = _locate(root, position)
    if slot_index < 0:
        return
    slots = list(_slots(root))
    element, attribute = slots[slot_index]
    setattr(element, attribute, (getattr(element, attribute) or "")[offset:].lstrip() or None)
    for earlier, attribute in slots[:slot_index]:
        setattr(earlier, attribute, None)
    for earlier, attribute in slots[: slot_index + 1]:
        if attribute == "tail":
            earlier.drop_tree()
    _drop_leading_breaks(root)


def _drop_leading_breaks(root: HtmlElement) -> None:
    """A piece that starts a new paragraph of the note must not open with an empty line."""
    for element, attribute in list(_slots(root)):
        if attribute == "text" and element is not root and element.tag == "br":
            element.drop_tree()
        elif (getattr(element, attribute) or "").strip():
            return
