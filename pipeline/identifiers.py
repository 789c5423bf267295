"""Every id in the document used once: a link must lead to one place.

An id the author wrote twice (``{#id}`` or ``id="…"`` in raw HTML) is refused with the
line of the second: nobody can tell which of the two a link means. Two elements that share
an id the author did not write twice (an id of the author's equal to one pandoc made up
from a heading) are told apart by renaming the later ones, with a warning.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from lxml.html import HtmlElement

from pipeline.errors import PipelineError
from pipeline.manuscript import Manuscript


def unique_ids(manuscript: Manuscript, tree: HtmlElement) -> list[str]:
    """Rename repeated ids in ``tree``; raise PipelineError for an id written twice."""
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
