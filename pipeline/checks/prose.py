"""The prose of a Markdown file, line by line, with the parts that are not prose masked.

Code, raw HTML tags, link targets, attribute blocks and YAML are replaced by a filler
character of the same length (not spaces, which would look like doubled spaces), so
columns still point at the right place in the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

MASK = "·"
FENCE = re.compile(r"^ {0,3}(```|~~~)")
MASKS = [
    re.compile(r"`[^`\n]*`"),  # code spans
    re.compile(r"<!--.*?-->"),  # comments
    re.compile(r"</?[A-Za-z][^>\n]*>"),  # raw HTML tags
    re.compile(r"\]\([^)\n]*\)"),  # link and image targets
    re.compile(r"\{[#.][^}\n]*\}"),  # attribute blocks
    re.compile(r"<https?://[^>\n]*>|https?://\S+"),  # bare URLs
]


@dataclass(frozen=True)
class ProseLine:
    number: int
    text: str


def mask(line: str) -> str:
    for pattern in MASKS:
        line = pattern.sub(lambda m: MASK * len(m.group(0)), line)
    return line


def prose_lines(source: str) -> Iterator[ProseLine]:
    """Yield the lines of ``source`` that hold prose, masked, with their 1-based numbers."""
    fenced = False
    lines = source.split("\n")
    start = 0
    if lines and lines[0].strip() == "---":
        end = next((i for i, line in enumerate(lines[1:], 1) if line.strip() in ("---", "...")), 0)
        start = end + 1
    for number, line in enumerate(lines[start:], start=start + 1):
        if FENCE.match(line):
            fenced = not fenced
            continue
        if fenced:
            continue
        yield ProseLine(number, mask(line))


def paragraphs(source: str) -> Iterator[tuple[int, str]]:
    """Yield (first line number, text) of each blank-line-separated paragraph of prose."""
    current: list[ProseLine] = []
    for line in prose_lines(source):
        if line.text.strip():
            current.append(line)
            continue
        if current:
            yield current[0].number, " ".join(part.text for part in current)
            current = []
    if current:
        yield current[0].number, " ".join(part.text for part in current)
