"""Checks across editions: the same notes, entries, outline and words everywhere."""

from __future__ import annotations

import re

from pipeline.checks.context import CheckContext
from pipeline.checks.extract import comparable
from pipeline.checks.registry import Severity, rule

WORD_TOLERANCE = 0.005
LIST_NUMBER = re.compile(r"^(\d+|[ivxlc]+|[a-z])[.)]$")


def _editions(context: CheckContext) -> list[str]:
    return [name for name in ("pdf", "epub", "html") if context.edition_path(name)]


@rule("cross.note-count", Severity.ERROR, "An edition has a different number of footnotes.")
def note_count(context: CheckContext):
    expected = len(context.content("manuscript").notes)
    for name in _editions(context):
        found = len(context.content(name).notes)
        if found != expected:
            yield name, f"{found} footnotes where the manuscript has {expected}"


@rule("cross.note-text", Severity.ERROR, "A footnote's text differs between editions.")
def note_text(context: CheckContext):
    expected = context.content("manuscript").notes
    for name in _editions(context):
        found = context.content(name).notes
        for number, (want, got) in enumerate(zip(expected, found, strict=False), start=1):
            if comparable(want) != comparable(got):
                yield (
                    f"{name} note {number}",
                    f"reads “{_short(got)}” where the manuscript has “{_short(want)}”",
                )


@rule("cross.bibliography", Severity.ERROR, "A bibliography entry differs between editions.")
def bibliography(context: CheckContext):
    expected = context.content("manuscript").bibliography
    for name in _editions(context):
        found = context.content(name).bibliography
        found_keys = {comparable(entry) for entry in found}
        for entry in expected:
            if comparable(entry) not in found_keys:
                yield name, f"bibliography entry “{_short(entry)}” is missing or differs"
        if len(found) != len(expected):
            yield (
                name,
                f"{len(found)} bibliography entries where the manuscript has {len(expected)}",
            )


@rule("cross.headings", Severity.ERROR, "The heading outline differs between editions.")
def headings(context: CheckContext):
    expected = context.content("manuscript").headings
    for name in _editions(context):
        found = context.content(name).headings
        if found != expected:
            missing = [h for h in expected if h not in found]
            extra = [h for h in found if h not in expected]
            detail = (
                "; ".join(
                    part
                    for part in (
                        f"missing {', '.join(missing)}" if missing else "",
                        f"extra {', '.join(extra)}" if extra else "",
                    )
                    if part
                )
                or "order differs"
            )
            yield name, f"headings differ from the manuscript's ({detail})"


@rule("cross.word-count", Severity.ERROR, "An edition's body text has more or fewer words.")
def word_count(context: CheckContext):
    expected = _words(context.content("manuscript").text)
    for name in _editions(context):
        found = _words(context.content(name).text)
        if expected and abs(found - expected) / expected > WORD_TOLERANCE:
            change = (found - expected) / expected
            yield name, f"{found} words where the manuscript has {expected} ({change:+.1%})"


def _words(text: str) -> int:
    """Words of running text; list numbers a printed edition spells out do not count."""
    return sum(1 for word in text.split() if not LIST_NUMBER.match(word))


def _short(text: str, length: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1] + "…"
