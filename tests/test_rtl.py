"""Right-to-left books: an Arabic manuscript (its language) and a Hebrew one (``dir: rtl``)
built into every edition, read back from the files."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import lxml.etree
import pymupdf
import pytest

from pipeline.build import build
from pipeline.checks.extract import _footnote_rule_y
from pipeline.layout.bidi import ltr_runs_in
from tests.conftest import FIXTURES, SMALL

ARABIC = FIXTURES / "rtl" / "arabic"
HEBREW = FIXTURES / "rtl" / "hebrew"
XHTML = "{http://www.w3.org/1999/xhtml}"
EDGE_PT = 1.5
"""How far a line may stop short of the text block's edge and still be flush with it."""
GLYPHS = pymupdf.TEXTFLAGS_DICT | pymupdf.TEXT_IGNORE_ACTUALTEXT
"""The text as the glyphs set it, where they stand: the geometry, not the text the PDF
gives for copying."""


@pytest.fixture(scope="module")
def arabic(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("rtl-arabic")
    return {edition.name: edition.path for edition in build(ARABIC, out_dir=out)}


@pytest.fixture(scope="module")
def hebrew(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("rtl-hebrew")
    return {e.name: e.path for e in build(HEBREW, ["html", "epub"], out_dir=out)}


def lines(page: pymupdf.Page) -> list[tuple[pymupdf.Rect, str]]:
    found = []
    for block in page.get_text("dict", flags=GLYPHS)["blocks"]:
        for line in block.get("lines", []):
            text = "".join(span["text"] for span in line["spans"]).strip()
            if text:
                found.append((pymupdf.Rect(line["bbox"]), text))
    return found


def body_lines(page: pymupdf.Page) -> list[tuple[pymupdf.Rect, str]]:
    """The lines of the text: not the running head, the folio or the notes."""
    height = page.rect.height
    rule = _footnote_rule_y(page) or height * 0.9
    return [(r, t) for r, t in lines(page) if height * 0.1 < r.y0 < rule]


def folio_and_head(page: pymupdf.Page) -> tuple[pymupdf.Rect, pymupdf.Rect]:
    height = page.rect.height
    found = lines(page)
    folio = next(r for r, t in found if t.isdigit() and r.y0 > height * 0.9)
    head = next(r for r, t in found if r.y1 < height * 0.09)
    return folio, head


def test_the_web_page_reads_from_right_to_left(arabic, hebrew):
    for page in (arabic["html"], hebrew["html"]):
        root = re.search(r"<html[^>]*>", page.read_text(encoding="utf-8")).group(0)
        assert ' dir="rtl"' in root


def test_every_epub_file_and_the_spine_read_from_right_to_left(arabic, hebrew):
    for book in (arabic["epub"], hebrew["epub"]):
        with zipfile.ZipFile(book) as archive:
            documents = [n for n in archive.namelist() if n.endswith(".xhtml")]
            assert len(documents) >= 4  # cover, title page, contents, text
            for name in documents:
                root = lxml.etree.fromstring(archive.read(name))
                assert root.get("dir") == "rtl", name
            opf = lxml.etree.fromstring(archive.read("EPUB/content.opf"))
            spine = opf.find("{http://www.idpf.org/2007/opf}spine")
            assert spine.get("page-progression-direction") == "rtl"


def test_citations_and_note_calls_are_isolated_in_the_epub(hebrew):
    with zipfile.ZipFile(hebrew["epub"]) as archive:
        text = b"".join(archive.read(n) for n in archive.namelist() if "text/" in n)
    root = lxml.etree.fromstring(
        b"<all>" + re.sub(rb"<\?xml[^>]*>|<!DOCTYPE[^>]*>", b"", text) + b"</all>"
    )
    citations = root.findall(f".//{XHTML}span[@class='citation']")
    calls = root.findall(f".//{XHTML}a[@role='doc-noteref']")
    assert citations and calls
    assert {element.get("dir") for element in citations + calls} == {"auto"}


def test_the_first_page_is_a_left_page_and_the_spine_on_the_right_of_rectos(arabic):
    with pymupdf.open(arabic["pdf"]) as pdf:
        width = pdf[0].rect.width
        for number in (3, 4, 5):
            page = pdf[number - 1]
            folio, head = folio_and_head(page)
            text = [r for r, _t in body_lines(page)]
            left, right = min(r.x0 for r in text), max(r.x1 for r in text)
            if number % 2:  # a recto: the left-hand page, bound on its right
                assert folio.x1 < width / 2 and head.x1 < width / 2
                assert width - right > left
            else:  # a verso: the right-hand page, bound on its left
                assert folio.x0 > width / 2 and head.x0 > width / 2
                assert left > width - right


def test_viewers_show_the_spreads_right_to_left(arabic):
    with pymupdf.open(arabic["pdf"]) as pdf:
        assert pdf.xref_get_key(pdf.pdf_catalog(), "ViewerPreferences/Direction") == (
            "name",
            "/R2L",
        )


def test_lines_are_set_from_the_right(arabic):
    with pymupdf.open(arabic["pdf"]) as pdf:
        text = body_lines(pdf[2])
    right = sorted(r.x1 for r, _t in text)[len(text) // 2]
    left = sorted(r.x0 for r, _t in text)[len(text) // 10]
    flush_right = [r for r, _t in text if abs(r.x1 - right) < EDGE_PT]
    assert len(flush_right) > len(text) * 0.7
    short = [r for r in flush_right if r.x0 > left + 40]
    assert short, "no paragraph's last line stops short of the left edge"
    assert not [r for r, _t in text if r.x0 < left + EDGE_PT and r.x1 < right - 40]


def test_list_items_are_indented_from_the_right(arabic):
    with pymupdf.open(arabic["pdf"]) as pdf:
        page = next(p for p in pdf if "حرية التنقل" in p.get_text(flags=GLYPHS))
        text = body_lines(page)
        spans = [
            span
            for block in page.get_text("dict", flags=GLYPHS)["blocks"]
            for line in block.get("lines", [])
            for span in line["spans"]
        ]
    right = sorted(r.x1 for r, _t in text)[len(text) // 2]
    item = next(pymupdf.Rect(s["bbox"]) for s in spans if "حرية التنقل" in s["text"])
    assert item.x1 < right - 5
    marker = next(pymupdf.Rect(s["bbox"]) for s in spans if s["text"].strip() in ("1.", ".1"))
    assert marker.x0 >= item.x1 - EDGE_PT


def test_a_latin_run_in_an_arabic_note_keeps_its_order(arabic):
    with pymupdf.open(arabic["pdf"]) as pdf:
        page = next(p for p in pdf if "Morsink" in p.get_text(flags=GLYPHS))
        author = page.search_for("Johannes Morsink", flags=GLYPHS)[0]
        title = page.search_for("The Universal", flags=GLYPHS)[0]
    assert author.y0 == pytest.approx(title.y0, abs=1)
    assert author.x1 < title.x0


def test_runs_that_cross_an_element_are_wrapped_left_to_right():
    markup = "انظر Johannes Morsink, <em>The Universal</em> (Philadelphia, 1999), 12. نص"
    assert ltr_runs_in(markup) == (
        'انظر <span dir="ltr">Johannes Morsink, <em>The Universal</em> (Philadelphia, 1999),'
        " 12</span>. نص"
    )
    assert ltr_runs_in("نص <em>Capital</em> نص") == "نص <em>Capital</em> نص"
    two = "نص <em>The</em> Capital, <b>1</b>. نص <i>A</i> b نص"
    assert ltr_runs_in(two) == (
        'نص <span dir="ltr"><em>The</em> Capital, <b>1</b></span>. نص'
        ' <span dir="ltr"><i>A</i> b</span> نص'
    )


def test_a_citation_reads_in_the_direction_of_its_first_letter():
    latin = ltr_runs_in('טקסט <span class="citation">(Morsink 1999, 12)</span>.')
    assert latin == 'טקסט <span class="citation" dir="ltr">(Morsink 1999, 12)</span>.'
    hebrew = 'טקסט <span class="citation">(מורסינק 1999)</span>.'
    assert ltr_runs_in(hebrew) == hebrew


def test_a_left_to_right_book_is_unchanged(tmp_path):
    pdf_path = build(SMALL, ["pdf"], out_dir=tmp_path)[0].path
    with pymupdf.open(pdf_path) as pdf:
        width = pdf[0].rect.width
        folio, head = folio_and_head(pdf[2])  # the first page of text, a right-hand page
        direction = pdf.xref_get_key(pdf.pdf_catalog(), "ViewerPreferences/Direction")
    assert folio.x0 > width / 2 and head.x0 > width / 2
    assert direction[0] == "null"
