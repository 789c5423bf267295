import json
import shutil
from pathlib import Path

import pymupdf
import pytest
from click.testing import CliRunner

from pipeline.build import build
from pipeline.checks.extract import read_epub, read_html, read_pdf
from pipeline.cli import cli
from pipeline.document import parse
from pipeline.errors import PipelineError
from pipeline.files import STYLES_DIR
from pipeline.manuscript import load_manuscript
from tests.conftest import FIXTURES, SEED, SMALL

SINGLE = FIXTURES / "single-file"
ESSAY = SINGLE / "essay.md"
FRONT_MATTER_FOLDER = FIXTURES / "front-matter-folder"


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


def split_front_matter(path: Path) -> tuple[str, str]:
    """The YAML between a Markdown file's fences, and the text after them."""
    lines = path.read_text(encoding="utf-8").split("\n")
    end = next(i for i, line in enumerate(lines[1:], 1) if line in ("---", "..."))
    return "\n".join(lines[1:end]) + "\n", "\n".join(lines[end + 1 :]).lstrip("\n")


@pytest.fixture
def essay_copy(tmp_path: Path) -> Path:
    """A private copy of the single-file fixture; the path of its essay.md."""
    shutil.copytree(SINGLE, tmp_path / "essay")
    return tmp_path / "essay" / "essay.md"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_single_file_is_a_manuscript():
    manuscript = load_manuscript(ESSAY)
    assert manuscript.root == SINGLE.resolve()
    assert [t.path for t in manuscript.texts] == [ESSAY.resolve()]
    assert manuscript.metadata.path == ESSAY.resolve()
    assert manuscript.metadata.title == "On Folding a Sheet"
    assert manuscript.slug == "on-folding-a-sheet"
    assert manuscript.bibliography == (SINGLE / "essay.bib").resolve()
    assert manuscript.csl == (STYLES_DIR / "csl" / "chicago-notes.csl").resolve()
    assert manuscript.metadata.line_of("bibliography") == 8


def test_inputs_list_the_markdown_file_once_as_text_and_metadata():
    inputs = load_manuscript(ESSAY).inputs
    assert inputs.count(ESSAY.resolve()) == 1
    assert (SINGLE / "essay.bib").resolve() in inputs


def test_single_file_reads_only_the_bibliography_it_names(essay_copy):
    edit(essay_copy, "bibliography: essay.bib\n", "")
    edit(essay_copy, " [@gaskell-introduction, 80]", "")
    edit(essay_copy, " [see @gaskell-introduction]", "")
    shutil.copy(SMALL / "references.bib", essay_copy.parent / "references.bib")
    assert load_manuscript(essay_copy).bibliography is None


def test_single_file_slug_comes_from_the_title_without_a_slug(essay_copy):
    edit(essay_copy, "slug: on-folding-a-sheet\n", "")
    edit(essay_copy, "title: On Folding a Sheet", "title: Folding, Once and Twice")
    assert load_manuscript(essay_copy).slug == "folding-once-and-twice"


def test_front_matter_csl_is_found_beside_the_file(essay_copy):
    shutil.copy(STYLES_DIR / "csl" / "chicago-notes.csl", essay_copy.parent / "house.csl")
    edit(essay_copy, "csl: chicago-notes", "csl: house.csl")
    assert load_manuscript(essay_copy).csl == (essay_copy.parent / "house.csl").resolve()


def test_front_matter_bibliography_outside_the_folder_is_refused(essay_copy):
    edit(essay_copy, "bibliography: essay.bib", "bibliography: ../../etc/passwd")
    with pytest.raises(PipelineError, match="outside the manuscript") as caught:
        load_manuscript(essay_copy)
    assert (caught.value.path, caught.value.line) == (essay_copy.resolve(), 8)


def test_image_outside_the_files_folder_is_refused(essay_copy):
    edit(essay_copy, "(images/folds.svg)", "(../secret.svg)")
    (essay_copy.parent.parent / "secret.svg").write_text("<svg/>")
    with pytest.raises(PipelineError, match="outside the manuscript") as caught:
        parse(load_manuscript(essay_copy))
    assert caught.value.path == essay_copy.resolve() and caught.value.line == 20


def test_front_matter_lines_are_not_note_calls(essay_copy):
    edit(essay_copy, "subtitle: A short essay in one file", 'subtitle: "See [^nowhere]"')
    assert load_manuscript(essay_copy).metadata.get("subtitle") == "See [^nowhere]"


