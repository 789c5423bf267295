import pytest

from pipeline.errors import PipelineError
from pipeline.manuscript import load_manuscript
from tests.conftest import SEED, SMALL


def test_seed_manuscript_files_are_found():
    manuscript = load_manuscript(SEED)
    assert [t.path.name for t in manuscript.texts] == ["text.md"]
    assert manuscript.bibliography and manuscript.bibliography.name == "references.bib"
    assert manuscript.csl.name == "chicago-notes.csl"
    assert manuscript.slug == "communist-fractions-1922-3"


def test_numbered_text_files_are_read_in_order(small_copy):
    text = (small_copy / "text.md").read_text()
    (small_copy / "text.md").unlink()
    (small_copy / "02-end.md").write_text("The end.\n")
    (small_copy / "01-start.md").write_text(text)
    manuscript = load_manuscript(small_copy)
    assert [t.path.name for t in manuscript.texts] == ["01-start.md", "02-end.md"]


def test_missing_metadata(small_copy):
    (small_copy / "metadata.yaml").unlink()
    with pytest.raises(PipelineError, match=r"has no metadata\.yaml"):
        load_manuscript(small_copy)


def test_missing_folder(tmp_path):
    with pytest.raises(PipelineError, match="not a manuscript folder"):
        load_manuscript(tmp_path / "nowhere")


def test_undefined_footnote_names_file_and_line(small_copy):
    path = small_copy / "text.md"
    path.write_text(path.read_text() + "\nA dangling call.[^ghost]\n")
    with pytest.raises(PipelineError) as caught:
        load_manuscript(small_copy)
    error = caught.value
    assert error.path == path.resolve()
    assert error.line == len(path.read_text().splitlines())
    assert "[^ghost]" in error.message


def test_footnote_call_in_code_is_not_a_call(small_copy):
    path = small_copy / "text.md"
    path.write_text(path.read_text() + "\nWrite `[^label]` to call a note.\n\n```\n[^x]\n```\n")
    load_manuscript(small_copy)


def test_bibliography_outside_the_manuscript_is_refused(small_copy):
    meta = small_copy / "metadata.yaml"
    meta.write_text(meta.read_text() + "bibliography: ../../etc/passwd\n")
    with pytest.raises(PipelineError, match="outside the manuscript"):
        load_manuscript(small_copy)


def test_small_fixture_loads():
    assert load_manuscript(SMALL).metadata.title == "A Small Pamphlet"
