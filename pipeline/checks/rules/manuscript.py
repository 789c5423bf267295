"""Lint rules for the manuscript's Markdown and bibliography."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from pipeline.bibliography import bibliography_keys
from pipeline.checks.context import CheckContext
from pipeline.checks.prose import paragraphs, prose_lines
from pipeline.checks.registry import Severity, rule
from pipeline.errors import PipelineError
from pipeline.languages import language_of
from pipeline.manuscript import NOTE_DEFINITION, NOTE_REFERENCE

CITATION = re.compile(r"(?<![\w@])@([\w][\w:.#$%&\-+?<>~/]*\w|\w)")
STRAIGHT_QUOTE = re.compile(r"[\"']")
APOSTROPHE = "’"
HYPHEN_AS_DASH = re.compile(r"(?<=\S) - (?=\S)")
SPACED_EN_DASH = re.compile(r"\S – \S")
UNSPACED_EM_DASH = re.compile(r"\w—\w")
SPACED_EM_DASH = re.compile(r"\S — \S")
BLOCK_MARKER = re.compile(r"^\s*(?:[:>*+-]|\d+[.)]|\(?[a-z]\))\s+")
DOUBLED_SPACE = re.compile(r"(?<=\S) {2,}(?=\S)")
DOUBLED_WORD = re.compile(r"\b([A-Za-z\u00C0-\u024F\u0400-\u04FF]+)\s+\1\b", re.IGNORECASE)
IMAGE = re.compile(r"!\[([^\]]*)\]")
IMAGE_TARGET = re.compile(r"!\[[^\]]*\]\(<?([^)\s>]+)")
REMOTE = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)
THREE_DOTS = re.compile(r"(?<!\.)\.\.\.(?!\.)")
HEADING = re.compile(r"^(#{1,6})\s+\S")


def _places(context: CheckContext) -> Iterator[tuple[str, int, str]]:
    """(file name, line number, masked prose) for every prose line of every text file."""
    for text in context.manuscript.texts:
        for line in prose_lines(text.source):
            yield text.path.name, line.number, line.text


def _place(name: str, line: int) -> str:
    return f"{name}:{line}"


def _citations(context: CheckContext) -> Iterator[tuple[str, str]]:
    for name, number, line in _places(context):
        for match in CITATION.finditer(line):
            yield match.group(1), _place(name, number)


def _bib_keys(context: CheckContext) -> list[tuple[str, int]]:
    return context.memo("bib-keys", lambda: bibliography_keys(context.manuscript.bibliography))


@rule(
    "manuscript.unknown-citation", Severity.ERROR, "A citation names a key not in the bibliography."
)
def unknown_citation(context: CheckContext):
    known = {key for key, _ in _bib_keys(context)}
    for key, place in _citations(context):
        if key not in known:
            yield place, f"@{key} is not in the bibliography"


@rule("manuscript.uncited-entry", Severity.WARNING, "A bibliography entry is never cited.")
def uncited_entry(context: CheckContext):
    cited = {key for key, _ in _citations(context)}
    bib = context.manuscript.bibliography
    for key, line in _bib_keys(context):
        if key not in cited and bib is not None:
            yield _place(bib.name, line), f"entry {key} is never cited"


@rule("manuscript.duplicate-entry", Severity.ERROR, "Two bibliography entries share a key.")
def duplicate_entry(context: CheckContext):
    bib = context.manuscript.bibliography
    seen: set[str] = set()
    for key, line in _bib_keys(context):
        if key in seen and bib is not None:
            yield _place(bib.name, line), f"a second entry has the key {key}"
        seen.add(key)


def _note_labels(context: CheckContext):
    definitions: list[tuple[str, str]] = []
    references: list[tuple[str, str]] = []
    for name, number, line in _places(context):
        definition = NOTE_DEFINITION.match(line)
        if definition:
            definitions.append((definition.group(1), _place(name, number)))
            line = line[definition.end() :]
        references.extend((label, _place(name, number)) for label in NOTE_REFERENCE.findall(line))
    return definitions, references


@rule("manuscript.unused-note", Severity.WARNING, "A footnote is defined but never called.")
def unused_note(context: CheckContext):
    definitions, references = _note_labels(context)
    called = {label for label, _ in references}
    for label, place in definitions:
        if label not in called:
            yield place, f"footnote [^{label}] is defined but never called"


@rule("manuscript.undefined-note", Severity.ERROR, "A footnote is called but never defined.")
def undefined_note(context: CheckContext):
    definitions, references = _note_labels(context)
    defined = {label for label, _ in definitions}
    for label, place in references:
        if label not in defined:
            yield place, f"footnote [^{label}] is called but never defined"


@rule("manuscript.duplicate-note", Severity.ERROR, "Two footnotes share a label.")
def duplicate_note(context: CheckContext):
    definitions, _ = _note_labels(context)
    seen: set[str] = set()
    for label, place in definitions:
        if label in seen:
            yield place, f"footnote label [^{label}] is defined more than once"
        seen.add(label)


@rule("manuscript.straight-quote", Severity.WARNING, "Straight quotes where curly ones belong.")
def straight_quote(context: CheckContext):
    quotes = language_of(context.manuscript).quotes
    marks = " ".join(dict.fromkeys(quotes))
    for name, number, line in _places(context):
        if STRAIGHT_QUOTE.search(line):
            yield _place(name, number), f"straight quotation mark or apostrophe; use {marks} or ’"


@rule(
    "manuscript.unbalanced-quotes",
    Severity.WARNING,
    "A paragraph opens or closes a quote it never closes or opened.",
)
def unbalanced_quotes(context: CheckContext):
    """The language's quotation marks (styles/languages.yaml) must pair up in a paragraph:
    its outer pair, and its inner pair unless the inner closing mark is the apostrophe."""
    quotes = language_of(context.manuscript).quotes
    pairs = [quotes[:2]] + ([quotes[2:]] if APOSTROPHE not in quotes[2:] else [])
    for text in context.manuscript.texts:
        for number, paragraph in paragraphs(text.source):
            for opener, closer in pairs:
                missing = _unpaired(paragraph, opener, closer)
                if missing:
                    yield (
                        _place(text.path.name, number),
                        f"quotation marks do not pair up ({missing} is missing)",
                    )
                    break


def _unpaired(paragraph: str, opener: str, closer: str) -> str | None:
    """Which mark a paragraph lacks, if its quotes do not pair up."""
    if opener == closer:
        return f"a closing {closer}" if paragraph.count(opener) % 2 else None
    opening, closing = paragraph.count(opener), paragraph.count(closer)
    if opening == closing:
        return None
    return f"an opening {opener}" if closing > opening else f"a closing {closer}"


@rule("manuscript.hyphen-as-dash", Severity.WARNING, "A spaced hyphen used as a dash.")
def hyphen_as_dash(context: CheckContext):
    for name, number, line in _places(context):
        body = re.sub(r"^\s*[-*+]\s", "  ", line)
        if HYPHEN_AS_DASH.search(body):
            yield _place(name, number), "a spaced hyphen ' - ' is used as a dash; use ' – '"


@rule("manuscript.mixed-dashes", Severity.WARNING, "More than one style of dash between words.")
def mixed_dashes(context: CheckContext):
    styles: Counter[str] = Counter()
    first: dict[str, str] = {}
    patterns = {
        "spaced hyphen ' - '": HYPHEN_AS_DASH,
        "spaced en dash ' – '": SPACED_EN_DASH,
        "unspaced em dash '—'": UNSPACED_EM_DASH,
        "spaced em dash ' — '": SPACED_EM_DASH,
    }
    for name, number, line in _places(context):
        body = re.sub(r"^\s*[-*+]\s", "  ", line)
        for style, pattern in patterns.items():
            found = len(pattern.findall(body))
            if found:
                styles[style] += found
                first.setdefault(style, _place(name, number))
    if len(styles) > 1:
        main_style = styles.most_common(1)[0][0]
        for style, count in styles.items():
            if style != main_style:
                yield first[style], f"{count} × {style} beside {styles[main_style]} × {main_style}"


@rule("manuscript.doubled-space", Severity.WARNING, "Two or more spaces between words.")
def doubled_space(context: CheckContext):
    for name, number, line in _places(context):
        if DOUBLED_SPACE.search(BLOCK_MARKER.sub("", line).strip()):
            yield _place(name, number), "two or more spaces between words"


@rule("manuscript.doubled-word", Severity.WARNING, "The same word twice in a row.")
def doubled_word(context: CheckContext):
    for name, number, line in _places(context):
        for match in DOUBLED_WORD.finditer(line):
            yield _place(name, number), f"doubled word “{match.group(0)}”"


@rule("manuscript.image-alt", Severity.WARNING, "An image without alternative text.")
def image_alt(context: CheckContext):
    for text in context.manuscript.texts:
        for number, line in enumerate(text.source.split("\n"), start=1):
            for match in IMAGE.finditer(line):
                if not match.group(1).strip():
                    yield _place(text.path.name, number), "image has no alternative text"


@rule("manuscript.three-dots", Severity.WARNING, "Three full stops where an ellipsis belongs.")
def three_dots(context: CheckContext):
    for name, number, line in _places(context):
        if THREE_DOTS.search(line):
            yield _place(name, number), "three full stops; use an ellipsis “…”"


@rule("manuscript.image-file", Severity.ERROR, "An image that is not a file in the manuscript.")
def image_file(context: CheckContext):
    """Images on the web are linked by the build (and reported there), not this rule's."""
    root = context.manuscript.root
    site = bool(context.manuscript.metadata.get("base-url"))
    for text in context.manuscript.texts:
        for number, line in enumerate(text.source.split("\n"), start=1):
            for target in IMAGE_TARGET.findall(line):
                if REMOTE.match(target) or (site and target.startswith("/")):
                    continue
                file = (root / target).resolve()
                if not file.is_relative_to(root) or not file.is_file():
                    yield _place(text.path.name, number), f"image {target[:80]} is not a file here"


