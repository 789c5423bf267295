"""The print edition's pages in the EPUB: page-break markers and the page list."""

from __future__ import annotations

import pymupdf

import pipeline.build
from pipeline.build import build
from pipeline.checks.extract import NS, comparable
from pipeline.document import BLOCK_ATTRIBUTE
from pipeline.editions.epub.pages import place_page_breaks
from pipeline.editions.epub.xhtml import ContentDocument
from pipeline.layout import PageTop, PrintLayout
from pipeline.markup import fragment
from tests.conftest import SMALL
from tests.editions.epub.support import Epub

PAGEBREAK = "//x:span[@epub:type='pagebreak']"
PAGE_TOP = 160
"""How far into a page's text (letters and digits) its first line may start: the running
head comes first."""


def markers_in_reading_order(book: Epub) -> list[tuple[str, object]]:
    return [
        (name, span)
        for name, root in book.documents.items()
        for span in root.xpath(PAGEBREAK, namespaces=NS)
    ]


def test_page_list_has_an_entry_for_every_print_page(seed_editions):
    book = Epub(seed_editions["epub"])
    with pymupdf.open(seed_editions["pdf"]) as pdf:
        page_count = pdf.page_count
    entries = book.nav_list("page-list")
    assert [label for label, _href in entries] == [str(n) for n in range(1, page_count + 1)]
    for label, href in entries:
        span = book.target(href)
        assert span.get(f"{{{NS['epub']}}}type") == "pagebreak"
        assert span.get("role") == "doc-pagebreak"
        assert span.get("aria-label") == label
    in_order = [span.get("aria-label") for _name, span in markers_in_reading_order(book)]
    assert in_order == [label for label, _href in entries]
    page_list = book.nav.xpath("//x:nav[@epub:type='page-list']", namespaces=NS)[0]
    assert page_list.get("role") == "doc-pagelist"


def test_each_marker_stands_where_its_print_page_begins(seed_editions):
    """The words after marker N open print page N (the first word may have begun on the
    page before, hyphenated); the markers for pages before the text are on the title
    page."""
    book = Epub(seed_editions["epub"])
    with pymupdf.open(seed_editions["pdf"]) as pdf:
        pages = [comparable(page.get_text()) for page in pdf]
    for name, span in markers_in_reading_order(book):
        number = int(span.get("aria-label"))
        following = " ".join(span.xpath("following::text()")[:12]).split()
        if name == "text/title-page.xhtml":
            assert comparable(following[0]) in pages[0]
            continue
        words = comparable(" ".join(following[1:]))[:30]
        where = pages[number - 1].find(words)
        assert 0 <= where < PAGE_TOP, f"page {number}: {words!r} is not at its top ({where})"


def content(file_name: str, markup: str) -> ContentDocument:
    document = ContentDocument(file_name, "A part", "bodymatter")
    document.body.append(fragment(markup.replace("data-block", BLOCK_ATTRIBUTE))[0])
    return document


def words_after(document: ContentDocument, page: int) -> tuple[str, str]:
    """The tag of the marker's parent, and the first words that follow the marker."""
    span = document.body.xpath(f".//span[@id='page-{page}']")[0]
    following = [t.strip() for t in span.xpath("following::text()") if t.strip()]
    return span.getparent().tag, following[0]


