"""Compare the words of the plain-text source with those of a Markdown manuscript.

The source is ``tests/fixtures/source/communist-fractions-1922-3.txt``, a byte-for-byte
copy of the text the seed manuscript was edited from.

Normalisation, applied before comparing:

Source text
  1. The first line (the article title) is dropped: it lives in ``metadata.yaml``, not in
     the text.
  2. The source's parenthetical references, e.g. "(ibid, p 278)" or
     "(Speech to the 11th Congress of the RCP(B), Collected Works, vol. 33. P 264)",
     are removed: in ``manuscript/text.md`` they were replaced by Pandoc citations. A
     parenthesis counts as a reference when its content starts with one of
     ``REFERENCE_OPENINGS``.
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
  separates words and is not compared. The block-quotation and typographic edits listed
  in ``manuscript/EDITING.md`` therefore need no step of their own.
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


def drop_title(text: str) -> str:
    return text.split("\n", 1)[1]


def drop_references(text: str) -> tuple[str, int]:
    """Remove the source's parenthetical references; return the text and how many."""
    references = 0

    def drop_reference(match: re.Match[str]) -> str:
        nonlocal references
        if match.group(1).casefold().startswith(REFERENCE_OPENINGS):
            references += 1
            return ""
        return match.group(0)

    return PARENTHESIS.sub(drop_reference, text), references


def drop_note_markers(text: str) -> tuple[str, int]:
    """Remove glued note markers and end-note numbers; return the text and the markers."""
    text, glued = GLUED_NOTE_MARKER.subn("", text)
    text, numbered = END_NOTE_NUMBER.subn("", text)
    assert glued == numbered, f"{glued} note markers in the text but {numbered} end notes"
    return text, glued


def correct_spelling(text: str) -> str:
    for wrong, right in SPELLING_CORRECTIONS.items():
        text = text.replace(wrong, right)
    return text


def normalise_source(text: str) -> tuple[str, int, int]:
    """Return the normalised source, the number of references and of note markers removed."""
    text, references = drop_references(drop_title(text))
    text, markers = drop_note_markers(text)
    return correct_spelling(text), references, markers


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
            f"first difference ({tag}) at expected word {i1}, actual word {j1}\n"
            f"  context  : … {before}\n"
            f"  expected : {' '.join(expected[i1:i2][: context * 2]) or '(nothing)'}\n"
            f"  actual   : {' '.join(actual[j1:j2][: context * 2]) or '(nothing)'}\n"
            f"  then     : {' '.join(expected[i2 : i2 + context])} …"
        )
    return "no difference"


def assert_same_words(expected: list[str], actual: list[str], what: str) -> None:
    assert expected, "nothing to compare"
    if expected != actual:
        raise AssertionError(
            f"{what} has {len(actual)} words, {len(expected)} expected; "
            + first_difference(expected, actual)
        )
