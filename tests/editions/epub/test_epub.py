"""The EPUB edition's structure: files, navigation, notes, cover, metadata."""

from __future__ import annotations

import logging
import shutil

import lxml.etree
import pytest

from pipeline.build import build
from pipeline.checks.extract import NS, comparable, read_epub
from pipeline.cover_art import typographic_cover
from pipeline.document import parse
from pipeline.errors import PipelineError
from pipeline.manuscript import load_manuscript
from tests.conftest import ILLUSTRATED, SEED, SMALL
from tests.editions.epub.support import OPF, Epub, nav_outline, text_of

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
HEADINGS = " | ".join(f".//x:h{n}" for n in range(1, 7))


@pytest.fixture(scope="module")
def documents():
    """The parsed seed and illustrated manuscripts, as every edition reads them."""
    return {
        "seed": parse(load_manuscript(SEED)),
        "illustrated": parse(load_manuscript(ILLUSTRATED)),
        "small": parse(load_manuscript(SMALL)),
    }


def test_spine_has_cover_title_page_contents_one_file_per_section_and_bibliography(
    epub_builds,
):
    book = Epub(epub_builds["small"])
    assert book.spine == [
        "text/cover.xhtml",
        "text/title-page.xhtml",
        "nav.xhtml",
        "text/opening.xhtml",
        "text/chapter-01.xhtml",
        "text/chapter-02.xhtml",
        "text/bibliography.xhtml",
    ]
    chapters = [book.documents[f"text/chapter-0{n}.xhtml"] for n in (1, 2)]
    firsts = [c.xpath("//x:section/*[not(self::x:span)][1]", namespaces=NS)[0] for c in chapters]
    assert [text_of(h) for h in firsts] == ["The first section", "The second section"]


def test_split_level_two_gives_each_second_level_section_its_own_file(epub_builds, documents):
    book = Epub(epub_builds["illustrated-split"])
    chapters = [name for name in book.spine if "chapter-" in name]
    wanted = [h for h in documents["illustrated"].headings if h.level <= 2]
    assert len(chapters) == len(wanted)
    for name, heading in zip(chapters, wanted, strict=True):
        first = book.documents[name].xpath(HEADINGS, namespaces=NS)[0]
        assert (first.get("id"), text_of(first)) == (heading.id, heading.text)


def expected_outline(headings) -> list[tuple[int, str]]:
    return [(h.level, h.text) for h in headings]


def flatten(tree, depth: int = 1) -> list[tuple[int, str]]:
    return [item for label, kids in tree for item in [(depth, label), *flatten(kids, depth + 1)]]


@pytest.mark.parametrize("name", ["seed", "illustrated", "illustrated-split"])
def test_navigation_lists_every_heading_nested_by_level(name, epub_builds, documents):
    book = Epub(epub_builds[name])
    document = documents[name.removesuffix("-split")]
    toc = book.nav.xpath("//x:nav[@epub:type='toc']/x:ol", namespaces=NS)[0]
    entries = flatten(nav_outline(toc))
    opening, *headings, bibliography = entries
    assert opening == (1, document.metadata.title)
    assert bibliography[1] == (document.metadata.get("reference-section-title") or "Bibliography")
    assert headings == expected_outline(document.headings)
    for label, href in book.nav_list("toc")[1:-1]:
        target = book.target(href)
        assert target.tag.split("}")[1] in {f"h{n}" for n in range(1, 7)}
        assert text_of(target) == label


def test_ncx_carries_the_same_outline_and_the_identifier(epub_builds):
    book = Epub(epub_builds["illustrated"])
    ncx = book.xml("toc.ncx")
    ns = {"n": "http://www.daisy.org/z3986/2005/ncx/"}

    def tree(parent):
        return [
            (text_of(p.find("n:navLabel", ns)), tree(p)) for p in parent.findall("n:navPoint", ns)
        ]

    toc = book.nav.xpath("//x:nav[@epub:type='toc']/x:ol", namespaces=NS)[0]
    assert tree(ncx.find("n:navMap", ns)) == nav_outline(toc)
    uid = ncx.xpath("//n:meta[@name='dtb:uid']/@content", namespaces=ns)
    assert uid == book.metadata("dc:identifier")
    orders = [int(p.get("playOrder")) for p in ncx.iter("{*}navPoint", "{*}pageTarget")]
    assert sorted(set(orders)) == list(range(1, len(set(orders)) + 1))


