"""End notes of a plain text and the markers in its prose that call them.

A plain text loses superscript: "counter-revolutionaries1" is a word followed by the call of
note 1, and "1 The CWO…" at the end is that note. A digit glued to a word is taken for a
marker only when a note of that number exists and the markers, read in order, count up
1, 2, 3… — so years (1923), issue numbers ("n°s98"), pages ("p382"), ordinals ("13th") and
ranges ("1922-3") stay text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
NOTE_LINE = re.compile(
    r"^\s*(?:\[(?P<bracket>\d{1,3})\]|(?P<plain>\d{1,3})[.)]?|(?P<sup>[⁰¹²³⁴⁵⁶⁷⁸⁹]{1,3}))"
    r"\s+(?P<text>\S.*)$"
)
MARKER = re.compile(
    r"(?:(?<=[^\W\d_])|(?<=[^\W\d_]{2}[.,;:!?’”\")\]]))(?P<glued>\d{1,3}|[⁰¹²³⁴⁵⁶⁷⁸⁹]{1,3})(?!\w)"
    r"|\[(?P<bracket>\d{1,3})\]"
)
NOTES_HEADINGS = frozenset(
    {"notes", "note", "endnotes", "footnotes", "references", "anmerkungen", "fußnoten"}
    | {"notas", "примечания"}
)


@dataclass(frozen=True)
class EndNote:
    """Note ``number`` with its ``text``; ``source`` is the note as written, number included."""

    number: int
    text: str
    line: int
    source: str


@dataclass(frozen=True)
class Marker:
    """A note call: characters ``start:end`` of unit ``unit`` call note ``number``."""

    unit: int
    start: int
    end: int
    number: int


def note_line(line: str) -> tuple[int, str] | None:
    """(number, text) when ``line`` opens an end note such as "1 The CWO…" or "[2] However…"."""
    match = NOTE_LINE.match(line)
    if not match:
        return None
    digits = match.group("bracket") or match.group("plain") or match.group("sup")
    return int(digits.translate(SUPERSCRIPTS)), match.group("text")


def parse_end_notes(lines: list[tuple[int, str]]) -> list[EndNote] | None:
    """Read numbered notes 1, 2, 3… from (line number, text) pairs; None unless they count up.

    A line that does not open the next note continues the one before it.
    """
    notes: list[tuple[int, list[str], int]] = []
    for number, line in lines:
        opened = note_line(line)
        if opened and opened[0] == len(notes) + 1:
            notes.append((opened[0], [line], number))
        elif notes:
            notes[-1][1].append(line)
        else:
            return None
    return [_end_note(n, parts, line) for n, parts, line in notes]


def _end_note(number: int, lines: list[str], line: int) -> EndNote:
    source = " ".join(" ".join(lines).split())
    opened = note_line(source)
    return EndNote(number, opened[1] if opened else source, line, source)


def is_notes_heading(line: str) -> bool:
    return line.strip().rstrip(":").casefold() in NOTES_HEADINGS


def find_markers(texts: list[str]) -> list[Marker]:
    """The markers that count up from 1 through ``texts``, in order.

    Candidates that break the count are skipped, so the first "1" glued to a word is note
    1's call, the next "2" after it is note 2's, and so on.
    """
    markers: list[Marker] = []
    for unit, text in enumerate(texts):
        for match in MARKER.finditer(text):
            digits = match.group("glued") or match.group("bracket")
            if int(digits.translate(SUPERSCRIPTS)) == len(markers) + 1:
                markers.append(Marker(unit, match.start(), match.end(), len(markers) + 1))
    return markers
