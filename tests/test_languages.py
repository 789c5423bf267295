"""The same text in many languages and scripts, built into every edition and read back.

Each folder of tests/languages/ holds the preamble and the first articles of the Universal
Declaration of Human Rights in one language, with one footnote and one citation (see
tests/languages/README.md). Every fixture is built once, in every edition, and the files
are read back: the print edition draws a glyph for every character and carries every word
of the manuscript; right-to-left languages hang their lines from the right margin and set
the EPUB right to left; and `pipeline check` finds no error.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from collections import Counter
from pathlib import Path

import lxml.etree
import lxml.html
import pymupdf
import pytest

from pipeline.build import build
from pipeline.checks.extract import (
    HEAD_ZONE_SHARE,
    _is_folio,
    front_matter_pages,
    opf_path,
    read_pdf,
)
from pipeline.checks.registry import Severity
from pipeline.checks.run import Report, run_checks

LANGUAGES = Path(__file__).resolve().parent / "languages"
TAGS = tuple(sorted(p.name for p in LANGUAGES.iterdir() if (p / "metadata.yaml").is_file()))
RIGHT_TO_LEFT = frozenset({"ar", "fa", "ur", "he"})
PDF_EDITIONS = ("pdf", "booklet", "cover")
VALIDATOR_WARNINGS = {"epub.epubcheck-warning"}
CALLS = re.compile(r"\[\^[^\]]+\]:?|\[@[^\]]+\]")
"""Note calls, note labels and citations: markup, not words of the text."""
OPF = "http://www.idpf.org/2007/opf"
XHTML_ROOT = "{http://www.w3.org/1999/xhtml}html"
SHORT_LINE_SHARE = 0.25
"""A line that stops this share of the measure short of a margin ends a paragraph."""
INDENT_PT = 13.0
"""The first-line indent (1.2em of 10 pt) and a point of slack."""


class Builds:
    """Each fixture's editions and check report, made the first time a test asks, so that a
    fixture that fails to build fails only its own tests."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self._editions: dict[str, dict[str, Path] | Exception] = {}
        self._reports: dict[str, Report] = {}

    def editions(self, tag: str) -> dict[str, Path]:
        if tag not in self._editions:
            try:
                built = build(LANGUAGES / tag, out_dir=self.out / tag)
                self._editions[tag] = {edition.name: edition.path for edition in built}
            except Exception as error:  # reported by each test of the tag
                self._editions[tag] = error
        found = self._editions[tag]
        if isinstance(found, Exception):
            pytest.fail(f"{tag}: the build failed: {found}")
        return found

    def report(self, tag: str) -> Report:
        self.editions(tag)
        if tag not in self._reports:
            self._reports[tag] = run_checks(LANGUAGES / tag, self.out / tag)
        return self._reports[tag]


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> Builds:
    return Builds(tmp_path_factory.mktemp("languages"))


def test_the_fixtures_cover_the_scripts_promised():
    assert len(TAGS) >= 14
    wanted = {"ar", "fa", "ur", "he", "hi", "bn", "th", "zh-Hans", "zh-Hant", "ja", "ko"}
    assert wanted | {"ru", "tr", "vi", "el", "de", "fr"} <= set(TAGS)
    readme = (LANGUAGES / "README.md").read_text(encoding="utf-8")
    for tag in TAGS:
        assert f"`{tag}`" in readme, f"tests/languages/README.md does not record {tag}"


@pytest.mark.parametrize("tag", TAGS)
def test_every_character_has_a_glyph(builds, tag):
    """Glyph 0 is the font's .notdef box: a character no font could draw."""
    editions = builds.editions(tag)
    for name in PDF_EDITIONS:
        missing = missing_glyphs(editions[name])
        assert missing == [], f"{tag} {name}: no glyph for {missing[:10]}"