def test_landmarks_point_at_cover_title_page_contents_text_and_bibliography(epub_builds):
    book = Epub(epub_builds["illustrated"])
    links = book.nav.xpath("//x:nav[@epub:type='landmarks']//x:a", namespaces=NS)
    kinds = [a.get(f"{{{NS['epub']}}}type") for a in links]
    assert kinds == ["cover", "titlepage", "toc", "bodymatter", "bibliography"]
    hrefs = [href for _label, href in book.nav_list("landmarks")]
    assert hrefs[0] == "text/cover.xhtml"
    assert book.target(hrefs[1]).xpath("//*[@epub:type='titlepage']", namespaces=NS)
    assert hrefs[2] == f"{book.nav_href}#toc"
    assert book.target(hrefs[3]).xpath("//x:body/@epub:type", namespaces=NS) == ["bodymatter"]
    assert book.target(hrefs[4]).xpath("//*[@role='doc-bibliography']")


@pytest.mark.parametrize("name", ["seed", "illustrated"])
def test_every_note_call_has_its_note_in_the_same_file_with_a_link_back(
    name, epub_builds, documents
):
    book = Epub(epub_builds[name])
    found = []
    for root in book.documents.values():
        calls = root.xpath("//x:a[@epub:type='noteref']", namespaces=NS)
        for call in calls:
            assert call.get("role") == "doc-noteref"
            note = root.xpath(f"//x:aside[@id='{call.get('href').lstrip('#')}']", namespaces=NS)
            assert len(note) == 1, f"note {call.text} is not in the file that calls it"
            assert note[0].get(f"{{{NS['epub']}}}type") == "footnote"
            assert note[0].get("role") == "doc-footnote"
            back = note[0].xpath(".//x:a[@role='doc-backlink']/@href", namespaces=NS)
            assert back == [f"#{call.get('id')}"]
            found.append((int(call.text), note[0]))
        asides = root.xpath("//x:aside[@epub:type='footnote']", namespaces=NS)
        assert len(asides) == len(calls)
    numbers = [number for number, _ in found]
    assert numbers == list(range(1, len(documents[name].notes) + 1))
    texts = read_epub(book.path).notes
    assert [comparable(t) for t in texts] == [comparable(n.text) for n in documents[name].notes]


def test_notes_called_from_lists_and_quotations_follow_their_chapter(epub_builds):
    book = Epub(epub_builds["illustrated"])
    chapter = book.documents["text/chapter-01.xhtml"]
    calls = chapter.xpath("//x:a[@epub:type='noteref']", namespaces=NS)
    containers = {call.text: {a.tag.split("}")[1] for a in call.iterancestors()} for call in calls}
    assert "li" in containers["3"]
    assert "blockquote" in containers["4"]
    body = chapter.xpath("//x:body", namespaces=NS)[0]
    tags = [child.tag.split("}")[1] for child in body]
    assert tags == ["section", "aside", "aside", "aside"]


def test_a_link_to_a_section_in_another_file_follows_it(epub_builds):
    book = Epub(epub_builds["illustrated"])
    chapter = book.documents["text/chapter-02.xhtml"]
    link = chapter.xpath("//x:section//x:a[not(@epub:type)]", namespaces=NS)[0]
    assert link.get("href") == "chapter-01.xhtml#proofs"
    assert text_of(book.target("text/chapter-01.xhtml#proofs")) == "Proofs"


@pytest.mark.parametrize("name", ["seed", "small", "illustrated"])
def test_every_document_declares_its_language(name, epub_builds, documents):
    book = Epub(epub_builds[name])
    lang = documents[name].metadata.lang
    for href in book.spine:
        root = book.xml(href)
        assert (root.get("lang"), root.get(XML_LANG)) == (lang, lang), href
    assert book.opf.get(XML_LANG) == lang
    assert book.metadata("dc:language") == [lang]


def test_package_metadata_describes_the_book(epub_builds):
    book = Epub(epub_builds["illustrated"])
    assert book.metadata("dc:identifier") == ["urn:isbn:9781402894626"]
    assert book.metadata("dc:title") == [
        "The Workshop by the Canal",
        "A printer’s notes on making small books",
    ]
    assert book.metadata("dc:creator") == ["Mara Quell", "Tomas Ferrand"]
    assert book.metadata("dc:publisher") == ["Lantern Yard Press"]
    assert book.metadata("dc:rights")[0].startswith("© Mara Quell")
    assert book.metadata("dc:subject") == ["printing", "bookbinding", "small press"]
    assert book.metadata("dc:description")[0].startswith("Short notes")
    assert book.metadata("dc:date") == ["2024-05-01"]
    assert book.metadata("belongs-to-collection") == ["Pamphlets on the Trade"]
    assert len(book.metadata("dcterms:modified")) == 1


