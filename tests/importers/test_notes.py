"""Note markers in plain text: which numbers call notes and which are just numbers."""

from __future__ import annotations

from pipeline.importers.notes import find_markers, note_line, parse_end_notes


def called(texts: list[str]) -> list[tuple[int, str]]:
    """(note number, the word the marker follows) for every marker found."""
    return [(m.number, texts[m.unit][: m.start].split()[-1]) for m in find_markers(texts)]


def test_glued_digits_count_up_and_other_numbers_stay_text():
    texts = [
        "In 1923 the n°34 issue (1922-3, the 13th Congress, IR 100) said: revolutionaries1.",
        "See n°s98 and 99, p 481 and p382; the 46 and 200 or so; then the state2. In 1924.",
    ]
    assert called(texts) == [(1, "revolutionaries"), (2, "state")]


def test_a_marker_out_of_order_is_not_taken():
    assert called(["one2 then two1 and three2"]) == [(1, "two"), (2, "three")]


def test_markers_after_punctuation_brackets_and_superscripts():
    assert called(["end of it.1 Then [2] and then³ and an x.4"]) == [
        (1, "it."),
        (2, "Then"),
        (3, "then"),
    ]


def test_note_lines_in_their_usual_forms():
    assert note_line("1 The CWO subsequently") == (1, "The CWO subsequently")
    assert note_line("2. However") == (2, "However")
    assert note_line("[3] Text") == (3, "Text")
    assert note_line("⁴ Text") == (4, "Text")
    assert note_line("1923 was a year") is None
    assert note_line("One 1") is None


def test_end_notes_must_count_up_and_may_run_over_lines():
    notes = parse_end_notes([(10, "1 First note"), (11, "goes on."), (13, "2 Second.")])
    assert [(n.number, n.text, n.line) for n in notes] == [
        (1, "First note goes on.", 10),
        (2, "Second.", 13),
    ]
    assert parse_end_notes([(1, "2 Starts at two")]) is None
