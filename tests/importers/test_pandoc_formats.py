"""DOCX, ODT and HTML sources imported through real pandoc and the command line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline.checks.extract import read_html
from pipeline.metadata import load_metadata
from tests.importers.support import invoke, markdown_blocks, pandoc, rewrite_member, tiny_png

SAMPLE_BLOCKS = ["Header", "Para", "BlockQuote", "BulletList", "Table", "Figure", "Header", "Para"]


def import_into(source: Path, target: Path, *options: str) -> str:
    result = invoke("import", str(source), "--into", str(target), *options)
    assert result.exit_code == 0, result.output
    return result.output


def text_of(folder: Path) -> str:
    return (folder / "text.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def docx_manuscript(samples, tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("docx") / "manuscript"
    import_into(samples["docx"], target)
    return target


def test_docx_keeps_the_structure_of_the_text(docx_manuscript):
    blocks = markdown_blocks(docx_manuscript / "text.md")
    assert [b["t"] for b in blocks] == SAMPLE_BLOCKS
    assert [b["c"][0] for b in blocks if b["t"] == "Header"] == [1, 1]
    text = text_of(docx_manuscript)
    for expected in (
        "# First section",
        "Some *emphasis* and **strong** text with a note.[^1]",
        "> A block quotation that stands apart.",
        "- item one\n- item two",
        "| Head A | Head B |",
        "[^1]: The note text.",
    ):
        assert expected in text


def test_docx_images_are_extracted_with_their_alt_text(docx_manuscript):
    assert "![A red dot](images/image-1.png)" in text_of(docx_manuscript)
    assert "width=" not in text_of(docx_manuscript)
    assert (docx_manuscript / "images" / "image-1.png").read_bytes() == tiny_png()


def test_docx_metadata_comes_from_the_document(docx_manuscript):
    metadata = load_metadata(docx_manuscript / "metadata.yaml")
    assert metadata.title == "A Test Pamphlet"
    assert metadata.authors == ["Ada Writer"]
    assert metadata.lang == "fr-FR"
    assert metadata.slug == "a-test-pamphlet"
    assert "A Test Pamphlet" not in text_of(docx_manuscript)


def test_docx_import_gets_a_bibliography_stub(docx_manuscript):
    stub = (docx_manuscript / "references.bib").read_text(encoding="utf-8").splitlines()
    assert stub and all(line.startswith("% ") for line in stub)


def test_docx_import_builds(docx_manuscript, tmp_path):
    result = invoke("build", str(docx_manuscript), "-o", str(tmp_path), "-f", "html", "-q")
    assert result.exit_code == 0, result.output
    edition = read_html(tmp_path / "a-test-pamphlet.html")
    assert edition.notes == ["The note text."]
    assert "First section" in edition.headings and "Second section" in edition.headings


def test_docx_title_and_author_from_core_properties(tmp_path):
    shutil.copy(Path(__file__).parents[1] / "fixtures" / "import" / "sample.md", tmp_path)
    (tmp_path / "dot.png").write_bytes(tiny_png())
    pandoc("sample.md", "-o", "plain.docx", cwd=tmp_path)
    rewrite_member(
        tmp_path / "plain.docx",
        "docProps/core.xml",
        lambda xml: xml.replace(
            b"<dc:title></dc:title>", b"<dc:title>Core Title</dc:title>"
        ).replace(b"<dc:creator></dc:creator>", b"<dc:creator>Core Author</dc:creator>"),
    )
    import_into(tmp_path / "plain.docx", tmp_path / "out")
    metadata = load_metadata(tmp_path / "out" / "metadata.yaml")
    assert (metadata.title, metadata.authors) == ("Core Title", ["Core Author"])
    assert metadata.lang == "en-US"


@pytest.fixture(scope="module")
def odt_with_alt_text(samples, tmp_path_factory) -> Path:
    """The sample ODT with alternative text on its picture, as LibreOffice stores it."""
    odt = tmp_path_factory.mktemp("odt") / "described.odt"
    shutil.copy(samples["odt"], odt)
    rewrite_member(
        odt,
        "content.xml",
        lambda xml: xml.replace(b"</draw:frame>", b"<svg:desc>A red dot</svg:desc></draw:frame>"),
    )
    return odt


def test_odt_keeps_the_structure_and_metadata(odt_with_alt_text, tmp_path):
    import_into(odt_with_alt_text, tmp_path / "out")
    blocks = markdown_blocks(tmp_path / "out" / "text.md")
    kinds = [b["t"] for b in blocks]
    for kind in ("Header", "BlockQuote", "BulletList", "Table", "Figure"):
        assert kind in kinds
    assert kinds[0] == "Header"
    text = text_of(tmp_path / "out")
    assert "*emphasis*" in text and "[^1]: The note text." in text
    assert "![A red dot](images/image-1.png)" in text
    assert (tmp_path / "out" / "images" / "image-1.png").read_bytes() == tiny_png()
    metadata = load_metadata(tmp_path / "out" / "metadata.yaml")
    assert (metadata.title, metadata.authors, metadata.lang) == (
        "A Test Pamphlet",
        ["Ada Writer"],
        "fr-FR",
    )


def test_odt_picture_without_alt_text_is_reported(samples, tmp_path):
    output = import_into(samples["odt"], tmp_path / "out")
    assert "![](images/image-1.png)" in text_of(tmp_path / "out")
    assert "image has no alternative text [manuscript.image-alt]" in output


@pytest.fixture(scope="module")
def html_import(samples, tmp_path_factory) -> tuple[Path, str]:
    target = tmp_path_factory.mktemp("html") / "manuscript"
    return target, import_into(samples["html"], target)


def test_html_metadata_from_title_meta_and_lang(html_import):
    target, _ = html_import
    metadata = load_metadata(target / "metadata.yaml")
    assert metadata.title == "Ein kleines Heft"
    assert metadata.authors == ["Berta Schreiber"]
    assert metadata.lang == "de"
    assert metadata.get("description") == "Ein Heft zum Testen."


def test_html_text_drops_the_title_and_page_wrappers(html_import):
    target, _ = html_import
    text = text_of(target)
    assert "Ein kleines Heft" not in text
    assert text.startswith("# Der Anfang\n")
    assert "# Das Ende {#ende}" in text and "[das Ende](#ende)" in text
    assert "*Betonung*" in text and "[^1]: Der Text der Fußnote." in text
    assert ":::" not in text and "<" not in text and "wrapper" not in text


def test_html_images_are_copied_from_the_page_folder(html_import):
    target, output = html_import
    assert "![Ein roter Punkt](images/dot.png)" in text_of(target)
    assert (target / "images" / "dot.png").read_bytes() == tiny_png()
    assert "Eingebettet: ![Zwei mal zwei](images/image-2.png)" in text_of(target)
    assert (target / "images" / "image-2.png").read_bytes() == tiny_png(2, 2)
    assert "https://example.org/remote.png is on the web: the editions link to it" in output


def test_html_lang_option_wins(samples, tmp_path):
    import_into(samples["html"], tmp_path / "out", "--lang", "de-AT")
    assert load_metadata(tmp_path / "out" / "metadata.yaml").lang == "de-AT"