def test_without_isbn_or_identifier_the_identifier_is_a_uuid_from_title_and_author(
    epub_builds, tmp_path
):
    first = Epub(epub_builds["small"]).metadata("dc:identifier")
    again = build(SMALL, ["epub"], tmp_path)[0].path
    assert first == Epub(again).metadata("dc:identifier")
    assert first[0].startswith("urn:uuid:")


def test_a_wrong_isbn_check_digit_stops_the_build(small_copy, tmp_path):
    with (small_copy / "metadata.yaml").open("a", encoding="utf-8") as metadata:
        metadata.write("isbn: 978-1-4028-9462-7\n")
    with pytest.raises(PipelineError, match=r"'isbn'.*not a valid ISBN") as error:
        build(small_copy, ["epub"], tmp_path / "out")
    assert error.value.line == 5


def test_the_manuscripts_cover_image_is_the_cover(epub_builds):
    book = Epub(epub_builds["illustrated"])
    [cover] = book.manifest(properties="cover-image")
    assert cover.get("media-type") == "image/png"
    source = (ILLUSTRATED / "images" / "cover.png").read_bytes()
    assert book.archive[f"{book.base}/{cover.get('href')}"] == source
    page = book.documents["text/cover.xhtml"]
    image = page.xpath("//x:img", namespaces=NS)[0]
    assert book.resolve("text/cover.xhtml", image.get("src")) == cover.get("href")
    assert image.get("role") == "doc-cover"
    assert image.get("alt").startswith("Cover: The Workshop by the Canal")
    assert book.opf.xpath("//opf:meta[@name='cover']/@content", namespaces=OPF) == [cover.get("id")]


def test_without_a_cover_image_a_typographic_cover_is_made(epub_builds):
    book = Epub(epub_builds["small"])
    [cover] = book.manifest(properties="cover-image")
    assert cover.get("media-type") == "image/png"
    assert book.archive[f"{book.base}/{cover.get('href')}"].startswith(b"\x89PNG")
    svg = lxml.etree.fromstring(typographic_cover(parse(load_manuscript(SMALL))).encode())
    words = text_of(svg)
    assert "A Small Pamphlet" in words
    assert "Ada Writer" in words


@pytest.mark.parametrize(
    "reference, message",
    [
        ("../../../../etc/passwd", "outside the manuscript folder"),
        ("images/none.png", "does not exist"),
        ("text.md", "is not a kind of file EPUB readers show"),
    ],
)
def test_a_cover_outside_the_manuscript_or_not_an_image_is_refused(
    reference, message, small_copy, tmp_path
):
    with (small_copy / "metadata.yaml").open("a", encoding="utf-8") as metadata:
        metadata.write(f"cover: {reference}\n")
    with pytest.raises(PipelineError, match=message) as error:
        build(small_copy, ["epub"], tmp_path / "out")
    assert error.value.path == (small_copy / "metadata.yaml").resolve()
    assert error.value.line == 5
    assert "'cover'" in error.value.message


def test_an_image_without_alternative_text_is_reported_and_the_build_goes_on(
    small_copy, tmp_path, caplog
):
    (small_copy / "images").mkdir()
    shutil.copy(ILLUSTRATED / "images" / "stick.svg", small_copy / "images" / "stick.svg")
    text = small_copy / "text.md"
    text.write_text(text.read_text() + "\n![](images/stick.svg)\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        built = build(small_copy, ["epub"], tmp_path / "out")[0].path
    assert any(
        "stick.svg" in r.getMessage() and "alternative text" in r.getMessage()
        for r in caplog.records
    )
    book = Epub(built)
    assert "images/stick.svg" in [i.get("href") for i in book.manifest()]
    assert book.metadata("dcterms:conformsTo") == []
    assert "alternativeText" not in book.metadata("schema:accessibilityFeature")


def test_images_in_the_text_are_carried_with_their_alternative_text(epub_builds):
    book = Epub(epub_builds["illustrated"])
    chapter = book.documents["text/chapter-01.xhtml"]
    [image] = chapter.xpath("//x:figure/x:img", namespaces=NS)
    href = book.resolve("text/chapter-01.xhtml", image.get("src"))
    assert book.archive[f"{book.base}/{href}"] == (ILLUSTRATED / "images/stick.svg").read_bytes()
    assert image.get("alt").startswith("A composing stick")


def test_epub_reads_back_the_notes(small_editions):
    assert len(read_epub(small_editions["epub"]).notes) == 4


def test_split_level_out_of_range_is_an_error(small_copy, tmp_path):
    with (small_copy / "metadata.yaml").open("a", encoding="utf-8") as metadata:
        metadata.write("epub:\n  split-level: 7\n")
    with pytest.raises(PipelineError, match="split-level"):
        build(small_copy, ["epub"], tmp_path / "out")
