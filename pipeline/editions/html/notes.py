"""The web edition's notes: each one set right after the block that calls it.

A note lives in an ``aside`` beside its paragraph, so the stylesheet can show it in the
margin on a wide screen and under the paragraph on a narrow one, with no script. Citations
in notes get ids so that each bibliography entry can link back to the notes that cite it.
"""

from __future__ import annotations

from collections.abc import Iterable

from lxml.html import HtmlElement

from pipeline.document import Note
from pipeline.labels import Labels
from pipeline.markup import escape, fragment, note_number, note_refs

NOTE_ROLE = "doc-footnote"


def note_id(number: int) -> str:
    return f"fn{number}"


def call_id(number: int) -> str:
    return f"fnref{number}"


def mark_calls(body: HtmlElement, labels: Labels) -> None:
    """Give each note call its role, a spoken name (the label ``note``) and a plain
    number."""
    for ref in note_refs(body):
        number = note_number(ref)
        ref.set("id", call_id(number))
        ref.set("href", f"#{note_id(number)}")
        ref.set("role", "doc-noteref")
        ref.set("aria-label", labels.format("note", number=number))
        ref.text = str(number)


def place_notes(body: HtmlElement, notes: Iterable[Note], labels: Labels) -> None:
    """Wrap every top-level block that calls notes with those notes, in call order.

    A note whose call is missing from the body still appears once, at the end, so that no
    note is lost.
    """
    pending = {note.number: note for note in notes}
    for block in list(body):
        numbers = [n for n in (note_number(r) for r in note_refs(block)) if n in pending]
        if numbers:
            _wrap_with_notes(block, [pending.pop(n) for n in numbers], labels)
    if pending:
        body.append(_sidenotes(pending.values(), labels))


def _wrap_with_notes(block: HtmlElement, notes: list[Note], labels: Labels) -> None:
    wrapper = fragment('<div class="noted"></div>')[0]
    wrapper.tail, block.tail = block.tail, None
    block.addprevious(wrapper)
    wrapper.append(block)
    wrapper.append(_sidenotes(notes, labels))


def _sidenotes(notes: Iterable[Note], labels: Labels) -> HtmlElement:
    container = fragment('<div class="sidenotes"></div>')[0]
    for note in notes:
        container.append(note_aside(note, labels))
    return container


def note_aside(note: Note, labels: Labels) -> HtmlElement:
    """The note as an ``aside``; its number opens it and links back to the call."""
    number = note.number
    name = escape(labels.format("note", number=number))
    back_to = escape(labels.format("back_to_note", number=number))
    aside = fragment(
        f'<aside id="{note_id(number)}" class="sidenote" role="{NOTE_ROLE}" '
        f'aria-label="{name}">{note.html}</aside>'
    )[0]
    back = fragment(
        f'<a href="#{call_id(number)}" class="note-number" role="doc-backlink" '
        f'aria-label="{back_to}">{number}</a>'
    )[0]
    first = aside[0] if len(aside) and aside[0].tag == "p" and not aside.text else aside
    back.tail = " " + (first.text or "")
    first.text = None
    first.insert(0, back)
    return aside


def mark_citations(body: HtmlElement) -> dict[str, list[tuple[int, str]]]:
    """Give each citation in a note an id; return, per cited key, the notes that cite it
    and where.

    A notes style renders a citation of the running text as a note, so it counts for the
    note its call opens; a citation written inside a note counts for that note. Each note
    is listed once per key, at its first citation of that key. An author-date or numeric
    style sets citations in the text itself: a key cited there gets no list, since a list
    of notes would leave out the places in the text that cite it.
    """
    cited: dict[str, dict[int, str]] = {}
    in_text: set[str] = set()
    counts: dict[int, int] = {}
    for span in body.xpath(".//span[contains(concat(' ', @class, ' '), ' citation ')]"):
        keys = (span.get("data-cites") or "").split()
        number = _citing_note(span)
        if number is None:
            in_text.update(keys)
            continue
        counts[number] = counts.get(number, 0) + 1
        ident = f"cite{number}" if counts[number] == 1 else f"cite{number}-{counts[number]}"
        span.set("id", ident)
        for key in keys:
            cited.setdefault(key, {}).setdefault(number, ident)
    return {key: sorted(places.items()) for key, places in cited.items() if key not in in_text}


def _citing_note(span: HtmlElement) -> int | None:
    for ancestor in span.iterancestors("aside"):
        if ancestor.get("role") == NOTE_ROLE:
            return int(ancestor.get("id", "fn0").removeprefix("fn"))
    refs = note_refs(span)
    return note_number(refs[0]) if refs else None
