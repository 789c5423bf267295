"""Characters no edition can carry, removed where the manuscript's text is read.

Control characters (BEL, ESC, a form feed, the C1 controls) and the Unicode non-characters
(U+FFFE, U+FFFF, U+FDD0–U+FDEF…) are not allowed in XML, so the EPUB could not hold them,
and no reader sees them in the PDF or on the web page either. A bidirectional embedding,
override or isolate (U+202A–U+202E, U+2066–U+2069) opened without being closed in the same
paragraph, or closed without being opened, turns the rest of the paragraph around in one
edition and not in another. Each is removed, with a warning naming the file and line; a
tab, a line break, and the joiners U+200C and U+200D stay.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

EMBEDDINGS = frozenset("\u202a\u202b\u202d\u202e")
"""LRE, RLE, LRO and RLO, each closed by a POP DIRECTIONAL FORMATTING (U+202C)."""
POP_EMBEDDING = "\u202c"
ISOLATES = frozenset("\u2066\u2067\u2068")
"""LRI, RLI and FSI, each closed by a POP DIRECTIONAL ISOLATE (U+2069)."""
POP_ISOLATE = "\u2069"
BIDI = EMBEDDINGS | ISOLATES | {POP_EMBEDDING, POP_ISOLATE}

_NONCHARACTERS = "".join(
    f"{chr(plane * 0x10000 + 0xFFFE)}-{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17)
)
NEVER_KEPT = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f\ufdd0-\ufdef{_NONCHARACTERS}]")
"""Control characters other than tab and line feed, and the non-characters."""
SUSPECT = re.compile(
    f"[\x00-\x08\x0b-\x1f\x7f-\x9f\ufdd0-\ufdef{_NONCHARACTERS}{''.join(sorted(BIDI))}]"
)
"""Every character :func:`clean` may remove: one search tells a clean text at once."""
NAMES = {
    "\x07": "BEL",
    "\x08": "BACKSPACE",
    "\x0b": "VERTICAL TAB",
    "\x0c": "FORM FEED",
    "\x1b": "ESC",
    "\x7f": "DELETE",
}


@dataclass(frozen=True)
class Removal:
    """The characters removed from one line, in the order they stood."""

    line: int
    characters: tuple[str, ...]


def clean(source: str) -> tuple[str, list[Removal]]:
    """``source`` without the characters no edition can carry, and what was removed where."""
    if not SUSPECT.search(source):
        return source, []
    lines = source.split("\n")
    drop: set[tuple[int, int]] = set()
    for index, line in enumerate(lines):
        drop.update((index, m.start()) for m in NEVER_KEPT.finditer(line))
    drop.update(_unpaired_bidi(lines))
    removals: list[Removal] = []
    for index, line in enumerate(lines):
        columns = sorted(column for row, column in drop if row == index)
        if columns:
            removals.append(Removal(index + 1, tuple(line[c] for c in columns)))
            kept = set(columns)
            lines[index] = "".join(ch for c, ch in enumerate(line) if c not in kept)
    return "\n".join(lines), removals


def clean_markup(markup: str) -> tuple[str, int]:
    """``markup`` without control characters and non-characters, and how many there were:
    a last guard before XML, for what came from elsewhere than the text files."""
    return NEVER_KEPT.subn("", markup)


def _unpaired_bidi(lines: list[str]) -> set[tuple[int, int]]:
    """The (line index, column) of every bidi control without its partner in the same
    paragraph (lines up to a blank line): what stays open, and a pop with nothing open."""
    unpaired: set[tuple[int, int]] = set()
    stack: list[tuple[str, tuple[int, int]]] = []
    for index, line in enumerate(lines):
        if not line.strip():
            unpaired.update(place for _kind, place in stack)
            stack.clear()
            continue
        for column, character in enumerate(line):
            if character not in BIDI:
                continue
            place = (index, column)
            if character in EMBEDDINGS or character in ISOLATES:
                stack.append((character, place))
            elif character == POP_EMBEDDING:
                if stack and stack[-1][0] in EMBEDDINGS:
                    stack.pop()
                else:
                    unpaired.add(place)
            elif any(kind in ISOLATES for kind, _place in stack):
                while stack:
                    kind, opened = stack.pop()
                    if kind in ISOLATES:
                        break
                    unpaired.add(opened)
            else:
                unpaired.add(place)
    unpaired.update(place for _kind, place in stack)
    return unpaired


def warnings(path: Path, removals: list[Removal]) -> list[str]:
    """One warning for each line that lost characters, naming them."""
    return [
        f"{path}:{removal.line}: removed {_what(removal.characters)}, which no edition can carry"
        for removal in removals
    ]


def _what(characters: tuple[str, ...]) -> str:
    named = ", ".join(dict.fromkeys(describe(c) for c in characters))
    if len(characters) == 1:
        return f"the character {named}"
    return f"{len(characters)} characters ({named})"


def describe(character: str) -> str:
    """``U+0007 BEL``: the code point and, where Unicode or NAMES gives one, its name."""
    code = f"U+{ord(character):04X}"
    name = NAMES.get(character) or unicodedata.name(character, "")
    unpaired = " without its partner" if character in BIDI else ""
    return f"{code} {name}{unpaired}" if name else code
