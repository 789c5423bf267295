"""The constructs of real texts, set in every edition: tables, code, figures, the smaller
constructs of running text (definition lists, verse, small capitals, task lists, a section
break) and notes called from lists, quotations, tables and headings.

Each fixture ``tests/fixtures/constructs-*`` is built once, by the command line. Its EPUB
goes to EPUBCheck, its web page to the Nu checker and to axe-core in Chromium at a phone's
and a desktop's width, and its print pages are measured with PyMuPDF: nothing outside the
text block, the heads of a long table repeated, code wrapped inside the measure, figures on
the page, notes at the foot of the page of their call.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pymupdf
import pytest

from pipeline.checks.validators.client import nu_report
from tests.conftest import FIXTURES, ROOT
from tests.editions.epub.support import epubcheck_problems, epubcheck_reports

CONSTRUCTS = ("tables", "code", "figures", "text", "notes")
TOLERANCE = 0.75
"""Points a box may stand past the text block's edge: rounding, not overflow."""
BODY_SIZE = 10.0
"""The print edition's text size at A5 (print.css), by which body lines are told apart."""
NOTE_START = re.compile(r"^(\d+)\.\s")
KNOWN_CHECK_ERRORS = {
    # The PDF reader takes the highest wide drawing in the lower two thirds of a page for
    # the rule above the notes, so the rules of a table or the tint of a code block there
    # make it read the text below them as notes, and the text comes up short.
    "tables": {"cross.word-count"},
    "code": {"cross.word-count"},
    # The words drawn inside the SVG figure are text in the PDF, and each sub- or
    # superscript is a word of its own there ("C 18 H 32 O 2"): the PDF comes out long.
    "figures": {"cross.word-count"},
    "text": {"cross.word-count"},
    # The document's heading text keeps the number of a note called from the heading
    # ("A heading with a note9"), so the checks that compare headings expect the number in
    # the bookmarks, the EPUB's navigation and the PDF's outline, which rightly leave it out.
    "notes": {"epub.nav-headings", "pdf.bookmarks", "cross.headings"},
}
"""Errors `pipeline check` reports on these fixtures that are the checks' own misreadings,
not faults of the editions; every other error fails the test."""


@dataclass(frozen=True)
class Built:
    name: str
    folder: Path
    returncode: int
    output: str

    def edition(self, suffix: str) -> Path:
        return self.folder / f"constructs-{self.name}{suffix}"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Built]:
    """Every constructs fixture built by `pipeline build`, as a user runs it."""
    out = tmp_path_factory.mktemp("constructs")
    builds = {}
    for name in CONSTRUCTS:
        folder = out / name
        command = [sys.executable, "-m", "pipeline", "build", str(FIXTURES / f"constructs-{name}")]
        result = subprocess.run(
            [*command, "--output-dir", str(folder), "--quiet"],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=300,
        )
        builds[name] = Built(name, folder, result.returncode, result.stdout + result.stderr)
    return builds


@pytest.fixture(scope="module")
def pdfs(built: dict[str, Built]) -> Iterator[dict[str, pymupdf.Document]]:
    opened = {name: pymupdf.open(b.edition(".pdf")) for name, b in built.items()}
    yield opened
    for pdf in opened.values():
        pdf.close()


@pytest.mark.parametrize("name", CONSTRUCTS)
def test_the_build_succeeds(built, name):
    build = built[name]
    assert build.returncode == 0, build.output
    for suffix in (".pdf", ".epub", ".html"):
        assert build.edition(suffix).is_file()


def test_epubcheck_reports_nothing(built):
    epubs = [b.edition(".epub") for b in built.values()]
    reports = epubcheck_reports(epubs)
    problems = {epub.name: epubcheck_problems(report) for epub, report in reports.items()}
    assert problems == {epub.name: [] for epub in epubs}