@rule(
    "manuscript.remote-image",
    Severity.WARNING,
    "An image on the web, which the editions link to instead of showing.",
)
def remote_image(context: CheckContext):
    site = bool(context.manuscript.metadata.get("base-url"))
    for text in context.manuscript.texts:
        for number, line in enumerate(text.source.split("\n"), start=1):
            for target in IMAGE_TARGET.findall(line):
                if REMOTE.match(target) or (site and target.startswith("/")):
                    place = _place(text.path.name, number)
                    yield place, f"image {target[:80]} is on the web: the editions link to it"


LINK_REMOVAL = "the link to "
"""How a link removed for leading nowhere is reported: no active content, so not this rule's."""


@rule("manuscript.active-content", Severity.WARNING, "Scripts or the like the build removes.")
def active_content(context: CheckContext):
    try:
        warnings = context.document().warnings
    except PipelineError:
        return  # the manuscript does not parse; the other rules say why
    for warning in warnings:
        where, removed, what = warning.partition(": removed ")
        if not removed or what.startswith(LINK_REMOVAL):
            continue
        path, _, line = where.rpartition(":")
        place = _place(Path(path).name, int(line)) if line.isdigit() else Path(where).name
        yield place, f"{what} is removed from every edition (--strict refuses it)"


@rule("manuscript.heading-skip", Severity.WARNING, "A heading skips a level.")
def heading_skip(context: CheckContext):
    previous = 0
    for name, number, line in _places(context):
        match = HEADING.match(line)
        if not match:
            continue
        level = len(match.group(1))
        if level > previous + 1:
            yield _place(name, number), f"heading level {level} follows level {previous or 'none'}"
        previous = level
