"""The print edition: page sizes, front matter, notes, typography, tagging, print-shop options.

Proofs read the laid-out PDF back with pymupdf (word and line positions) and, for the
footnote rule, with pixels of pages rendered by pdftoppm.
"""

import re
import shutil
import subprocess
from pathlib import Path

import pymupdf
import pytest
from PIL import Image
from pypdf import PdfReader

from pipeline.build import build
from pipeline.checks.extract import (
    comparable,
    front_matter_pages,
    note_pages,
    read_pdf,
    text_lines,
)
from pipeline.document import parse
from pipeline.errors import PipelineError
from pipeline.layout import markup as print_markup
from pipeline.manuscript import load_manuscript
from tests.conftest import FIXTURES, SEED

MM = 72 / 25.4
INNER, OUTER, TOP, BOTTOM = 0.13, 0.10, 0.09, 0.10
"""The margins of styles/print.css, as shares of the page's width (sides) or height."""
TOLERANCE = 1.0
SEED_TITLE = "1922–3: The communist fractions against the rising counter-revolution"


def side_margins(page) -> tuple[float, float]:
    """Left and right margin in points: the inner (larger) one is at the spine."""
    width = page.rect.width
    recto = (page.number + 1) % 2 == 1
    return (INNER * width, OUTER * width) if recto else (OUTER * width, INNER * width)


def build_variant(manuscript: Path, options: str, formats=("pdf",)) -> dict[str, Path]:
    with (manuscript / "metadata.yaml").open("a", encoding="utf-8") as meta:
        meta.write(options)
    out = manuscript.parent / "out"
    return {e.name: e.path for e in build(manuscript, list(formats), out_dir=out)}


def footnote_rule_y(page) -> float | None:
    rules = [
        d["rect"]
        for d in page.get_drawings()
        if d["rect"].width > page.rect.width / 3 and d["rect"].y0 > page.rect.height / 3
    ]
    return min(r.y0 for r in rules) if rules else None


# Page size and margins


def test_pages_are_a5_by_default(small_editions):
    with pymupdf.open(small_editions["pdf"]) as pdf:
        for page in pdf:
            assert page.rect.width == pytest.approx(148 * MM, abs=0.5)
            assert page.rect.height == pytest.approx(210 * MM, abs=0.5)


@pytest.mark.parametrize(
    ("size", "width_mm", "height_mm"),
    [
        ("A4", 210, 297),
        ("US Letter", 215.9, 279.4),
        ("B5", 176, 250),
        ("'148mm 210mm'", 148, 210),
        ("'12cm 19cm'", 120, 190),
    ],
)
def test_page_size_comes_from_metadata(size, width_mm, height_mm, small_copy):
    built = build_variant(small_copy, f"print:\n  page-size: {size}\n")
    with pymupdf.open(built["pdf"]) as pdf:
        for page in pdf:
            assert page.rect.width == pytest.approx(width_mm * MM, abs=0.5)
            assert page.rect.height == pytest.approx(height_mm * MM, abs=0.5)
            left, right = side_margins(page)
            for word in page.get_text("words"):
                assert word[2] <= page.rect.width - min(left, right) + TOLERANCE


@pytest.mark.parametrize(
    ("option", "key"),
    [
        ("page-size: A9", "print.page-size"),
        ("page-size: 148mm", "print.page-size"),
        ("page-size: '10mm 20mm'", "print.page-size"),
        ("pdf-variant: pdf/x-3", "print.pdf-variant"),
        ("booklet-sheet: A6", "print.booklet-sheet"),
    ],
)
def test_bad_print_option_names_file_key_and_line(option, key, small_copy):
    metadata = small_copy / "metadata.yaml"
    lines = metadata.read_text(encoding="utf-8").splitlines()
    metadata.write_text("\n".join([*lines, "print:", f"  {option}", ""]), encoding="utf-8")
    with pytest.raises(PipelineError) as caught:
        load_manuscript(small_copy)
    message = str(caught.value)
    assert message.startswith(f"{metadata}:{len(lines) + 2}: ")
    assert f"'{key}'" in message


def test_margins_are_mirrored_wider_at_the_spine(seed_editions):
    with pymupdf.open(seed_editions["pdf"]) as pdf:
        front = front_matter_pages(pdf)
        for page in list(pdf)[front:]:
            lines = text_lines(page)
            left, _right = side_margins(page)
            assert min(x for _y, x, _t, _r in lines) == pytest.approx(left, abs=1.5), page.number