@pytest.mark.parametrize("name", CONSTRUCTS)
def test_the_nu_checker_finds_no_errors(built, name):
    messages = json.loads(nu_report(built[name].edition(".html")))["messages"]
    assert [m for m in messages if m["type"] in ("error", "non-document-error")] == []


@pytest.mark.parametrize("name", CONSTRUCTS)
def test_pipeline_check_finds_no_errors(built, name):
    """`pipeline check` on the fixture: no error but the checks' known misreadings."""
    command = [sys.executable, "-m", "pipeline", "check", str(FIXTURES / f"constructs-{name}")]
    result = subprocess.run(
        [*command, "--build-dir", str(built[name].folder), "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    report = json.loads(result.stdout)
    errors = [f for f in report["findings"] if f["severity"] == "error"]
    unexpected = [f for f in errors if f["rule"] not in KNOWN_CHECK_ERRORS.get(name, set())]
    assert unexpected == []
    assert not any(f["rule"] == "pdf.note-on-call-page" for f in errors)


# The print edition, measured


SPINE_MARGIN, OUTER_MARGIN = 0.13, 0.10
"""print.css's side margins, as shares of the page's width: wider at the spine."""


def text_block(page: pymupdf.Page) -> tuple[float, float]:
    """The left and right edges of the page's text block, from print.css's margins: the
    spine is on the left of a recto (odd) page and on the right of a verso."""
    width = page.rect.width
    left, right = (
        (SPINE_MARGIN, OUTER_MARGIN) if page.number % 2 == 0 else (OUTER_MARGIN, SPINE_MARGIN)
    )
    return width * left, width * (1 - right)


def justified_ends(pdf: pymupdf.Document) -> Counter:
    """Where lines of body text end, measured from their text block's right edge."""
    ends: Counter = Counter()
    for page in pdf:
        right = text_block(page)[1]
        for line in _lines(page):
            sizes = [span["size"] for span in line["spans"] if span["text"].strip()]
            if sizes and abs(max(sizes) - BODY_SIZE) < 0.1:
                ends[round(line["bbox"][2] - right)] += 1
    return ends


def _lines(page: pymupdf.Page) -> list[dict]:
    return [line for block in page.get_text("dict")["blocks"] for line in block.get("lines", [])]


def outside(pdf: pymupdf.Document) -> list[str]:
    """Every span of text, picture or drawing that stands past the text block's sides."""
    found = []
    for page in pdf:
        left, right = text_block(page)
        boxes = [(f"“{s['text'][:30]}”", s["bbox"]) for line in _lines(page) for s in line["spans"]]
        boxes += [("an image", info["bbox"]) for info in page.get_image_info()]
        boxes += [("a drawing", drawing["rect"]) for drawing in page.get_drawings()]
        for what, box in boxes:
            x0, _y0, x1, _y1 = tuple(box)
            if x1 - x0 > 0.1 and (x0 < left - TOLERANCE or x1 > right + TOLERANCE):
                found.append(f"page {page.number + 1}: {what} at {x0:.1f}–{x1:.1f}")
    return found


@pytest.mark.parametrize("name", CONSTRUCTS)
def test_nothing_stands_outside_the_text_block(pdfs, name):
    assert outside(pdfs[name]) == []


def test_the_justified_lines_end_at_the_text_blocks_edge(pdfs):
    """The margins above are print.css's: most lines of the text end at that edge."""
    assert justified_ends(pdfs["notes"]).most_common(1)[0][0] == 0


def test_the_text_block_reader_sees_what_overflows(pdfs, tmp_path):
    """The measure above finds a line set past the margin."""
    pdf = pymupdf.open()
    pdf.insert_pdf(pdfs["tables"])
    page = pdf[pdf.page_count - 1]
    page.insert_text((text_block(page)[1] + 2, 300), "past", fontsize=BODY_SIZE)
    assert any("“past”" in line for line in outside(pdf))


LEDGER_CUSTOMERS = ("Canal Street Chapel", "Weavers’ Union", "Allotment Society", "Choral Society")
LEDGER_HEADS = ("No.", "Customer", "Job", "Copies", "Promised")


def test_a_long_table_repeats_its_heads_on_every_page(pdfs):
    pages = []
    for page in pdfs["tables"]:
        lines = [
            (line["bbox"][1], "".join(s["text"] for s in line["spans"]).strip())
            for line in _lines(page)
        ]
        rows = [y for y, text in lines if text.startswith(LEDGER_CUSTOMERS)]
        if rows:
            heads = {text for y, text in lines if y < min(rows)}
            pages.append((page.number + 1, set(LEDGER_HEADS) - heads))
    assert len(pages) >= 2, "the order book should run over more than one page"
    assert [missing for _number, missing in pages] == [set()] * len(pages), pages


def _code_lines(page: pymupdf.Page) -> list[tuple[float, str, list[dict]]]:
    """Lines set in the monospaced face: (left edge, text, spans)."""
    found = []
    for line in _lines(page):
        spans = [s for s in line["spans"] if s["text"].strip()]
        if spans and all("Mono" in s["font"] for s in spans):
            text = "".join(s["text"] for s in line["spans"])
            found.append((line["bbox"][0], text, spans))
    return found


def test_a_long_code_line_wraps_with_its_continuation_indented(pdfs):
    lines = [line for page in pdfs["code"] for line in _code_lines(page)]
    texts = [text for _x, text, _s in lines]
    call = next(i for i, text in enumerate(texts) if "print(cast_off(" in text)
    opening = next(x for x, text, _s in lines if text.startswith("if __name__"))
    assert "at the end" not in texts[call], "the long line was not wrapped"
    assert "at the end" in texts[call + 1]
    assert lines[call + 1][0] > opening + 3


def test_highlighting_survives_printing_in_black(pdfs):
    """Keywords bold and comments slanted, not told apart by colour alone."""
    spans = [s for page in pdfs["code"] for _x, _t, line in _code_lines(page) for s in line]
    keywords = [s for s in spans if s["text"].strip() in ("def", "return", "import")]
    comments = [s for s in spans if s["text"].lstrip().startswith("# ")]
    assert keywords and all("Bold" in s["font"] for s in keywords)
    assert comments and all("Oblique" in s["font"] for s in comments)


CAPTIONS = (
    "A proof of four pages",
    "The frame of cases",
    "A hand press seen",
    "A printer’s flower",
)


def test_every_figure_sits_on_its_page_above_its_caption(pdfs):
    pdf = pdfs["figures"]
    placed = []
    for page in pdf:
        images = [pymupdf.Rect(info["bbox"]) for info in page.get_image_info()]
        drawn = [d["rect"] for d in page.get_drawings() if d["rect"].width > 100]
        pictures = images + drawn
        for caption in CAPTIONS:
            for hit in page.search_for(caption):
                above = [p for p in pictures if p.y1 <= hit.y0 + 1 and p.y0 >= 0]
                assert above, f"no picture above “{caption}” on page {page.number + 1}"
                assert all(page.rect.contains(p) for p in above)
                placed.append(caption)
    assert sorted(placed) == sorted(CAPTIONS)


def test_a_tall_figure_is_scaled_to_the_page(pdfs):
    for page in pdfs["figures"]:
        for info in page.get_image_info():
            box = pymupdf.Rect(info["bbox"])
            assert box.y0 >= page.rect.height * 0.05
            assert box.y1 <= page.rect.height * 0.91, f"page {page.number + 1}: {box}"


def note_places(pdf: pymupdf.Document) -> dict[int, tuple[int, set[int]]]:
    """Each note's number: the page its text starts on and the pages that call it."""
    starts: dict[int, int] = {}
    calls: dict[int, set[int]] = {}
    for page in pdf:
        for line in _lines(page):
            spans = [s for s in line["spans"] if s["text"].strip()]
            text = "".join(s["text"] for s in spans).strip()
            marker = NOTE_START.match(text)
            if marker and spans[0]["size"] < BODY_SIZE * 0.9:
                starts.setdefault(int(marker.group(1)), page.number + 1)
                continue
            for span in spans:
                if span["text"].strip().isdigit() and span["size"] < BODY_SIZE * 0.8:
                    calls.setdefault(int(span["text"]), set()).add(page.number + 1)
    return {number: (page, calls.get(number, set())) for number, page in starts.items()}


def test_every_note_stands_on_the_page_of_its_call(pdfs):
    places = note_places(pdfs["notes"])
    assert sorted(places) == list(range(1, 10))
    assert {n: p for n, (p, calls) in places.items() if p not in calls} == {}


def test_a_heading_that_calls_a_note_keeps_the_call_out_of_its_running_head(pdfs):
    pdf = pdfs["notes"]
    bookmarks = [title for _level, title, _page in pdf.get_toc()]
    assert "A heading with a note" in bookmarks
    heads = [
        "".join(s["text"] for s in line["spans"]).strip()
        for page in pdf
        for line in _lines(page)
        if line["bbox"][3] < page.rect.height * 0.09
    ]
    assert "A heading with a note" in heads
    noted = [head for head in heads if head.startswith("A heading with a note")]
    assert not [head for head in noted if head[-1:].isdigit()]


def test_notes_from_headings_and_tables_are_set_as_any_note(pdfs):
    """Not bold like their heading, nor italic like the head of a table."""
    for page in pdfs["notes"]:
        for line in _lines(page):
            text = "".join(s["text"] for s in line["spans"]).strip()
            if NOTE_START.match(text) and line["spans"][0]["size"] < BODY_SIZE * 0.9:
                fonts = {s["font"] for s in line["spans"] if s["text"].strip()}
                assert not any("Bold" in f or "Italic" in f for f in fonts if "Charis" in f)


def test_a_section_break_is_an_ornament_not_a_rule(pdfs):
    pdf = pdfs["text"]
    assert any("*\u2003*\u2003*" in page.get_text() for page in pdf)
    width = pdf[0].rect.width
    for page in pdf:
        rules = [d["rect"] for d in page.get_drawings() if d["rect"].height < 2]
        assert not [r for r in rules if r.width > width / 3 and r.y0 < page.rect.height * 0.7]


def test_verse_keeps_its_lines_and_indents(pdfs):
    """Each line of the verse where it was, its indent measured at its first word."""
    lines: dict[str, float] = {}
    for page in pdfs["text"]:
        words: dict[tuple[int, int], list] = {}
        for x0, _y0, _x1, _y1, word, block, line, _n in page.get_text("words"):
            words.setdefault((block, line), []).append((x0, word))
        for found in words.values():
            lines.setdefault(" ".join(word for _x, word in found), found[0][0])
    first = lines["The type is cold, the ink is slow,"]
    assert lines["the frame stands by the window;"] > first + 5
    assert lines["the line is full, and on we go"] > lines["the frame stands by the window;"] + 5
    assert lines["the setter’s hands know what they know,"] == pytest.approx(first, abs=0.5)


# The web edition in Chromium


WIDE_TABLES = {"tables"}
"""Fixtures whose tables are wider than a phone: they scroll inside their own box, which
axe-core wants focusable (the web edition's markup would need tabindex on them)."""


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("name", CONSTRUCTS)
def test_the_web_page_fits_and_passes_axe(browser, built, name, width, scheme):
    from tests.editions.html.test_browser import OVERFLOW, run_axe

    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    try:
        page = context.new_page()
        page.goto(built[name].edition(".html").as_uri())
        overflow = page.evaluate(OVERFLOW)
        assert overflow["scrollWidth"] <= width
        violations = run_axe(page)
        if name in WIDE_TABLES and width < 600:
            violations = [v for v in violations if v["id"] != "scrollable-region-focusable"]
        assert violations == []
    finally:
        context.close()
