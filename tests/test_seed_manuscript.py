"""The seed manuscript keeps every word of the plain-text source.

Compares the word sequence of ``tests/fixtures/source/communist-fractions-1922-3.txt``
with that of ``manuscript/text.md``, after the normalisation described in
``tests/textcompare.py``.
"""

from __future__ import annotations

from tests.textcompare import (
    EXPECTED_NOTE_MARKERS,
    EXPECTED_REFERENCES,
    MANUSCRIPT,
    SOURCE,
    assert_same_words,
    normalise_manuscript,
    normalise_source,
    words,
)


def test_source_fixture_normalisation_removes_references_and_note_markers() -> None:
    _, references, markers = normalise_source(SOURCE.read_text(encoding="utf-8"))
    assert references == EXPECTED_REFERENCES
    assert markers == EXPECTED_NOTE_MARKERS


def test_manuscript_keeps_every_word_of_the_source() -> None:
    source_text, _, _ = normalise_source(SOURCE.read_text(encoding="utf-8"))
    expected = words(source_text)
    actual = words(normalise_manuscript(MANUSCRIPT.read_text(encoding="utf-8")))
    assert_same_words(expected, actual, "text.md")