@pytest.mark.parametrize("edition", ["seed", "long-note", "small"])
def test_no_word_runs_past_the_text_block(
    edition, seed_editions, long_note_editions, small_editions
):
    path = {"seed": seed_editions, "long-note": long_note_editions, "small": small_editions}
    with pymupdf.open(path[edition]["pdf"]) as pdf:
        for page in pdf:
            left, right = side_margins(page)
            for x0, _y0, x1, y1, word, *_ in page.get_text("words"):
                assert x1 <= page.rect.width - right + TOLERANCE, (page.number + 1, word)
                assert x0 >= left - TOLERANCE, (page.number + 1, word)
                assert y1 <= page.rect.height * (1 - BOTTOM / 3), (page.number + 1, word)


# Front matter


def test_title_page_sets_the_date_lead_apart(seed_editions):
    with pymupdf.open(seed_editions["pdf"]) as pdf:
        spans = [
            span
            for block in pdf[0].get_text("dict")["blocks"]
            for line in block.get("lines", [])
            for span in line["spans"]
        ]
        text = pdf[0].get_text()
    lead = next(s for s in spans if s["text"].strip() == "1922–3")
    main = next(s for s in spans if s["text"].startswith("The communist fractions"))
    assert lead["size"] > main["size"] and lead["bbox"][3] <= main["bbox"][1]
    assert ":" not in text
    assert "Understanding the defeat of the Russian Revolution".lower() in text.lower()
    assert text.lower().count("international communist current") == 2  # author, publisher


def test_colophon_carries_every_given_field(long_note_editions, seed_editions):
    with pymupdf.open(long_note_editions["pdf"]) as pdf:
        colophon = " ".join(pdf[1].get_text().split())
    for expected in (
        "1871: Notes on a long footnote",
        "Ada Writer, Ben Setter",
        "Second edition",
        "Published by Test Press, 2024",
        "Series: Fixtures for the pipeline",
        "© Ada Writer and Ben Setter.",
        "ISBN 978-0-00-000000-2",
        "urn:uuid:7d1c3a52-0c55-4c1e-9d7e-3f2b8a6c1e90",
        "Set in Charis SIL.",
    ):
        assert expected in colophon
    with pymupdf.open(seed_editions["pdf"]) as pdf:
        seed_colophon = " ".join(pdf[1].get_text().split())
    assert "Set in Charis SIL." in seed_colophon and "ISBN" not in seed_colophon
    assert "Published by International Communist Current, 2000" in seed_colophon


def test_contents_give_each_headings_page(long_note_editions, seed_editions):
    with pymupdf.open(long_note_editions["pdf"]) as pdf:
        toc = pdf.get_toc()
        rows: dict[int, list[str]] = {}
        for word in pdf[2].get_text("words"):
            rows.setdefault(round(word[3]), []).append(word[4])
        lines = [" ".join(words) for _y, words in sorted(rows.items())]
    assert lines[0] == "Contents"
    entries = [(title, page) for _level, title, page in toc if title != "Contents"]
    assert len(entries) == len(lines) - 1 == 3
    for (title, page), line in zip(entries, lines[1:], strict=True):
        assert re.fullmatch(rf"{re.escape(title)}\s*[.\s]*{page}", line), line
    with pymupdf.open(seed_editions["pdf"]) as pdf:
        assert "Contents" not in pdf[2].get_text()


def test_bookmarks_are_the_headings_without_title_page(seed_editions, long_note_editions):
    document = parse(load_manuscript(SEED))
    with pymupdf.open(seed_editions["pdf"]) as pdf:
        toc = pdf.get_toc()
    assert [t for _l, t, _p in toc] == [h.text for h in document.headings] + ["Bibliography"]
    assert all(page > 2 for _l, _t, page in toc)
    with pymupdf.open(long_note_editions["pdf"]) as pdf:
        assert [t for _l, t, _p in pdf.get_toc()] == [
            "Contents",
            "Where the notes go",
            "How the pages end",
            "Bibliography",
        ]


# Running heads and folios


def test_running_heads_title_left_section_right(seed_editions):
    with pymupdf.open(seed_editions["pdf"]) as pdf:
        toc = pdf.get_toc()
        front = front_matter_pages(pdf)
        for page in list(pdf)[front:]:
            number = page.number + 1
            heads = [
                "".join(s["text"] for s in line["spans"]).strip()
                for block in page.get_text("dict")["blocks"]
                for line in block.get("lines", [])
                if line["bbox"][3] < page.rect.height * TOP
            ]
            if number % 2 == 0:
                assert heads == [SEED_TITLE], number
                continue
            on_page = [t for _l, t, p in toc if p == number]
            before = [t for _l, t, p in toc if p < number]
            expected = on_page[:1] or before[-1:]
            assert heads == expected, number


def test_folios_on_text_pages_only(seed_editions):
    with pymupdf.open(seed_editions["pdf"]) as pdf:
        front = front_matter_pages(pdf)
        assert front == 2
        for page in pdf:
            bottom = page.rect.height * (1 - BOTTOM)
            folios = [w[4] for w in page.get_text("words") if w[1] > bottom and w[4].isdigit()]
            expected = [str(page.number + 1)] if page.number >= front else []
            assert folios == expected, page.number + 1