def test_folder_whose_text_has_front_matter():
    manuscript = load_manuscript(FRONT_MATTER_FOLDER)
    text = (FRONT_MATTER_FOLDER / "text.md").resolve()
    assert manuscript.metadata.path == text
    assert [t.path for t in manuscript.texts] == [text]
    assert manuscript.metadata.lang == "en-GB"
    assert manuscript.slug == "notes-from-the-bindery"
    assert manuscript.bibliography == (FRONT_MATTER_FOLDER / "references.bib").resolve()


def test_folder_with_metadata_yaml_and_front_matter_is_refused(tmp_path):
    folder = tmp_path / "both"
    shutil.copytree(FRONT_MATTER_FOLDER, folder)
    (folder / "metadata.yaml").write_text("title: Another title\n")
    with pytest.raises(PipelineError) as caught:
        load_manuscript(folder)
    error = caught.value
    assert (error.path, error.line) == ((folder / "text.md").resolve(), 1)
    assert "metadata.yaml" in error.message and "one of the two" in error.message


def test_metadata_yaml_folder_may_open_its_text_with_a_rule(small_copy):
    """A line --- with a blank line after it is a horizontal rule, not front matter."""
    text = small_copy / "text.md"
    text.write_text("---\n\n" + text.read_text())
    assert load_manuscript(small_copy).metadata.title == "A Small Pamphlet"


def test_front_matter_folder_with_numbered_texts_is_refused(tmp_path):
    folder = tmp_path / "numbered"
    shutil.copytree(FRONT_MATTER_FOLDER, folder)
    (folder / "01-more.md").write_text("More text.\n")
    with pytest.raises(PipelineError, match=r"01-more\.md would be left out") as caught:
        load_manuscript(folder)
    assert caught.value.path == (folder / "text.md").resolve()


def test_folder_without_metadata_nor_front_matter(small_copy):
    (small_copy / "metadata.yaml").unlink()
    with pytest.raises(PipelineError, match=r"nor a text\.md that opens with front matter"):
        load_manuscript(small_copy)


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


BAD_FRONT_MATTER = {
    "unclosed": (
        "---\ntitle: T\n\nText.\n",
        1,
        "opens front matter with --- but no line --- or ... closes it",
    ),
    "not-a-map": ("---\n- a\n- b\n---\n\nText.\n", 2, "front matter must be a map"),
    "no-front-matter": ("Text.\n", 1, "has no front matter"),
    "no-title": ("---\nauthor: A\n...\n\nText.\n", 1, "front matter has no 'title'"),
    "text-key": ("---\ntitle: T\ntext: [a.md]\n---\n\nText.\n", 3, "'text' lists the text"),
    "section-title": (
        "---\ntitle: T\nreference-section-title: Works\n---\n\nText.\n",
        3,
        "'reference-section-title' cannot be set in front matter",
    ),
    "citation": (
        "---\ntitle: T\nprint:\n  toc: true\nsubtitle: After [@marx, 3]\n---\n\nText.\n",
        5,
        "'subtitle' cites @marx",
    ),
}


@pytest.mark.parametrize("name", sorted(BAD_FRONT_MATTER))
def test_bad_front_matter_is_one_sentence_with_file_and_line(name, tmp_path):
    source, line, message = BAD_FRONT_MATTER[name]
    path = tmp_path / "essay.md"
    path.write_text(source, encoding="utf-8")
    result = run("build", str(path), "--output-dir", str(tmp_path / "build"), "--quiet")
    assert result.exit_code == 2
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1
    assert errors[0].startswith(f"error: {path.resolve()}:{line}: ")
    assert message in errors[0]
    assert not (tmp_path / "build").exists() or not any((tmp_path / "build").glob("*.pdf"))


def test_keys_meant_for_other_tools_are_passed_over_with_a_warning(tmp_path):
    path = tmp_path / "essay.md"
    source = "---\ntitle: T\nlayout: lesson\ntags: [a, b]\nslug: My-Lesson\n---\n\nText.\n"
    path.write_text(source, encoding="utf-8")
    result = run("build", str(path), "--output-dir", str(tmp_path / "build"), "--format", "html")
    assert result.exit_code == 0, result.output
    assert f"{path.resolve()}:3: passes over 'layout'" in result.output
    assert f"{path.resolve()}:4: passes over 'tags'" in result.output
    assert f"{path.resolve()}:5: uses the slug 'my-lesson'" in result.output
    assert (tmp_path / "build" / "my-lesson.html").is_file()
    strict = run("build", str(path), "-o", str(tmp_path / "strict"), "--format", "html", "--strict")
    assert strict.exit_code == 2
    assert "passes over 'layout'" in strict.output and "--strict" in strict.output


