"""Author-date and numeric citation styles: the citations stand in the text of every
edition, the same bibliography closes each, and the checks compare both."""

from __future__ import annotations

import shutil
from pathlib import Path

import lxml.html
import pytest

from pipeline.build import build
from pipeline.checks.extract import (
    citation_form,
    comparable,
    from_document,
    read_epub,
    read_html,
    read_pdf,
)
from pipeline.checks.run import run_checks
from pipeline.document import parse
from pipeline.manuscript import load_manuscript
from tests.checks.breakage import edit_epub, edit_pdf, edit_text, redact
from tests.checks.helpers import fired
from tests.conftest import FIXTURES, ROOT, SMALL

AUTHOR_DATE = FIXTURES / "author-date"
NUMERIC = FIXTURES / "numeric"
READERS = {"pdf": read_pdf, "epub": read_epub, "html": read_html}

EXPECTED_CITATIONS = {
    "author-date": [
        "(Eisenstein, 1979; Johns, 1998)",
        "Eisenstein (1979, p. 43)",
        "(Johns, 1998, pp. 30–35)",
        "(1982, p. 68)",
        "(McKenzie, 1986, p. 13)",
    ],
    "numeric": ["[1]", "[2, p. 150]", "[2], [3]", "[4, Sec. 1.2]"],
}
FIRST_ENTRY = {
    "author-date": "Darnton, R. (1982). What is the history of books? Daedalus, 111(3), 65–83.",
    "numeric": "[1] C. E. Shannon, “A mathematical theory of communication,” Bell System "
    "Technical Journal, vol. 27, no. 3, pp. 379–423, 1948.",
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every edition of both fixtures, built once for this module: name → build folder."""
    folders = {}
    for fixture in (AUTHOR_DATE, NUMERIC):
        out = tmp_path_factory.mktemp(fixture.name)
        build(fixture, out_dir=out)
        folders[fixture.name] = out
    return folders


def edition(built: dict[str, Path], name: str, suffix: str) -> Path:
    slug = load_manuscript(FIXTURES / name).slug
    return built[name] / f"{slug}{suffix}"


SUFFIXES = {"pdf": ".pdf", "epub": ".epub", "html": ".html"}


def test_the_styles_are_found_in_the_shared_styles_folder():
    assert load_manuscript(AUTHOR_DATE).csl == ROOT / "styles" / "csl" / "apa.csl"
    assert load_manuscript(NUMERIC).csl == ROOT / "styles" / "csl" / "ieee.csl"


@pytest.mark.parametrize("name", ["author-date", "numeric"])
@pytest.mark.parametrize("kind", ["epub", "html"])
def test_marked_up_editions_carry_the_citations_in_order(built, name, kind):
    content = READERS[kind](edition(built, name, SUFFIXES[kind]))
    assert content.citations == EXPECTED_CITATIONS[name]


@pytest.mark.parametrize("name", ["author-date", "numeric"])
def test_the_print_edition_prints_the_citations_in_order(built, name):
    text = citation_form(read_pdf(edition(built, name, ".pdf")).text)
    start = 0
    for citation in EXPECTED_CITATIONS[name]:
        start = text.index(citation_form(citation), start) + 1


@pytest.mark.parametrize("name", ["author-date", "numeric"])
def test_every_edition_closes_with_the_same_bibliography(built, name):
    entries = {
        kind: [
            " ".join(e.split()) for e in READERS[kind](edition(built, name, suffix)).bibliography
        ]
        for kind, suffix in SUFFIXES.items()
    }
    assert len(entries["html"]) == 4
    assert entries["html"][0] == FIRST_ENTRY[name]
    assert entries["epub"] == entries["html"]
    assert [comparable(e) for e in entries["pdf"]] == [comparable(e) for e in entries["html"]]


@pytest.mark.parametrize("name", ["author-date", "numeric"])
def test_the_hand_written_note_keeps_its_citation(built, name):
    notes = {kind: READERS[kind](edition(built, name, SUFFIXES[kind])).notes for kind in SUFFIXES}
    assert len(notes["html"]) == 1
    cited = "(see Darnton, 1982, p. 67)" if name == "author-date" else "[4]"
    assert all(cited in " ".join(found[0].split()) for found in notes.values()), notes


@pytest.mark.parametrize("name", ["author-date", "numeric"])
def test_the_checks_find_nothing(built, name):
    report = run_checks(FIXTURES / name, built[name])
    assert [f"{f.rule}: {f.place}: {f.message}" for f in report.findings] == []


@pytest.mark.parametrize("name", ["author-date", "numeric"])
def test_entries_cited_in_the_text_list_no_notes(built, name):
    """Every entry is cited in the running text, so none lists the notes that cite it: a
    list of notes would leave out the text's citations."""
    page = lxml.html.parse(str(edition(built, name, ".html"))).getroot()
    entries = page.xpath("//*[@id='bibliography']//li")
    assert len(entries) == 4
    assert page.xpath("//*[@id='bibliography']//*[contains(@class, 'cited-in')]") == []


def test_an_entry_cited_only_in_a_note_lists_that_note(tmp_path):
    manuscript = shutil.copytree(AUTHOR_DATE, tmp_path / "m")
    text = manuscript / "text.md"
    source = text.read_text(encoding="utf-8")
    text.write_text(source.replace("\n[@mckenzie-bibliography, p. 13].", "."), encoding="utf-8")
    text.write_text(
        text.read_text(encoding="utf-8") + "\n[^form]: As @mckenzie-bibliography argued.\n",
        encoding="utf-8",
    )
    text.write_text(
        text.read_text(encoding="utf-8").replace("read differently.", "read differently.[^form]"),
        encoding="utf-8",
    )
    build(manuscript, ["html"], tmp_path / "out")
    page = lxml.html.parse(str(tmp_path / "out" / "how-books-travel.html")).getroot()
    (line,) = page.xpath("//li[@id='ref-mckenzie-bibliography']//*[@class='cited-in']")
    assert " ".join(line.text_content().split()) == "Cited in note 2."
    assert page.xpath("//li[@id='ref-johns-nature-book']//*[@class='cited-in']") == []


def test_a_style_in_the_manuscript_folder_is_used(tmp_path):
    manuscript = shutil.copytree(NUMERIC, tmp_path / "m")
    shutil.copy(ROOT / "styles" / "csl" / "apa.csl", manuscript / "house.csl")
    metadata = manuscript / "metadata.yaml"
    metadata.write_text(
        metadata.read_text(encoding="utf-8").replace("csl: ieee", "csl: house.csl"),
        encoding="utf-8",
    )
    build(manuscript, ["html"], tmp_path / "out")
    content = read_html(tmp_path / "out" / "codes-that-correct.html")
    assert content.citations[0] == "(Shannon, 1948)"


def broken_copy(built: dict[str, Path], name: str, tmp_path: Path) -> Path:
    return Path(shutil.copytree(built[name], tmp_path / "build"))


def test_a_citation_missing_from_the_print_edition_is_reported(built, tmp_path):
    out = broken_copy(built, "author-date", tmp_path)
    edit_pdf(out / "how-books-travel.pdf", lambda pdf: redact(pdf, "(McKenzie, 1986, p. 13)"))
    found = fired(AUTHOR_DATE, "cross", build_dir=out)
    assert found["cross.citations"] == [
        "pdf citation 5: “(McKenzie, 1986, p. 13)” is not in the text"
    ]


def test_a_changed_citation_in_the_epub_is_reported(built, tmp_path):
    out = broken_copy(built, "numeric", tmp_path)
    edit_epub(out / "codes-that-correct.epub", "chapter-01.xhtml", "[2, p. 150]", "[3, p. 150]")
    found = fired(NUMERIC, "cross", build_dir=out)
    assert found == {
        "cross.citations": [
            "epub citation 2: reads “[3, p. 150]” where the manuscript has “[2, p. 150]”"
        ]
    }


def test_a_citation_dropped_from_the_web_page_is_reported(built, tmp_path):
    out = broken_copy(built, "numeric", tmp_path)
    page = out / "codes-that-correct.html"
    edit_text(page, '<span class="citation" data-cites="knuth-art">[4, Sec. 1.2]</span>', "")
    found = fired(NUMERIC, "cross", build_dir=out)
    assert "html: 3 citations in the text where the manuscript has 4" in found["cross.citations"]


def test_a_notes_style_sets_no_citation_in_the_text():
    """A notes style turns every citation of the running text into a note: the rule then
    has nothing of its own to compare, and the note rules compare the citations."""
    document = parse(load_manuscript(SMALL))
    assert from_document(document).citations == []
    assert any("Marx" in note.text for note in document.notes)