def missing_glyphs(path: Path) -> list[str]:
    found = []
    with pymupdf.open(path) as pdf:
        for page in pdf:
            for span in page.get_texttrace():
                found.extend(
                    f"U+{char[0]:04X} p. {page.number + 1}"
                    for char in span["chars"]
                    if char[1] == 0
                )
    return found


@pytest.mark.parametrize("tag", TAGS)
def test_the_print_edition_carries_every_word(builds, tag):
    """Every word of the manuscript (for Thai, Chinese and Japanese, which set no spaces,
    every run of letters between punctuation) is in the PDF's text, compared letter for
    letter after NFC: no character lost, changed or reordered on its way to the page."""
    content = read_pdf(builds.editions(tag)["pdf"])
    printed = letters(" ".join([content.text, *content.notes]))
    source = (LANGUAGES / tag / "text.md").read_text(encoding="utf-8")
    words = manuscript_words(source)
    assert len(words) > 20
    missing = [word for word in words if word not in printed]
    assert missing == [], f"{tag}: {len(missing)} of {len(words)} words not printed: {missing[:6]}"


def manuscript_words(markdown: str) -> list[str]:
    """The text's words: runs of letters, marks and digits, without markup."""
    text = CALLS.sub(" ", markdown).replace("\\", "")
    text = re.sub(r"^#+ ", "", text, flags=re.MULTILINE)
    return [word for word in re.split(r"\s+", separated(text)) if word]


def separated(text: str) -> str:
    """NFC, case folded, format characters (ZWJ, ZWNJ) dropped and every character that is
    not a letter, mark or digit turned into a space."""
    text = unicodedata.normalize("NFC", text).casefold()
    kept = []
    for char in text:
        kind = unicodedata.category(char)
        if kind[0] in "LMN":
            kept.append(char)
        elif kind != "Cf":
            kept.append(" ")
    return "".join(kept)


def letters(text: str) -> str:
    return separated(text).replace(" ", "")


@pytest.mark.parametrize("tag", TAGS)
def test_lines_hang_from_the_margin_the_script_starts_at(builds, tag):
    """Justified lines fill the measure; the last line of a paragraph stops short at the
    end of the line: the left for right-to-left text, the right otherwise. Only the
    first-line indent may keep a line from the margin the text starts at. Edges are
    measured from each page's text block (left and right pages have their own margins)."""
    pages = body_lines(builds.editions(tag)["pdf"])
    lines = [line for page in pages for line in page]
    assert len(lines) > 10, f"{tag}: {len(lines)} body lines found"
    start, end = [], []
    for page in pages:
        left = min(x0 for x0, _x1 in page)
        right = max(x1 for _x0, x1 in page)
        for x0, x1 in page:
            gaps = (right - x1, x0 - left) if tag in RIGHT_TO_LEFT else (x0 - left, right - x1)
            start.append(gaps[0])
            end.append(gaps[1] / (right - left))
    side = "right" if tag in RIGHT_TO_LEFT else "left"
    assert max(start) <= INDENT_PT, (
        f"{tag}: a line starts {max(start):.1f} pt in from the {side} margin"
    )
    assert max(end) >= SHORT_LINE_SHARE, f"{tag}: no line stops short of the other margin"


def body_lines(path: Path) -> list[list[tuple[float, float]]]:
    """For each page of the text (not the front matter or the bibliography's pages), the
    left and right edges of its lines of running text: the body size, not headings or
    notes. Pieces of one line (PyMuPDF splits a line at a wide gap or a change of font)
    are joined by their baseline."""
    with pymupdf.open(path) as pdf:
        toc = pdf.get_toc()
        last_page = toc[-1][2] - 1 if toc else pdf.page_count
        pages = [pdf[n] for n in range(front_matter_pages(pdf), last_page)]
        sizes = Counter(
            round(span["size"], 1)
            for page in pages
            for line in text_dict_lines(page)
            for span in line["spans"]
            for _char in span["text"]
        )
        body_size = sizes.most_common(1)[0][0]
        edges = []
        for page in pages:
            height = page.rect.height
            rows: dict[float, list[float]] = {}
            for line in text_dict_lines(page):
                x0, top, x1, _bottom = line["bbox"]
                size = max(round(span["size"], 1) for span in line["spans"])
                text = "".join(span["text"] for span in line["spans"]).strip()
                in_margin = top < height * HEAD_ZONE_SHARE or _is_folio((top, x0, text, x1), height)
                if size != body_size or not text or in_margin:
                    continue
                baseline = line["spans"][0]["origin"][1]
                # A raised mark is a piece of its own, a point or two off the baseline.
                near = [b for b in rows if abs(b - baseline) < 0.3 * body_size]
                row = rows.setdefault(near[0] if near else baseline, [x0, x1])
                row[:] = [min(row[0], x0), max(row[1], x1)]
            if rows:
                edges.append([(x0, x1) for x0, x1 in rows.values()])
        return edges


