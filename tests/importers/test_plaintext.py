"""Plain text imported: the seed article, and the guesses the reader makes on small texts."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.checks.extract import read_html
from pipeline.metadata import load_metadata
from tests.importers.support import invoke, markdown_blocks, pandoc
from tests.textcompare import (
    END_NOTE_NUMBER,
    MANUSCRIPT,
    SOURCE,
    assert_same_words,
    correct_spelling,
    drop_references,
    drop_title,
    normalise_manuscript,
    words,
)

SEED_HEADINGS = [
    "1922-23: Lenin moves towards opposition",
    "1923: the emergence of the left oppositions",
    "Trotsky’s fatal hesitations",
]
SEED_MARKERS = {
    "counter-revolutionaries1.": "counter-revolutionaries.",
    "the state2.": "the state.",
}
NUMBERS_THAT_ARE_NOT_MARKERS = (
    "1923",
    "n°34",
    "n°s98",
    "p 481",
    "p382",
    "13th",
    "the 46",
    "1922-3",
    "200 or so",
    "IR 100",
)


@pytest.fixture(scope="module")
def seed_import(tmp_path_factory) -> tuple[Path, str]:
    target = tmp_path_factory.mktemp("seed-import") / "manuscript"
    result = invoke("import", str(SOURCE), "--into", str(target))
    assert result.exit_code == 0, result.output
    return target, result.output


def plain(node) -> str:
    """The words of pandoc inlines, as the tests read them back."""
    if isinstance(node, list):
        return "".join(plain(item) for item in node)
    if node.get("t") == "Str":
        return node["c"]
    if node.get("t") in ("Space", "SoftBreak"):
        return " "
    return ""


def test_seed_import_has_every_word_of_the_source(seed_import):
    """Every word of the source but the title, the two markers and the notes' numbers."""
    target, _ = seed_import
    source = drop_title(SOURCE.read_text(encoding="utf-8"))
    for marked, word in SEED_MARKERS.items():
        assert source.count(marked) == 1
        source = source.replace(marked, word)
    source = END_NOTE_NUMBER.sub("", source)
    imported = normalise_manuscript((target / "text.md").read_text(encoding="utf-8"))
    assert_same_words(words(source), words(imported), "the imported text.md")


def test_seed_import_matches_the_edited_manuscript(seed_import):
    """Same words as manuscript/text.md once its citations, and the source's references
    they replaced, are removed."""
    target, _ = seed_import
    imported, _ = drop_references(normalise_manuscript((target / "text.md").read_text()))
    edited = normalise_manuscript(MANUSCRIPT.read_text(encoding="utf-8"))
    assert_same_words(words(edited), words(correct_spelling(imported)), "the imported text.md")


def test_seed_import_structure(seed_import):
    target, _ = seed_import
    blocks = markdown_blocks(target / "text.md")
    headings = [b for b in blocks if b["t"] == "Header"]
    assert [plain(h["c"][2]) for h in headings] == SEED_HEADINGS
    assert {h["c"][0] for h in headings} == {1}
    lists = [b for b in blocks if b["t"] == "BulletList"]
    assert [len(items) for items in (b["c"] for b in lists)] == [4, 2]
    assert plain(lists[0]["c"][0][0]["c"]).startswith("its resolute internationalism.")
    assert sum(b["t"] == "Para" for b in blocks) == 35


def test_seed_import_notes_sit_at_their_markers(seed_import):
    target, _ = seed_import
    text = (target / "text.md").read_text(encoding="utf-8")
    assert "were themselves counter-revolutionaries[^1]. Nor was" in text
    assert "the economy and the state[^2]. For the Workers’ Group" in text
    assert "\n[^1]: The CWO subsequently rejected this approach" in text
    assert "\n[^2]: However, the Manifesto seems also to argue" in text
    assert text.count("[^") == 4
    for number in NUMBERS_THAT_ARE_NOT_MARKERS:
        assert number in text, number


def test_seed_import_metadata(seed_import):
    target, _ = seed_import
    metadata = load_metadata(target / "metadata.yaml")
    assert metadata.title == "1922-3: The communist fractions against the rising counter-revolution"
    assert metadata.lang == "en"
    assert metadata.slug == "1922-3-the-communist-fractions-against"


def test_seed_import_reports_what_an_editor_should_check(seed_import):
    _, output = seed_import
    assert "3 headings, 35 paragraphs, 2 lists, 6 list items" in output
    assert "2 footnotes" in output
    assert output.count("[import.heading-guess]") == 3
    assert "communist-fractions-1922-3.txt:7: the short line" in output
    assert "lang en was guessed" in output
    assert (
        "a spaced hyphen ' - ' is used as a dash" in output
        and "… and 6 more [manuscript.hyphen-as-dash]" in output
    )
    assert "[import.note-without-marker]" not in output
    assert "[import.marker-without-note]" not in output


