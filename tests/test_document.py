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
    with pytest.raises(PipelineError, match=r"footnote \[\^first\] is defined a second time"):
        parse(load_manuscript(small_copy))


def manuscript_of(folder, **texts: str):
    """A manuscript in ``folder`` with the given text files (``text_md=...``)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "metadata.yaml").write_text("title: T\n", encoding="utf-8")
    for name, text in texts.items():
        (folder / name.replace("_md", ".md").replace("_", "-")).write_text(text, "utf-8")
    return load_manuscript(folder)


def test_duplicate_note_label_names_the_second_definition(tmp_path):
    text = "A call.[^a]\n\n[^a]: One.\n\n[^a]: Two.\n"
    with pytest.raises(PipelineError) as caught:
        parse(manuscript_of(tmp_path / "m", text_md=text))
    assert "footnote [^a] is defined a second time" in caught.value.message
    assert caught.value.path.name == "text.md" and caught.value.line == 5


def test_an_id_written_twice_is_refused_in_the_right_file(tmp_path):
    folder = tmp_path / "m"
    texts = {"01_one_md": "# One {#same}\n\nText.\n", "02_two_md": "Text.\n\n# Two {#same}\n"}
    with pytest.raises(PipelineError) as caught:
        parse(manuscript_of(folder, **texts))
    assert "gives the id #same a second time (first at 01-one.md:1)" in caught.value.message
    assert caught.value.path.name == "02-two.md" and caught.value.line == 3


def test_an_id_equal_to_one_pandoc_made_up_is_renamed_with_a_warning(tmp_path):
    text = "# Notes\n\nText.\n\n# Later {#notes}\n"
    document = parse(manuscript_of(tmp_path / "m", text_md=text))
    assert [h.id for h in document.headings] == ["notes", "notes-2"]
    assert any("text.md:5: two elements have the id #notes" in w for w in document.warnings)


def test_pandoc_warnings_become_document_warnings_with_file_and_line(tmp_path):
    first = "Opening.[^used]\n\n::: aside\nA div never closed.\n"
    second = "Math $\\foo{x}$ here.\n\n[^used]: Used.\n\n[^spare]: Never called.\n"
    document = parse(manuscript_of(tmp_path / "m", **{"01_a_md": first, "02_b_md": second}))
    warnings = "\n".join(document.warnings)
    assert "01-a.md:3: a div opened here (::: or <div>) is never closed" in warnings
    assert "02-b.md:5: footnote [^spare] is defined but never called" in warnings
    assert "02-b.md:1: the TeX math '\\foo{x}' cannot be converted" in warnings
    assert [n.text for n in document.notes] == ["Used."]


def test_math_left_as_tex_gets_a_class_for_the_stylesheets(tmp_path):
    document = parse(manuscript_of(tmp_path / "m", text_md="Math $\\foo{x}$ here.\n"))
    (span,) = document.body.find_class("tex-source")
    assert span.tag == "span" and "math" in span.get("class").split()
    assert span.text_content() == "$\\foo{x}$"


def test_raw_latex_blocks_and_inlines_are_reported(tmp_path):
    text = "Text.\n\n```{=latex}\n\\newpage\n```\n\nAn inline `\\hfill`{=typst} and \\emph{x}.\n"
    document = parse(manuscript_of(tmp_path / "m", text_md=text))
    warnings = "\n".join(document.warnings)
    assert "text.md:4: removed a LaTeX block ('\\newpage')" in warnings
    assert "text.md:7: removed a Typst inline ('\\hfill')" in warnings
    assert "text.md:7: removed a LaTeX inline ('\\emph{x}')" in warnings


def test_warnings_survive_a_cache_hit(tmp_path):
    from pipeline.cache import Cache

    manuscript = manuscript_of(tmp_path / "m", text_md="Text.\n\n[^spare]: Never called.\n")
    cache = Cache(tmp_path / "cache")
    fresh = parse(manuscript, cache)
    assert len(list((tmp_path / "cache").glob("pandoc-*"))) == 1
    kept = parse(manuscript, cache)
    assert fresh.warnings == kept.warnings
    assert any("[^spare] is defined but never called" in w for w in kept.warnings)


def test_a_missing_image_in_a_note_is_refused_with_its_line(tmp_path):
    text = "A call.[^n]\n\n[^n]: A note with ![a picture](images/none.png).\n"
    with pytest.raises(PipelineError) as caught:
        parse(manuscript_of(tmp_path / "m", text_md=text))
    assert "image 'images/none.png' does not exist" in caught.value.message
    assert caught.value.path.name == "text.md" and caught.value.line == 3


def test_other_pandoc_warnings_pass_through_with_their_place(tmp_path):
    text = "A [link][r].\n\n[r]: https://example.org/a\n[r]: https://example.org/b\n"
    document = parse(manuscript_of(tmp_path / "m", text_md=text))
    assert any(
        w.endswith("text.md:4: pandoc: Duplicate link reference '[r]'") for w in document.warnings
    ), document.warnings
