"""The seed pamphlet: every edition carries the manuscript's notes and bibliography."""

import json
import subprocess

import pytest

from pipeline.checks.extract import comparable, from_document, read_epub, read_html, read_pdf
from pipeline.document import pandoc_path, parse
from pipeline.manuscript import load_manuscript
from tests.conftest import SEED

READERS = {"pdf": read_pdf, "epub": read_epub, "html": read_html}


def manuscript_note_count() -> int:
    """Count notes straight from pandoc's AST without citeproc: every hand-written note, plus
    one note for each citation outside a note (a notes style turns each into a footnote)."""
    ast = json.loads(
        subprocess.run(
            [pandoc_path(), "-t", "json", str(SEED / "text.md")],
            capture_output=True,
            check=True,
        ).stdout
    )
    counts = {"notes": 0, "citations": 0}

    def walk(node, in_note: bool) -> None:
        if isinstance(node, dict):
            kind = node.get("t")
            if kind == "Note":
                counts["notes"] += 1
                in_note = True
            elif kind == "Cite" and not in_note:
                counts["citations"] += 1
            for value in node.values():
                walk(value, in_note)
        elif isinstance(node, list):
            for value in node:
                walk(value, in_note)

    walk(ast["blocks"], False)
    assert counts["notes"] >= 2
    return counts["notes"] + counts["citations"]


def bibliography_key_count() -> int:
    text = (SEED / "references.bib").read_text(encoding="utf-8")
    return text.count("\n@") + text.startswith("@")


@pytest.fixture(scope="module")
def seed_document():
    return parse(load_manuscript(SEED))


def test_document_has_the_manuscripts_notes_and_entries(seed_document):
    assert len(seed_document.notes) == manuscript_note_count()
    assert len(seed_document.bibliography) == bibliography_key_count()
    assert [h.text for h in seed_document.headings] == [
        "1922–23: Lenin moves towards opposition",
        "1923: the emergence of the left oppositions",
        "Trotsky’s fatal hesitations",
    ]


@pytest.mark.parametrize("edition", READERS)
def test_edition_has_the_same_notes_and_bibliography(edition, seed_editions, seed_document):
    expected = from_document(seed_document)
    found = READERS[edition](seed_editions[edition])
    assert len(found.notes) == len(expected.notes)
    assert [comparable(n) for n in found.notes] == [comparable(n) for n in expected.notes]
    assert [comparable(b) for b in found.bibliography] == [
        comparable(b) for b in expected.bibliography
    ]
    assert found.headings == expected.headings


@pytest.mark.parametrize("edition", READERS)
def test_edition_has_every_paragraph(edition, seed_editions, seed_document):
    found = comparable(READERS[edition](seed_editions[edition]).text)
    for paragraph in seed_document.body.iter("p"):
        for ref in paragraph.find_class("footnote-ref"):
            ref.drop_tree()
        text = comparable(paragraph.text_content())
        assert text[:60] in found and text[-60:] in found, paragraph.text_content()[:80]