# Notes


@pytest.mark.parametrize("edition", ["seed", "long-note"])
def test_each_note_is_under_the_rule_of_its_calls_page(edition, seed_editions, long_note_editions):
    """Proof: every note starts on the page whose body calls it, below a drawn rule that
    shows as a dark line in the rendered page, and no body text runs under the rule."""
    path = (seed_editions if edition == "seed" else long_note_editions)["pdf"]
    with pymupdf.open(path) as pdf:
        placed = note_pages(pdf)
        assert len(placed) == len(read_pdf(path).notes) > 0
        for number, page, calls in placed:
            assert calls == {page}, number
        pages_with_notes = sorted({page for _n, page, _c in placed})
        for number in pages_with_notes:
            page = pdf[number - 1]
            rule = footnote_rule_y(page)
            assert rule is not None
            for line in text_lines(page):
                marker = re.match(r"(\d+)\.\s", line[2])
                if marker and int(marker.group(1)) in {n for n, p, _c in placed if p == number}:
                    assert line[0] > rule
            assert _rule_row_is_dark(path, number, rule, page)


def _rule_row_is_dark(path: Path, number: int, rule_y: float, page) -> bool:
    """Render the page at 144 dpi and look for a dark row at the rule, across the text."""
    scale = 2
    prefix = path.parent / f"proof-{path.stem}-{number}"
    pages = ["-f", str(number), "-l", str(number)]
    command = ["pdftoppm", "-r", str(72 * scale), "-gray", "-png", *pages, str(path), str(prefix)]
    subprocess.run(command, check=True)
    image_path = next(path.parent.glob(f"{prefix.name}*.png"))
    with Image.open(image_path) as opened:
        image = opened.convert("L")
    left, right = side_margins(page)
    span = range(int(left * scale) + 4, int((page.rect.width - right) * scale) - 4)
    rows = range(int(rule_y * scale) - 3, int(rule_y * scale) + 4)
    return any(all(image.getpixel((x, row)) < 128 for x in span) for row in rows)


def test_long_note_continues_on_the_next_page(long_note_editions):
    path = long_note_editions["pdf"]
    document = parse(load_manuscript(FIXTURES / "long-note"))
    content = read_pdf(path)
    assert [comparable(n) for n in content.notes] == [comparable(n.text) for n in document.notes]
    with pymupdf.open(path) as pdf:
        (call_page,) = next(calls for n, _p, calls in note_pages(pdf) if n == 2)
        for marker, page_number in (("LONGSTART", call_page), ("LONGEND", call_page + 1)):
            page = pdf[page_number - 1]
            hits = page.search_for(marker)
            assert hits and hits[0].y0 > footnote_rule_y(page), marker
        for page in pdf:
            for word in page.get_text("words"):
                assert word[1] >= 0 and word[3] <= page.rect.height * (1 - BOTTOM / 3)


def test_note_calls_and_numbers_match_the_manuscript(seed_editions):
    document = parse(load_manuscript(SEED))
    found = read_pdf(seed_editions["pdf"]).notes
    assert [comparable(n) for n in found] == [comparable(n.text) for n in document.notes]


# Typography


def test_every_font_is_charis_embedded_and_subset(long_note_editions):
    path = long_note_editions["pdf"]
    report = subprocess.run(["pdffonts", path], capture_output=True, text=True, check=True)
    rows = report.stdout.splitlines()[2:]
    assert rows
    for row in rows:
        name, *_kind, emb, sub, _uni, _obj, _gen = row.split()
        assert re.fullmatch(r"[A-Z]{6}\+Charis-SIL(-[A-Za-z-]+)?", name), row
        assert (emb, sub) == ("yes", "yes"), row
    with pymupdf.open(path) as pdf:
        assert "примечание" in "".join(page.get_text() for page in pdf)


def test_text_is_justified_and_hyphenated_in_its_language(seed_editions):
    document = parse(load_manuscript(SEED))
    assert '<html lang="en-GB">' in print_markup.render(document)
    with pymupdf.open(seed_editions["pdf"]) as pdf:
        page = pdf[3]
        _left, right = side_margins(page)
        edge = page.rect.width - right
        rule = footnote_rule_y(page) or page.rect.height
        body = [
            line
            for block in page.get_text("dict")["blocks"]
            for line in block.get("lines", [])
            if page.rect.height * TOP < line["bbox"][1] < rule
        ]
        flush = [line for line in body if abs(line["bbox"][2] - edge) < 0.6]
        assert len(flush) > 0.7 * len(body)
        hyphenated = [
            line
            for p in pdf
            for block in p.get_text("dict")["blocks"]
            for line in block.get("lines", [])
            if line["spans"] and line["spans"][-1]["text"].rstrip().endswith("\u2010")
        ]
        assert len(hyphenated) > 10


