"""The web edition's markup: one self-contained page, notes beside their blocks, metadata."""

from __future__ import annotations

import base64
import re
import struct
import zlib

import lxml.html
import pytest

from pipeline.build import build
from pipeline.checks.extract import comparable, from_document, read_html
from pipeline.document import document_from_html, parse
from pipeline.editions.html import render
from pipeline.editions.html.head import og_locale, shorten
from pipeline.manuscript import load_manuscript
from tests.conftest import SEED, SMALL


def page(path) -> lxml.html.HtmlElement:
    return lxml.html.parse(str(path)).getroot()


def meta(root, attribute: str, name: str) -> list[str]:
    return root.xpath(f"//head/meta[@{attribute}=$name]/@content", name=name)


@pytest.fixture(scope="module")
def seed_document():
    return parse(load_manuscript(SEED))


def test_page_is_self_contained_and_needs_no_script(small_editions):
    path = small_editions["html"]
    root = page(path)
    assert path.read_text().startswith("<!DOCTYPE html>")
    assert root.get("lang") == "en"
    assert root.findtext(".//title") == "A Small Pamphlet"
    assert "@media print" in root.findtext(".//style")
    assert not root.xpath("//script | //link[@rel='stylesheet'] | //*[@src] | //iframe")
    assert len(root.xpath("//main")) == 1


def test_seed_page_has_its_language_and_landmarks(seed_editions):
    root = page(seed_editions["html"])
    assert root.get("lang") == "en-GB"
    assert root.xpath("//nav[@aria-labelledby='contents-title']")
    assert root.xpath("//main//blockquote")
    assert root.xpath("//footer//section[@role='doc-bibliography']")


def test_contents_link_to_every_heading_by_its_pandoc_id(seed_editions, seed_document):
    root = page(seed_editions["html"])
    ids = [h.id for h in seed_document.headings]
    assert all(ids)
    assert root.xpath("//nav[@id='contents']//a/@href") == [f"#{i}" for i in ids]
    assert root.xpath("//main//h2/@id") == ids


def test_contents_can_be_left_out(small_copy, tmp_path):
    metadata = small_copy / "metadata.yaml"
    metadata.write_text(metadata.read_text() + "html:\n  toc: false\n")
    built = build(small_copy, formats=["html"], out_dir=tmp_path / "out")
    root = page(built[0].path)
    assert not root.xpath("//nav")
    assert len(root.xpath("//main//h2")) == 2


def test_each_note_follows_the_block_that_calls_it(seed_editions, seed_document):
    root = page(seed_editions["html"])
    notes = root.xpath("//aside[@role='doc-footnote']")
    assert [n.get("id") for n in notes] == [f"fn{n.number}" for n in seed_document.notes]
    for note in notes:
        number = note.get("id").removeprefix("fn")
        wrapper = note.getparent().getparent()
        assert note.getparent().get("class") == "sidenotes"
        assert wrapper.get("class") == "noted" and wrapper.getparent().tag == "main"
        block = wrapper[0]
        assert block.xpath(".//a[@role='doc-noteref'][@href=$h]", h=f"#fn{number}")


def test_notes_and_calls_link_both_ways(small_editions):
    root = page(small_editions["html"])
    calls = root.xpath("//a[@role='doc-noteref']")
    assert [c.text for c in calls] == ["1", "2", "3", "4"]
    for call in calls:
        note = root.get_element_by_id(call.get("href")[1:])
        assert note.get("role") == "doc-footnote"
        back = note.xpath(".//a[@role='doc-backlink']")
        assert [b.get("href") for b in back] == [f"#{call.get('id')}"]
        assert back[0].text == call.text


def test_notes_read_back_once_each_as_in_the_document(seed_editions, seed_document):
    found = read_html(seed_editions["html"])
    expected = from_document(seed_document)
    assert [comparable(n) for n in found.notes] == [comparable(n) for n in expected.notes]
    first_note = comparable(seed_document.notes[0].text)
    assert first_note not in comparable(found.text)


def test_bibliography_lists_the_notes_citing_each_entry(small_editions):
    root = page(small_editions["html"])
    entries = {li.get("id"): li for li in root.xpath("//section[@id='bibliography']//li")}
    marx = entries["ref-marx-capital"].find_class("cited-in")[0]
    assert " ".join(marx.text_content().split()) == "Cited in notes 2 and 3."
    assert marx.xpath("a/@href") == ["#cite2", "#cite3"]
    luxemburg = entries["ref-luxemburg-mass-strike"].find_class("cited-in")[0]
    assert luxemburg.xpath("a/@href") == ["#cite4"]
    assert root.get_element_by_id("cite2").xpath(".//a[@href='#fn2']")
    assert root.get_element_by_id("cite3").xpath("ancestor::aside[@id='fn3']")


