"""The print layout is made once per build and kept: the PDF, the booklet and the EPUB's
page list read the same pages, and a later build that needs only some of them reads the
kept layout instead of laying pages out again."""

import shutil

import pymupdf

from pipeline.build import build
from pipeline.document import parse
from pipeline.layout import stage
from pipeline.manuscript import load_manuscript
from tests.conftest import ROOT, SMALL
from tests.editions.epub.support import Epub

LAYING_OUT = "laying out the print pages"


def stages(manuscript, out, formats, styles=None) -> list[str]:
    messages: list[str] = []
    build(manuscript, formats, out_dir=out, styles=styles, progress=messages.append)
    return messages


def test_one_layout_serves_every_edition_of_a_build(tmp_path):
    messages = stages(SMALL, tmp_path, ["pdf", "booklet", "epub"])
    assert messages.count(LAYING_OUT) == 1


def test_later_builds_read_the_kept_layout(tmp_path):
    stages(SMALL, tmp_path / "out", ["pdf", "booklet", "epub", "html"])
    whole = Epub(tmp_path / "out" / "small-pamphlet.epub")
    (tmp_path / "out" / "small-pamphlet.epub").unlink()
    (tmp_path / "out" / "small-pamphlet-booklet.pdf").unlink()
    assert LAYING_OUT not in stages(SMALL, tmp_path / "out", ["epub"])
    assert LAYING_OUT not in stages(SMALL, tmp_path / "out", ["booklet"])
    again = Epub(tmp_path / "out" / "small-pamphlet.epub")
    assert again.nav_list("page-list") == whole.nav_list("page-list")
    assert (tmp_path / "out" / "small-pamphlet-booklet.pdf").is_file()


def test_a_print_style_change_lays_the_pages_out_again(tmp_path):
    styles = tmp_path / "styles"
    shutil.copytree(ROOT / "styles", styles)
    stages(SMALL, tmp_path / "out", ["pdf"], styles)
    with (styles / "print.css").open("a") as css:
        css.write("\nh2 { color: #222; }\n")
    assert LAYING_OUT in stages(SMALL, tmp_path / "out", ["epub"], styles)


def test_the_layout_summary_matches_its_pdf():
    pages = stage.lay_out(parse(load_manuscript(SMALL)))
    with pymupdf.open(stream=pages.pdf, filetype="pdf") as pdf:
        count = pdf.page_count
    assert pages.layout.page_count == count
    assert pages.layout.block_pages, "every numbered block has a page"
    assert set(pages.layout.block_pages.values()) <= set(range(1, count + 1))
    assert max(pages.layout.page_tops) <= count


def test_the_print_edition_carries_the_identifiers_the_epub_has(tmp_path):
    import zipfile

    import lxml.etree

    from tests.conftest import FIXTURES

    built = {e.name: e.path for e in build(FIXTURES / "long-note", ["pdf", "epub"], tmp_path)}
    with pymupdf.open(built["pdf"]) as pdf:
        info = pdf.xref_object(int(pdf.xref_get_key(-1, "Info")[1].split()[0]))
    with zipfile.ZipFile(built["epub"]) as book:
        package = lxml.etree.fromstring(book.read("EPUB/content.opf"))
    namespaces = {"dc": "http://purl.org/dc/elements/1.1/"}
    (identifier,) = package.xpath("//dc:identifier/text()", namespaces=namespaces)
    assert "/isbn (978-0-00-000000-2)" in info
    assert f"/ebookidentifier ({identifier})" in info