def test_an_unknown_key_in_metadata_yaml_is_still_an_error(small_copy):
    with (small_copy / "metadata.yaml").open("a", encoding="utf-8") as metadata:
        metadata.write("layout: lesson\n")
    with pytest.raises(PipelineError, match="unknown key 'layout'"):
        load_manuscript(small_copy)


def test_email_address_in_front_matter_is_not_a_citation(essay_copy):
    edit(essay_copy, "author: Lena Marsh", "author: Lena Marsh\nrights: lena@example.org")
    assert load_manuscript(essay_copy).metadata.get("rights") == "lena@example.org"


def test_a_file_that_is_not_markdown_is_refused():
    result = run("build", str(SMALL / "metadata.yaml"), "--quiet")
    assert result.exit_code == 2
    assert "give its folder, or a Markdown (.md) file" in result.output


def test_slug_command_takes_a_file_and_a_front_matter_folder():
    assert run("slug", str(ESSAY)).output == "on-folding-a-sheet\n"
    assert run("slug", str(FRONT_MATTER_FOLDER)).output == "notes-from-the-bindery\n"


FORMS = ("single-file", "front-matter-folder", "metadata-yaml")


@pytest.fixture(scope="module")
def three_forms(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Path]]:
    """The single-file fixture built as it is, as a folder whose text.md carries the front
    matter, and as a folder with metadata.yaml and text.md; with SOURCE_DATE_EPOCH set."""
    work = tmp_path_factory.mktemp("three-forms")
    yaml_text, body = split_front_matter(ESSAY)
    front_matter_folder = work / "front-matter-folder"
    shutil.copytree(SINGLE, front_matter_folder)
    (front_matter_folder / "essay.md").rename(front_matter_folder / "text.md")
    metadata_folder = work / "metadata-yaml"
    shutil.copytree(SINGLE, metadata_folder)
    (metadata_folder / "essay.md").unlink()
    (metadata_folder / "metadata.yaml").write_text(yaml_text, encoding="utf-8")
    (metadata_folder / "text.md").write_text(body, encoding="utf-8")
    sources = dict(zip(FORMS, (ESSAY, front_matter_folder, metadata_folder), strict=True))
    built = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "1700000000")
        for form, source in sources.items():
            editions = build(source, ["pdf", "epub", "html"], work / f"{form}-build")
            built[form] = {edition.name: edition.path for edition in editions}
    return built


@pytest.mark.parametrize("form", FORMS[1:])
def test_every_form_builds_the_same_editions(three_forms, form):
    single, other = three_forms["single-file"], three_forms[form]
    assert {name: path.name for name, path in other.items()} == {
        "pdf": "on-folding-a-sheet.pdf",
        "epub": "on-folding-a-sheet.epub",
        "html": "on-folding-a-sheet.html",
    }
    for name, read in (("epub", read_epub), ("html", read_html)):
        expected, found = read(single[name]), read(other[name])
        assert found.text == expected.text
        assert found.notes == expected.notes
        assert len(found.notes) == 4
        assert found.bibliography == expected.bibliography
    assert "Fold a sheet once" in read_html(other["html"]).text
    assert "title: On Folding" not in read_html(other["html"]).text
    assert page_count(other["pdf"]) == page_count(single["pdf"]) == 4
    assert read_pdf(other["pdf"]).notes == read_pdf(single["pdf"]).notes
    for name in ("pdf", "epub", "html"):
        assert other[name].read_bytes() == single[name].read_bytes(), name


def page_count(path: Path) -> int:
    with pymupdf.open(path) as pdf:
        return pdf.page_count


def test_check_takes_a_single_file(three_forms):
    build_dir = three_forms["single-file"]["html"].parent
    only = ("--only", "manuscript", "--only", "cross")
    result = run("check", str(ESSAY), "--build-dir", str(build_dir), *only, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["errors"] == 0 and report["warnings"] == 0
    assert set(report["checked"]) == {"manuscript", "pdf", "epub", "html"}
