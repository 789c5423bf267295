"""Every id in the document used once: a link must lead to one place.

An id the author wrote twice (``{#id}`` or ``id="…"`` in raw HTML) is refused with the
line of the second: nobody can tell which of the two a link means. Two elements that share
an id the author did not write twice (an id of the author's equal to one pandoc made up
from a heading) are told apart by renaming the later ones, with a warning.

Pandoc makes a heading's id up from its words and from the labels of the notes it calls
(``# Chapter one[^h]`` becomes ``#chapter-oneh``); such an id is made again from the words
alone, by pandoc's rule, so that no edition's address or link carries a note's label.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from lxml.html import HtmlElement

from pipeline.errors import PipelineError
from pipeline.manuscript import Manuscript

HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
NOTE_CALL = "footnote-ref"
ALLOWED_PUNCTUATION = frozenset("_-.")
"""The punctuation pandoc keeps in an id it makes up (its ``auto_identifiers``)."""


def unique_ids(manuscript: Manuscript, tree: HtmlElement) -> list[str]:
    """Rename repeated ids in ``tree``; raise PipelineError for an id written twice."""
    heading_ids_without_notes(manuscript, tree)
    elements = [e for e in tree.iter() if isinstance(e.tag, str) and e.get("id")]
    counts = Counter(e.get("id") for e in elements)
    repeated = {identifier for identifier, count in counts.items() if count > 1}
    if not repeated:
        return []
    taken = set(counts)
    seen: set[str] = set()
    warnings = []
    for element in elements:
        identifier = element.get("id")
        if identifier not in repeated:
            continue
        if identifier not in seen:
            seen.add(identifier)
            continue
        places = explicit_places(manuscript, identifier)
        if len(places) > 1:
            (first, first_line), (path, line) = places[:2]
            raise PipelineError(
                f"gives the id #{identifier} a second time (first at {first.name}:{first_line});"
                " a link to it could lead to either",
                path,
                line,
            )
        renamed = _free(identifier, taken)
        taken.add(renamed)
        element.set("id", renamed)
        path, line = places[0] if places else (manuscript.texts[0].path, None)
        where = f"{path}:{line}" if line else str(path)
        warnings.append(
            f"{where}: two elements have the id #{identifier} (one of them made up by pandoc"
            f" from a heading); the later one is renamed #{renamed}"
        )
    return warnings


def heading_ids_without_notes(manuscript: Manuscript, tree: HtmlElement) -> None:
    """Make the id of each heading that calls a note again from its words alone, unless the
    author wrote that id; links to the old id follow."""
    headings = [h for h in tree.iter(*HEADINGS) if h.get("id") and h.find_class(NOTE_CALL)]
    if not headings:
        return
    taken = {e.get("id") for e in tree.iter() if isinstance(e.tag, str) and e.get("id")}
    renamed: dict[str, str] = {}
    for heading in headings:
        old = heading.get("id")
        if explicit_places(manuscript, old):
            continue
        base = pandoc_identifier(words_without_calls(heading))
        new, number = base, 0
        while new in taken and new != old:
            number += 1
            new = f"{base}-{number}"
        if new != old:
            taken.add(new)
            heading.set("id", new)
            renamed[old] = new
    for link in tree.iter("a"):
        href = link.get("href", "")
        if href.startswith("#") and href[1:] in renamed:
            link.set("href", f"#{renamed[href[1:]]}")


def words_without_calls(heading: HtmlElement) -> str:
    """The heading's text without its note calls; a formula as its TeX, as pandoc reads it."""
    parts: list[str] = []

    def walk(element: HtmlElement) -> None:
        if NOTE_CALL in element.get("class", "").split():
            parts.append(element.tail or "")
            return
        if element.tag == "math":
            tex = element.xpath(".//*[local-name()='annotation']/text()")
            parts.append("".join(tex) if tex else element.text_content())
            parts.append(element.tail or "")
            return
        parts.append(element.text or "")
        for child in element:
            if isinstance(child.tag, str):
                walk(child)
            else:
                parts.append(child.tail or "")
        if element is not heading:
            parts.append(element.tail or "")

    walk(heading)
    return "".join(parts)


def pandoc_identifier(words: str) -> str:
    """The id pandoc makes up from a heading's words: lower case, letters, digits, ``_-.``
    and spaces kept, spaces as hyphens, nothing before the first letter; else ``section``."""
    kept = "".join(
        c for c in words.lower() if c.isalnum() or c.isspace() or c in ALLOWED_PUNCTUATION
    )
    identifier = "-".join(kept.split())
    start = next((i for i, c in enumerate(identifier) if c.isalpha()), len(identifier))
    return identifier[start:] or "section"


def explicit_places(manuscript: Manuscript, identifier: str) -> list[tuple[Path, int]]:
    """Where the manuscript writes ``identifier`` as an id, in order."""
    name = re.escape(identifier)
    pattern = re.compile(
        rf"\{{[^{{}}]*#{name}(?=[\s}}])|\bid\s*=\s*(?:\"{name}\"|'{name}'|{name}(?=[\s>/]))"
    )
    return [
        (text.path, number)
        for text in manuscript.texts
        for number, line in enumerate(text.source.split("\n"), start=1)
        for _ in pattern.finditer(line)
    ]


def _free(identifier: str, taken: set[str]) -> str:
    number = 2
    while f"{identifier}-{number}" in taken:
        number += 1
    return f"{identifier}-{number}"
