"""Checks across editions: the same notes, citations, entries, outline and words
everywhere."""

from __future__ import annotations

import re

from pipeline.checks.context import CheckContext
from pipeline.checks.extract import citation_form, comparable, spaced
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


@rule(
    "cross.citations",
    Severity.ERROR,
    "A citation set in the text (author-date or numeric style) differs between editions.",
)
def citations(context: CheckContext):
    """The citations of the running text, as rendered and in order. Where an edition's
    citations cannot be read from its markup (the print edition), each must be found in
    its text, after the one before it."""
    expected = context.content("manuscript").citations or []
    for name in _editions(context):
        content = context.content(name)
        if content.citations is None:
            yield from _citations_in_text(name, expected, content.text)
        else:
            yield from _citations_listed(name, expected, content.citations)


def _citations_listed(name: str, expected: list[str], found: list[str]):
    for number, (want, got) in enumerate(zip(expected, found, strict=False), start=1):
        if citation_form(want) != citation_form(got):
            yield (
                f"{name} citation {number}",
                f"reads “{_short(got)}” where the manuscript has “{_short(want)}”",
            )
            break
    if len(found) != len(expected):
        yield name, f"{len(found)} citations in the text where the manuscript has {len(expected)}"


def _citations_in_text(name: str, expected: list[str], text: str):
    text = citation_form(text)
    start = 0
    for number, citation in enumerate(expected, start=1):
        at = text.find(citation_form(citation), start)
        if at < 0:
            yield f"{name} citation {number}", f"“{_short(citation)}” is not in the text"
            continue
        start = at + len(citation_form(citation))


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
    expected = [spaced(h) for h in context.content("manuscript").headings]
    for name in _editions(context):
        found = [spaced(h) for h in context.content(name).headings]
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
    manuscript = context.content("manuscript")
    for name in _editions(context):
        expected = _words(manuscript.text)
        if name == "pdf":
            expected += PAGE_REFERENCE_WORDS * manuscript.cross_references
        found = _words(context.content(name).text)
        if name == "pdf":
            found -= _repeated_header_words(manuscript, context.content(name).text)
        if expected and abs(found - expected) / expected > WORD_TOLERANCE:
            change = (found - expected) / expected
            yield name, f"{found} words where the manuscript has {expected} ({change:+.1%})"


def _repeated_header_words(manuscript, printed: str) -> int:
    """The words of table header rows the print edition repeated on later pages."""
    written, printed = " ".join(manuscript.text.split()), " ".join(printed.split())
    extra = 0
    for header in dict.fromkeys(h for h in manuscript.table_headers if h):
        repeats = printed.count(header) - written.count(header)
        extra += max(0, repeats) * len(header.split())
    return extra


PAGE_REFERENCE_WORDS = 2
"""The words print.css adds after a cross-reference: "(p. 4)"."""


UNSPACED = (
    "\u0e00-\u0e7f\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff"
    "\uac00-\ud7af\uf900-\ufaff"
)
"""Thai, Kana, Han and Hangul: scripts whose lines break between any two characters (Thai,
Chinese and Japanese leave no space between words; Korean lines break inside words too),
so their characters are counted one by one and a line break adds no word."""
TOKEN = re.compile(f"[{UNSPACED}]|[^\\s{UNSPACED}]+")


def _words(text: str) -> int:
    """Words of running text; list numbers a printed edition spells out do not count."""
    return sum(1 for word in TOKEN.findall(text) if not LIST_NUMBER.match(word))


def _short(text: str, length: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1] + "…"