# Tagging and metadata


def test_pdf_is_tagged_with_language_title_and_metadata(seed_editions):
    reader = PdfReader(seed_editions["pdf"])
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en-GB"
    assert root["/MarkInfo"]["/Marked"].value is True
    assert "/StructTreeRoot" in root
    assert root["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    info = reader.metadata
    assert info.title == SEED_TITLE
    assert info.author == "International Communist Current"
    assert info.subject.startswith("How the communist fractions")
    assert "Left Opposition" in info["/Keywords"]
    xmp = root["/Metadata"].get_object().get_data()
    assert b"pdfuaid:part" in xmp and b"1" in xmp.split(b"pdfuaid:part", 1)[1][:6]


def test_pdf_a_3b_on_request(small_copy):
    built = build_variant(small_copy, "print:\n  pdf-variant: pdf/a-3b\n")
    reader = PdfReader(built["pdf"])
    root = reader.trailer["/Root"]
    xmp = root["/Metadata"].get_object().get_data()
    assert re.search(rb"pdfaid:part[^0-9]{0,3}3", xmp)
    assert re.search(rb"pdfaid:conformance[^A-Z]{0,3}B", xmp)
    assert "/StructTreeRoot" in root and root["/Lang"] == "en"


# Print shop


def test_bleed_and_crop_marks_on_request(small_copy, small_editions):
    built = build_variant(small_copy, "print:\n  bleed: true\n  crop-marks: true\n")
    bleed = 3 * MM
    for page in PdfReader(built["pdf"]).pages:
        media, trim = page.mediabox, page.trimbox
        assert float(trim.left) - float(media.left) == pytest.approx(bleed, abs=0.1)
        assert float(media.top) - float(trim.top) == pytest.approx(bleed, abs=0.1)
    with pymupdf.open(built["pdf"]) as pdf:
        page = pdf[0]
        outside = [d for d in page.get_drawings() if d["rect"].y1 < bleed or d["rect"].x1 < bleed]
        assert outside, "no crop marks outside the trimmed page"
    for page in PdfReader(small_editions["pdf"]).pages:
        assert page.mediabox == page.trimbox


def body_lines(page) -> list[tuple[float, float, float, str]]:
    """(top, left, right, text) of the page's body lines: above the footnote rule, without
    running head and folio."""
    rule = footnote_rule_y(page) or page.rect.height
    lines = []
    for block in page.get_text("dict")["blocks"]:
        for line in block.get("lines", []):
            text = "".join(span["text"] for span in line["spans"]).strip()
            top, bottom = line["bbox"][1], line["bbox"][3]
            if text and page.rect.height * TOP < bottom and top < rule:
                lines.append((top, line["bbox"][0], line["bbox"][2], text))
    folio_zone = page.rect.height * (1 - BOTTOM)
    return sorted(line for line in lines if not (line[0] > folio_zone and line[3].isdigit()))


def test_no_widows_or_orphans_and_headings_keep_with_text(seed_editions):
    """A paragraph's first line (indented 1.2 em) never ends a page, its last line (short,
    at the margin) never starts one above a new paragraph, no heading ends a page."""
    indent = 1.2 * 10
    with pymupdf.open(seed_editions["pdf"]) as pdf:
        toc = pdf.get_toc()
        pages = list(pdf)[front_matter_pages(pdf) : -1]
        for page in pages:
            lines = body_lines(page)
            left, right = side_margins(page)
            edge = page.rect.width - right
            last, first, second = lines[-1], lines[0], lines[1]
            assert abs(last[1] - left - indent) > 1.5, (page.number + 1, last[3])
            widow = abs(first[1] - left) < 1 and first[2] < edge - 20
            assert not (widow and abs(second[1] - left - indent) < 1.5), (page.number + 1, first)
            headings = {t for _l, t, p in toc if p == page.number + 1}
            assert last[3] not in headings, page.number + 1


def test_notes_stay_on_their_page_on_small_pages(tmp_path):
    """On A6 pages WeasyPrint carries a note over to make room for a line it keeps from
    being a widow; the print edition lays the pages out again until no note is."""
    manuscript = tmp_path / "seed-a6"
    shutil.copytree(SEED, manuscript)
    metadata = manuscript / "metadata.yaml"
    metadata.write_text(
        metadata.read_text(encoding="utf-8").replace("page-size: A5", "page-size: A6")
    )
    (path,) = [e.path for e in build(manuscript, ["pdf"], out_dir=tmp_path / "out")]
    with pymupdf.open(path) as pdf:
        assert pdf[0].rect.width == pytest.approx(105 * MM, abs=0.5)
        placed = note_pages(pdf)
    assert len(placed) == len(parse(load_manuscript(manuscript)).notes)
    for number, page, calls in placed:
        assert calls == {page}, number
