"""The seed manuscript keeps every word of the plain-text source.

Compares the word sequence of ``tests/fixtures/source/communist-fractions-1922-3.txt``
(a byte-for-byte copy of the source text) with that of ``manuscript/text.md``.

Normalisation, applied before comparing:

Source text
  1. The first line (the article title) is dropped: it lives in
     ``manuscript/metadata.yaml``, not in ``text.md``.
  2. The source's parenthetical references, e.g. "(ibid, p 278)" or
     "(Speech to the 11th Congress of the RCP(B), Collected Works, vol. 33. P 264)",
     are removed: they were replaced by Pandoc citations. A parenthesis counts as a
     reference when its content starts with one of ``REFERENCE_OPENINGS``.
  3. Note markers are removed: digits glued to the end of a word
     ("counter-revolutionaries1") and the number opening an end-note line ("1 The CWO").
  4. The spelling corrections recorded in ``manuscript/EDITING.md`` are applied
     (``SPELLING_CORRECTIONS``).

Manuscript
  1. Pandoc citations ``[...@key...]`` are removed, prefixes and locators included.
  2. Footnote references and definition labels (``[^label]``, ``[^label]:``) are removed.
  3. Heading attributes (``{#id}``) are removed.

Both
  Text is case-folded and split into runs of word characters (``\\w+``). Everything
  else -- Markdown markup (``#``, ``>``, ``-``, ``*``), punctuation, hyphens and
  dashes, straight or curly quotation marks, ellipses, the degree sign in "n°" --
  separates words and is not compared.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

HERE = Path(__file__).parent
SOURCE = HERE / "fixtures" / "source" / "communist-fractions-1922-3.txt"
MANUSCRIPT = HERE.parent / "manuscript" / "text.md"

# How the source's parenthetical references begin (compared case-insensitively).
REFERENCE_OPENINGS = (
    "see ",
    "cited in ",
    "quoted in ",
    "ibid",
    "international review",
    "speech to the",
    "trotsky, my life",
    "bilan n°",
)
EXPECTED_REFERENCES = 13
EXPECTED_NOTE_MARKERS = 2

# Misspellings corrected in text.md (see manuscript/EDITING.md).
SPELLING_CORRECTIONS = {"irrreconcilable": "irreconcilable"}

# A parenthesis, allowing one level of nested parentheses: "(... RCP(B) ...)".
PARENTHESIS = re.compile(r"\(((?:[^()]|\([^()]*\))*)\)")
GLUED_NOTE_MARKER = re.compile(r"(?<=[^\W\d_])\d+\b")
END_NOTE_NUMBER = re.compile(r"^\d+ (?=\S)", re.MULTILINE)

CITATION = re.compile(r"\[[^\[\]]*@[^\[\]]*\]")
FOOTNOTE_LABEL = re.compile(r"\[\^[^\]\s]+\]:?")
HEADING_ATTRIBUTES = re.compile(r"\{#[^}]*\}")
WORD = re.compile(r"\w+")


def words(text: str) -> list[str]:
    return WORD.findall(text.casefold())


def normalise_source(text: str) -> tuple[str, int, int]:
    """Return the normalised source, the number of references and of note markers removed."""
    text = text.split("\n", 1)[1]
    references = 0

    def drop_reference(match: re.Match[str]) -> str:
        nonlocal references
        if match.group(1).casefold().startswith(REFERENCE_OPENINGS):
            references += 1
            return ""
        return match.group(0)

    text = PARENTHESIS.sub(drop_reference, text)
    text, glued = GLUED_NOTE_MARKER.subn("", text)
    text, numbered = END_NOTE_NUMBER.subn("", text)
    assert glued == numbered, f"{glued} note markers in the text but {numbered} end notes"
    for wrong, right in SPELLING_CORRECTIONS.items():
        text = text.replace(wrong, right)
    return text, references, glued


def normalise_manuscript(text: str) -> str:
    text = CITATION.sub(" ", text)
    text = FOOTNOTE_LABEL.sub(" ", text)
    return HEADING_ATTRIBUTES.sub(" ", text)


def first_difference(expected: list[str], actual: list[str], context: int = 8) -> str:
    matcher = difflib.SequenceMatcher(None, expected, actual, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        before = " ".join(expected[max(0, i1 - context) : i1])
        return (
            f"first difference ({tag}) at source word {i1}, manuscript word {j1}\n"
            f"  context : … {before}\n"
            f"  source  : {' '.join(expected[i1:i2][: context * 2]) or '(nothing)'}\n"
            f"  text.md : {' '.join(actual[j1:j2][: context * 2]) or '(nothing)'}\n"
            f"  then    : {' '.join(expected[i2 : i2 + context])} …"
        )
    return "no difference"


def test_source_fixture_normalisation_removes_references_and_note_markers() -> None:
    _, references, markers = normalise_source(SOURCE.read_text(encoding="utf-8"))
    assert references == EXPECTED_REFERENCES
    assert markers == EXPECTED_NOTE_MARKERS


def test_manuscript_keeps_every_word_of_the_source() -> None:
    source_text, _, _ = normalise_source(SOURCE.read_text(encoding="utf-8"))
    expected = words(source_text)
    actual = words(normalise_manuscript(MANUSCRIPT.read_text(encoding="utf-8")))
    assert expected, "the source fixture is empty"
    if expected != actual:
        raise AssertionError(
            f"text.md has {len(actual)} words, the source {len(expected)}; "
            + first_difference(expected, actual)
        )