def text_dict_lines(page) -> list[dict]:
    return [
        line
        for block in page.get_text("dict")["blocks"]
        if block.get("type") == 0
        for line in block["lines"]
    ]


@pytest.mark.parametrize("tag", TAGS)
def test_the_epub_reads_in_the_direction_of_the_script(builds, tag):
    direction = "rtl" if tag in RIGHT_TO_LEFT else None
    with zipfile.ZipFile(builds.editions(tag)["epub"]) as epub:
        opf = lxml.etree.fromstring(epub.read(opf_path(epub)))
        spine = opf.find(f"{{{OPF}}}spine")
        progression = spine.get("page-progression-direction")
        if direction:
            assert progression == "rtl", f"{tag}: the spine reads {progression!r}"
        else:
            assert progression in (None, "ltr", "default"), f"{tag}: the spine reads rtl"
        documents = [n for n in epub.namelist() if n.endswith(".xhtml")]
        assert documents
        for name in documents:
            root = lxml.etree.fromstring(epub.read(name))
            assert root.tag == XHTML_ROOT
            if direction:
                assert root.get("dir") == "rtl", f"{tag} {name}: root dir={root.get('dir')!r}"
            else:
                assert root.get("dir") != "rtl", f"{tag} {name}: set right to left"


@pytest.mark.parametrize("tag", sorted(RIGHT_TO_LEFT))
def test_the_web_page_reads_right_to_left(builds, tag):
    page = lxml.html.parse(str(builds.editions(tag)["html"])).getroot()
    assert page.get("dir") == "rtl", f"{tag}: <html dir={page.get('dir')!r}>"


@pytest.mark.parametrize("tag", TAGS)
def test_pipeline_check_finds_no_error(builds, tag):
    report = builds.report(tag)
    assert "epub" in report.checked and "pdf" in report.checked and "html" in report.checked
    found = [
        f"{f.rule} {f.place}: {f.message}"
        for f in report.findings
        if f.severity is Severity.ERROR or f.rule in VALIDATOR_WARNINGS
    ]
    assert found == [], f"{tag}: pipeline check reports {len(found)}, first {found[:3]}"


@pytest.mark.parametrize("tag", TAGS)
def test_axe_finds_no_violations_in_the_web_page(builds, browser, tag):
    """axe-core (WCAG 2 A and AA) on the web page of each language, at a phone's width."""
    from tests.editions.html.test_browser import run_axe

    context = browser.new_context(viewport={"width": 390, "height": 900})
    try:
        page = context.new_page()
        page.goto(builds.editions(tag)["html"].as_uri())
        assert run_axe(page) == [], tag
    finally:
        context.close()


ACE_TAGS = ("ar", "he", "hi", "ja", "th", "zh-Hans")
"""A script of each kind, for Ace by DAISY, whose run takes several seconds."""


@pytest.mark.parametrize("tag", ACE_TAGS)
def test_ace_finds_no_violations_in_the_epub(builds, tmp_path, tag):
    from tests.editions.epub.support import ace_report, ace_violations

    assert ace_violations(ace_report(builds.editions(tag)["epub"], tmp_path)) == []