def test_seed_import_builds(seed_import, tmp_path):
    target, _ = seed_import
    result = invoke("build", str(target), "-o", str(tmp_path), "--format", "html", "--quiet")
    assert result.exit_code == 0, result.output
    edition = read_html(tmp_path / "1922-3-the-communist-fractions-against.html")
    assert len(edition.notes) == 2 and edition.notes[0].startswith("The CWO subsequently")
    for heading in SEED_HEADINGS:
        assert heading in edition.headings


def import_text(tmp_path: Path, text: str, *options: str, encoding: str = "utf-8"):
    source = tmp_path / "source.txt"
    source.write_bytes(text.encode(encoding))
    result = invoke("import", str(source), "--into", str(tmp_path / "out"), *options)
    assert result.exit_code == 0, result.output
    return (tmp_path / "out" / "text.md").read_text(encoding="utf-8"), result.output


def test_structure_guesses_on_a_small_text(tmp_path):
    text, _ = import_text(
        tmp_path,
        "A Title\n\nby Ann Author\n\nA paragraph that runs on\nover two lines.\n\n"
        "A Short Heading\n\nThe list:\n\n• first\n• second\n\n1. one\n2. two\n\n"
        "    An indented quotation\n    over two lines.\n\n* * *\n\nThe end.\n",
    )
    assert [b["t"] for b in markdown_blocks(tmp_path / "out" / "text.md")] == [
        "Para",
        "Header",
        "Para",
        "BulletList",
        "OrderedList",
        "BlockQuote",
        "HorizontalRule",
        "Para",
    ]
    assert "A paragraph that runs on over two lines." in text
    assert "- first\n- second" in text
    metadata = load_metadata(tmp_path / "out" / "metadata.yaml")
    assert (metadata.title, metadata.authors) == ("A Title", ["Ann Author"])


def test_markdown_characters_in_plain_text_stay_text(tmp_path):
    line = "# not a heading, @nobody, *no stars*, [^x], $5 and <b>tags</b>"
    import_text(tmp_path, f"Title\n\n{line}\n\n1923. A year that is no list item.\n")
    read_back = pandoc("--to=plain", "--wrap=none", str(tmp_path / "out" / "text.md"))
    assert read_back.decode().split("\n\n") == [line, "1923. A year that is no list item.\n"]


def test_notes_heading_is_dropped_and_loose_notes_are_kept(tmp_path):
    text, output = import_text(
        tmp_path,
        "Title\n\nA claim1 and another2.\n\n12 delegates voted.\n\nNotes\n\n"
        "1 First.\n\n2 Second.\n\n3 Third.\n",
    )
    assert "A claim[^1] and another[^2].\n\n12 delegates voted.\n" in text
    assert "Notes" not in text and "\n3 Third.\n" in text
    assert "source.txt:13: note 3 has no marker in the text" in output


def test_a_paragraph_opening_with_a_number_is_not_a_note(tmp_path):
    text, _ = import_text(tmp_path, "Title\n\nA claim1.\n\n12 delegates voted.\n\n1 The note.\n")
    assert text == "A claim[^1].\n\n12 delegates voted.\n\n[^1]: The note.\n"


def test_numbered_lines_that_nothing_calls_stay_text(tmp_path):
    text, output = import_text(tmp_path, "Title\n\nNo markers here.\n\n1) One.\n\n2) Two.\n")
    blocks = markdown_blocks(tmp_path / "out" / "text.md")
    assert [b["t"] for b in blocks] == ["Para", "OrderedList"]
    assert "[^" not in text
    assert "source.txt:5: the numbered paragraphs at the end look like notes" in output


def test_marker_without_note_is_reported(tmp_path):
    text, output = import_text(tmp_path, "Title\n\nA claim1 and a second2.\n\n1 The note.\n")
    assert "A claim[^1] and a second2." in text
    assert "there is no note 2 at the end [import.marker-without-note]" in output


def test_windows_1252_text_is_read_and_reported(tmp_path):
    text, output = import_text(tmp_path, "Title\n\nCafé “crème”.\n", encoding="cp1252")
    assert "Café “crème”." in text
    assert "read as Windows-1252 [import.encoding]" in output


def test_lang_is_guessed_or_given(tmp_path):
    french = "Titre\n\nLe texte est dans la langue que nous parlons et il ne sera pas traduit.\n"
    _, output = import_text(tmp_path, french)
    assert load_metadata(tmp_path / "out" / "metadata.yaml").lang == "fr"
    assert "lang fr was guessed" in output
    import_text(tmp_path, french, "--force", "--lang", "fr-CA")
    assert load_metadata(tmp_path / "out" / "metadata.yaml").lang == "fr-CA"
