"""The parse stage on the small fixture, against its golden file."""

import json
import os

import pytest

from pipeline.document import parse
from pipeline.errors import PipelineError
from pipeline.manuscript import load_manuscript
from tests.conftest import SMALL

GOLDEN = SMALL.parent / "small.expected.json"


def facts(document) -> dict:
    return {
        "headings": [[h.level, h.id, h.text] for h in document.headings],
        "notes": [n.text for n in document.notes],
        "bibliography": [{"key": e.key, "text": e.text} for e in document.bibliography],
    }


def test_small_fixture_matches_golden():
    document = parse(load_manuscript(SMALL))
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(json.dumps(facts(document), indent=2, ensure_ascii=False) + "\n")
    assert facts(document) == json.loads(GOLDEN.read_text(encoding="utf-8"))


def test_citations_become_numbered_notes_in_order():
    document = parse(load_manuscript(SMALL))
    assert [n.number for n in document.notes] == [1, 2, 3, 4]
    refs = document.body.find_class("footnote-ref")
    assert [r.text for r in refs] == ["1", "2", "3", "4"]
    assert not document.body.xpath("//section[@id='footnotes'] | //div[@id='refs']")


def test_missing_citation_key_names_file_and_line(small_copy):
    path = small_copy / "text.md"
    path.write_text(path.read_text().replace("[@marx-capital, 25]", "[@nobody-wrote-this, 25]"))
    with pytest.raises(PipelineError) as caught:
        parse(load_manuscript(small_copy))
    error = caught.value
    assert "@nobody-wrote-this" in error.message and "references.bib" in error.message
    assert error.path == path.resolve() and error.line == 5


def test_duplicate_note_definition_is_an_error(small_copy):
    path = small_copy / "text.md"
    path.write_text(path.read_text() + "\n[^first]: A second definition.\n")
    with pytest.raises(PipelineError, match=r"[Dd]uplicate note"):
        parse(load_manuscript(small_copy))