def test_every_citation_is_listed_under_its_entry(seed_editions, seed_document):
    root = page(seed_editions["html"])
    citations = root.xpath("//span[contains(@class, 'citation')][@data-cites]")
    assert citations
    expected: dict[str, set[str]] = {}
    for span in citations:
        assert span.get("id")
        aside = span.xpath("ancestor::aside[@role='doc-footnote']")
        call = span.xpath(".//a[@role='doc-noteref']")
        note = aside[0].get("id") if aside else call[0].get("href")[1:]
        for key in span.get("data-cites").split():
            expected.setdefault(key, set()).add(note.removeprefix("fn"))
    assert set(expected) == {entry.key for entry in seed_document.bibliography}
    for key, notes in expected.items():
        links = root.xpath(
            "//li[@id=$ref]//*[contains(@class,'cited-in')]/a[@role='doc-backlink']",
            ref=f"ref-{key}",
        )
        assert sorted(a.text for a in links) == sorted(notes), key
        for link in links:
            target = root.get_element_by_id(link.get("href")[1:])
            assert key in target.get("data-cites").split()


def test_bibliography_reads_back_without_its_backlinks(seed_editions, seed_document):
    found = read_html(seed_editions["html"])
    assert found.bibliography == [entry.text for entry in seed_document.bibliography]


def test_head_carries_dublin_core_and_open_graph(seed_editions, seed_document):
    root = page(seed_editions["html"])
    metadata = seed_document.metadata
    assert meta(root, "property", "og:title") == [metadata.title]
    assert meta(root, "property", "og:type") == ["article"]
    assert meta(root, "property", "og:locale") == ["en_GB"]
    assert meta(root, "property", "og:description")[0].startswith("How the communist fractions")
    assert meta(root, "name", "DC.title") == [metadata.title]
    assert meta(root, "name", "DC.creator") == metadata.authors
    assert meta(root, "name", "DC.language") == ["en-GB"]
    assert meta(root, "name", "DC.date") == ["2000"]
    assert meta(root, "name", "DC.publisher") == [metadata.get("publisher")]
    assert meta(root, "name", "DC.rights") == [metadata.get("rights")]
    assert meta(root, "name", "DC.subject") == metadata.get("keywords")
    assert root.xpath("//head/link[@rel='schema.DC']")


def test_description_falls_back_to_the_opening_paragraph(small_editions):
    root = page(small_editions["html"])
    opening = "A short opening paragraph before the first section."
    assert meta(root, "name", "description") == [opening]
    assert meta(root, "property", "og:description") == [opening]
    assert meta(root, "property", "og:locale") == ["en"]
    assert not meta(root, "name", "DC.publisher")


def tiny_png(width: int, height: int) -> bytes:
    """A valid PNG of one colour, small enough to write out here."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\x80\x20\x20" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def test_images_are_carried_inside_the_page(small_copy, tmp_path):
    image = tiny_png(4, 3)
    (small_copy / "images").mkdir()
    (small_copy / "images" / "square.png").write_bytes(image)
    text = small_copy / "text.md"
    text.write_text(text.read_text() + "\n![A small square](images/square.png)\n")
    built = build(small_copy, formats=["html"], out_dir=tmp_path / "out")
    sources = page(built[0].path).xpath("//main//img/@src")
    assert sources == ["data:image/png;base64," + base64.b64encode(image).decode("ascii")]


def test_a_note_without_a_call_still_appears_once():
    manuscript = load_manuscript(SMALL)
    html = (
        "<p>Text with a call.<a href='#fn1' class='footnote-ref' id='fnref1'><sup>1</sup></a></p>"
        "<section id='footnotes' class='footnotes'><ol>"
        "<li id='fn1'><p>Called.</p></li><li id='fn2'><p>Never called.</p></li>"
        "</ol></section>"
    )
    root = lxml.html.document_fromstring(render(document_from_html(manuscript, html)))
    notes = root.xpath("//aside[@role='doc-footnote']")
    assert [" ".join(n.text_content().split()) for n in notes] == ["1 Called.", "2 Never called."]


@pytest.mark.parametrize(
    ("lang", "locale"), [("en-GB", "en_GB"), ("fr", "fr"), ("de-DE", "de_DE"), ("zh-Hant", "zh")]
)
def test_open_graph_locale(lang, locale):
    assert og_locale(lang) == locale


def test_shorten_cuts_at_a_word():
    text = "word " * 60
    short = shorten(text.strip(), 50)
    assert len(short) <= 50 and short.endswith("word…")
    assert shorten("brief", 50) == "brief"
    assert re.fullmatch(r"(word )*word…", short)