def test_pages_starting_inside_a_list_or_a_long_paragraph_get_their_markers():
    front = content("text/title-page.xhtml", '<section epub:type="titlepage"><h1>T</h1></section>')
    text = content(
        "text/chapter-01.xhtml",
        '<section><p data-block="1">Opening.</p>'
        '<ul data-block="2"><li data-block="5">First item</li>'
        '<li data-block="6">Second item</li><li data-block="7">Third item</li></ul>'
        '<p data-block="3">A long paragraph running over three pages.</p>'
        '<p data-block="4">Closing.</p></section>',
    )
    pages = {1: 2, 2: 2, 5: 2, 6: 2, 7: 3, 3: 4, 4: 7}
    targets = place_page_breaks([front, text], PrintLayout(block_pages=pages, page_count=7))
    assert [(t.number, t.file_name) for t in targets] == [
        (1, front.file_name),
        *((n, text.file_name) for n in range(2, 8)),
    ]
    assert words_after(front, 1) == ("section", "T")
    assert words_after(text, 2) == ("section", "Opening.")
    assert words_after(text, 3) == ("li", "Third item")
    for page in (4, 5, 6):
        assert words_after(text, page) == ("section", "A long paragraph running over three pages.")
    assert words_after(text, 7) == ("section", "Closing.")
    ids = [span.get("id") for span in text.body.iter("span")]
    assert ids == [f"page-{n}" for n in range(2, 8)]


def test_a_page_that_begins_inside_a_block_is_marked_at_its_first_word():
    front = content("text/title-page.xhtml", '<section epub:type="titlepage"><h1>T</h1></section>')
    text = content(
        "text/chapter-01.xhtml",
        '<section><p data-block="1">One two <em>three</em> four five. Six seven eight nine'
        ' ten.<a href="#fn1" class="footnote-ref">1</a> Eleven twelve.</p>'
        '<ul data-block="2"><li data-block="4">An item whose words run over a page:'
        " the words after the break.</li></ul>"
        '<p data-block="3">Closing words.</p></section>',
    )
    tops = {
        3: PageTop(1, None, "ven eight nine ten. Eleven twelve."),
        4: PageTop(4, None, "the words after the break."),
        5: PageTop(3, None, "Closing words."),
        6: PageTop(3, None, "words that are nowhere"),
    }
    layout = PrintLayout(block_pages={1: 2, 2: 3, 4: 3, 3: 5}, page_count=6, page_tops=tops)
    place_page_breaks([front, text], layout)
    paragraph, closing = text.body[0].xpath("./p")
    assert words_after(text, 3) == ("p", "seven eight nine ten.")
    assert words_after(text, 4) == ("li", "the words after the break.")
    assert words_after(text, 5) == ("section", "Closing words.")
    assert words_after(text, 6) == ("section", "Closing words.")
    assert [s.get("id") for s in closing.itersiblings(preceding=True)][:2] == ["page-6", "page-5"]
    whole = "One two three four five. Six seven eight nine ten.1 Eleven twelve."
    assert paragraph.text_content() == whole


def test_epub_alone_lays_out_the_print_pages_as_the_pdf_build_does(small_editions, tmp_path):
    with_pdf = Epub(small_editions["epub"])
    alone = Epub(build(SMALL, ["epub"], tmp_path)[0].path)
    assert alone.nav_list("page-list") == with_pdf.nav_list("page-list")
    with pymupdf.open(small_editions["pdf"]) as pdf:
        assert len(alone.nav_list("page-list")) == pdf.page_count


def test_accessibility_metadata_names_the_page_source(epub_builds):
    book = Epub(epub_builds["seed"])
    assert book.metadata("pageBreakSource") == [
        "1922–3: The communist fractions against the rising counter-revolution, "
        "print edition (A5 PDF)"
    ]
    features = book.metadata("schema:accessibilityFeature")
    assert {"printPageNumbers", "pageBreakMarkers", "pageNavigation"} <= set(features)


def test_a_text_too_long_to_lay_out_alone_gets_no_page_list_and_a_warning(monkeypatch, tmp_path):
    monkeypatch.setattr(pipeline.build, "SELF_LAYOUT_LIMIT", 3)
    warnings: list[str] = []
    book = Epub(build(SMALL, ["epub"], tmp_path, warn=warnings.append)[0].path)
    assert any("no print page list" in warning for warning in warnings)
    assert book.nav_list("page-list") == []
    assert book.metadata("pageBreakSource") == []
    assert "printPageNumbers" not in book.metadata("schema:accessibilityFeature")
