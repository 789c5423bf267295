"""The EPUB's package files come from the templates in styles/templates/epub/."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from pipeline.document import parse
from pipeline.editions.epub import assemble
from pipeline.editions.epub.nav import Landmark, Navigation, nav_document
from pipeline.errors import PipelineError
from pipeline.layout import PrintLayout
from pipeline.manuscript import load_manuscript
from pipeline.matter import NavPoint

GOLDEN = Path(__file__).parent / "golden"
MODIFIED = re.compile(rb'<meta property="dcterms:modified">[^<]*</meta>')


def member(epub: Path, name: str) -> bytes:
    with zipfile.ZipFile(epub) as archive:
        return archive.read(f"EPUB/{name}")


@pytest.mark.parametrize("name", ["nav.xhtml", "toc.ncx"])
def test_navigation_files_are_the_golden_ones(name, small_editions):
    assert member(small_editions["epub"], name) == (GOLDEN / f"small-{name}").read_bytes()


def test_package_document_is_the_golden_one(small_editions):
    built = member(small_editions["epub"], "content.opf")
    golden = (GOLDEN / "small-content.opf").read_bytes()
    assert MODIFIED.search(built), "no dcterms:modified"
    assert MODIFIED.sub(b"", built) == MODIFIED.sub(b"", golden)


def navigation() -> Navigation:
    return Navigation(
        title="T",
        lang="en",
        identifier="urn:x",
        authors=[],
        toc=[NavPoint("One", "text/chapter-01.xhtml", [NavPoint("Two", "text/a.xhtml#b")])],
        landmarks=[Landmark("cover", "Cover", "text/cover.xhtml")],
        pages=[],
    )


def test_the_manuscripts_own_template_overrides_the_shared_one(small_copy):
    own = small_copy / "styles" / "templates" / "epub"
    own.mkdir(parents=True)
    (own / "nav.xhtml").write_text(
        '<html xmlns="http://www.w3.org/1999/xhtml" lang="{{ lang }}"><head><title>{{ title }}'
        '</title></head>\n  <body><p class="own">{{ labels.contents }}</p></body></html>\n',
        encoding="utf-8",
    )
    markup = nav_document(navigation(), load_manuscript(small_copy)).decode()
    assert '<body><p class="own">Contents</p></body>' in markup
    assert "chapter-01" not in markup


def test_nested_entries_keep_their_nesting_in_the_navigation(small_copy):
    markup = nav_document(navigation(), load_manuscript(small_copy)).decode()
    assert (
        '<ol><li><a href="text/chapter-01.xhtml">One</a><ol><li><a href="text/a.xhtml#b">Two'
        "</a></li></ol></li></ol>"
    ) in markup
    assert '<li><a epub:type="cover" href="text/cover.xhtml">Cover</a></li>' in markup


def test_a_template_that_is_not_well_formed_stops_the_build_naming_it(small_copy):
    own = small_copy / "styles" / "templates" / "epub"
    own.mkdir(parents=True)
    (own / "toc.ncx").write_text("<ncx><navMap></ncx>\n", encoding="utf-8")
    with pytest.raises(PipelineError) as raised:
        assemble(parse(load_manuscript(small_copy)), PrintLayout())
    assert raised.value.path == own / "toc.ncx"
    assert "well-formed" in raised.value.message


def test_a_template_using_a_value_it_is_not_given_is_an_error(small_copy):
    own = small_copy / "styles" / "templates" / "epub"
    own.mkdir(parents=True)
    (own / "nav.xhtml").write_text("<html>{{ no_such_value }}</html>\n", encoding="utf-8")
    with pytest.raises(PipelineError, match="no_such_value"):
        nav_document(navigation(), load_manuscript(small_copy))
