"""TeX math in the print edition: each formula drawn as vector art from its MathML, set on
the baseline at the size of its text, with its TeX as the tagged PDF's alternative text."""

from __future__ import annotations

import logging
import re
import shutil
from pathlib import Path

import lxml.html
import pymupdf
import pytest

from pipeline.build import build
from pipeline.document import parse
from pipeline.layout import markup
from pipeline.layout import math as print_math
from pipeline.manuscript import load_manuscript
from tests.conftest import FIXTURES

MATH = FIXTURES / "math"
TEXT_PAGE = 2
"""The page (0-based) of the math fixture's text, after the title page and the colophon."""
FORMULA_GLYPHS = "∑∫∞πθ=√"
"""Characters that occur in the fixture only inside formulas."""
MONO = "DejaVu-Sans-Mono"
"""The code type, as its name stands in the PDF (after the subset's prefix)."""


@pytest.fixture(scope="module")
def pdf(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("math-pdf")
    return build(MATH, ["pdf"], out_dir=out)[0].path


@pytest.fixture(scope="module")
def page(pdf):
    with pymupdf.open(pdf) as document:
        yield document[TEXT_PAGE]


def _word(page, text: str, after: float = 0.0):
    """The first word ``text`` on the page below ``after`` (its top), as a Rect."""
    for x0, y0, x1, y1, word, *_ in page.get_text("words"):
        if word == text and y0 >= after:
            return pymupdf.Rect(x0, y0, x1, y1)
    raise AssertionError(f"no word {text!r} on the page")


def _drawings_in(page, area: pymupdf.Rect) -> list[pymupdf.Rect]:
    """The filled shapes lying inside ``area`` (give or take 2 pt up and down)."""
    room = pymupdf.Rect(area.x0 - 0.5, area.y0 - 2, area.x1 + 0.5, area.y1 + 2)
    return [d["rect"] for d in page.get_drawings() if d["fill"] and room.contains(d["rect"])]


def _baseline(page, text: str) -> float:
    for block in page.get_text("rawdict")["blocks"]:
        for line in block.get("lines", []):
            for span in line["spans"]:
                if "".join(c["c"] for c in span["chars"]).startswith(text):
                    return span["origin"][1]
    raise AssertionError(f"no span starting {text!r}")


def _alternative_texts(pdf: Path) -> dict[str, str]:
    """Each /Alt of the PDF's structure tree, with the structure type that carries it."""
    found = {}
    with pymupdf.open(pdf) as document:
        for xref in range(1, document.xref_length()):
            kind, alt = document.xref_get_key(xref, "Alt")
            if kind == "string":
                found[alt] = document.xref_get_key(xref, "S")[1]
    return found


def test_formulas_leave_no_text_in_the_pdf(page):
    text = page.get_text()
    assert "Mass and energy are one:" in text
    assert not [glyph for glyph in FORMULA_GLYPHS if glyph in text], text
    assert "mc2" not in text and "mc^2" not in text
    assert MONO not in " ".join(font[3] for font in page.get_fonts())


def test_an_inline_formula_is_drawn_where_it_stands_on_the_baseline(page):
    before, after = _word(page, "one:"), _word(page, ",")
    area = pymupdf.Rect(before.x1, before.y0, after.x0, before.y1)
    glyphs = sorted(_drawings_in(page, area), key=lambda r: r.x0)
    assert len(glyphs) >= 5, glyphs  # E, =, m, c, 2
    capital_e = glyphs[0]
    assert capital_e.y1 == pytest.approx(_baseline(page, "Mass and energy"), abs=0.2)
    assert 0.6 < capital_e.height / 10 < 0.72  # a capital's height, in em of the 10 pt text


def test_display_math_is_a_centred_block_of_vector_art(page):
    lead_in, follow = _word(page, "curve"), _word(page, "comes")
    area = pymupdf.Rect(0, lead_in.y1, page.rect.width, follow.y0)
    drawings = _drawings_in(page, area)
    assert len(drawings) >= 8, drawings
    left, right = _word(page, "Gauss").x0, _word(page, "young").x1  # the measure
    formula = pymupdf.Rect(drawings[0])
    for rect in drawings:
        formula |= rect
    assert (formula.x0 + formula.x1) / 2 == pytest.approx((left + right) / 2, abs=2)
    assert formula.x0 > left + 20 and formula.y0 > lead_in.y1 + 2


def test_a_formula_wider_than_the_measure_is_scaled_into_it(page):
    start, end = _word(page, "screen:"), _word(page, "matrix")
    area = pymupdf.Rect(0, start.y1, page.rect.width, end.y0)
    drawings = _drawings_in(page, area)
    assert len(drawings) > 40
    assert min(r.x0 for r in drawings) >= _word(page, "Gauss").x0 - 0.5
    assert max(r.x1 for r in drawings) <= _word(page, "young").x1 + 0.5


def test_a_formula_in_a_note_is_drawn_in_the_note(page):
    text_end = _word(page, "determinant").y1  # the note sits at the foot of the page
    add, moments = _word(page, "add", after=text_end), _word(page, "moments.", after=text_end)
    area = pymupdf.Rect(add.x1, add.y0, moments.x0, add.y1)
    glyphs = _drawings_in(page, area)
    assert len(glyphs) >= 10  # 1 + 2 + … + 100 = 5050
    assert max(r.height for r in glyphs) < 0.72 * 10 * 0.9  # smaller than the text's


def test_the_alternative_text_of_each_formula_is_its_tex(pdf):
    alts = _alternative_texts(pdf)
    for tex in (
        "E = mc^2",
        r"\sum_{i=1}^n i = \frac{n(n+1)}{2}",
        r"\int_0^\infty e^{-x^2}\,dx = \frac{\sqrt{\pi}}{2}",
        r"1 + 2 + \dots + 100 = 5050",
    ):
        assert alts.get(tex) == "/Figure", sorted(alts)
    assert any(r"\begin{pmatrix}" in alt for alt in alts)


def test_each_formula_is_drawn_once_however_often_the_pages_are_laid_out(monkeypatch):
    document = parse(load_manuscript(MATH))
    drawn: list[str] = []
    real = print_math.draw

    def counting(math):
        drawn.append(print_math.tex_source(math))
        return real(math)

    monkeypatch.setattr(print_math, "draw", counting)
    first = markup.render(document)
    after_first = len(drawn)
    second = markup.render(document)
    assert first == second
    assert after_first == len(set(drawn)) >= 9
    assert len(drawn) == after_first
    assert "<math" not in first and first.count('class="math ') >= 10


def test_semantics_are_unwrapped_and_annotations_left_out():
    math = lxml.html.fragment_fromstring(
        '<math display="inline" xmlns="http://www.w3.org/1998/Math/MathML"><semantics>'
        '<mrow><mi>x</mi></mrow><annotation encoding="application/x-tex">x</annotation>'
        "</semantics></math>"
    )
    tree = print_math.mathml_tree(math)
    assert [e.tag for e in tree.iter()] == ["math", "mrow", "mi"]
    assert tree.get("display") == "inline" and "xmlns" not in tree.attrib
    assert print_math.tex_source(math) == "x"


def test_an_element_ziamath_does_not_draw_is_an_error_not_a_wrong_drawing():
    math = lxml.html.fragment_fromstring("<math><mrow><mglyph></mglyph></mrow></math>")
    with pytest.raises(ValueError, match="mglyph"):
        print_math.draw(math)


UNDRAWABLE = (
    "A fraction with no denominator: "
    '<math><semantics><mfrac><mi>a</mi></mfrac><annotation encoding="application/x-tex">'
    "a over nothing</annotation></semantics></math> stands here.\n"
)
UNCONVERTIBLE = "A macro no converter knows: $\\foo{x}\\begin{zzz}$, shown as TeX.\n"


@pytest.fixture(scope="module")
def fallbacks(tmp_path_factory) -> tuple[Path, list[str]]:
    """The print edition of a text with a formula pandoc cannot convert and one ziamath
    cannot draw, with the warnings logged while it was built."""
    folder = tmp_path_factory.mktemp("math-fallback") / "manuscript"
    shutil.copytree(MATH, folder)
    (folder / "text.md").write_text(f"{UNCONVERTIBLE}\n{UNDRAWABLE}", encoding="utf-8")
    records: list[logging.LogRecord] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = records.append  # type: ignore[method-assign]
    logger = logging.getLogger("pipeline.layout")
    logger.addHandler(handler)
    try:
        warned: list[str] = []
        built = build(folder, ["pdf"], out_dir=folder.parent / "out", warn=warned.append)
    finally:
        logger.removeHandler(handler)
    return built[0].path, warned + [r.getMessage() for r in records]


def _mono_text(pdf: Path) -> str:
    with pymupdf.open(pdf) as document:
        page = document[TEXT_PAGE]
        spans = [
            span
            for block in page.get_text("dict")["blocks"]
            for line in block.get("lines", [])
            for span in line["spans"]
        ]
    return "".join(span["text"] for span in spans if MONO in span["font"])


def test_a_formula_ziamath_cannot_draw_is_printed_as_tex_with_a_warning(fallbacks):
    pdf, warnings = fallbacks
    assert "$a over nothing$" in _mono_text(pdf)
    drawn = [w for w in warnings if "cannot be drawn" in w]
    assert len(drawn) == 1, warnings
    assert re.search(r"text\.md:3: the formula 'a over nothing' cannot be drawn", drawn[0])


def test_a_formula_pandoc_cannot_convert_is_printed_as_tex_in_code_type(fallbacks):
    pdf, warnings = fallbacks
    assert "$\\foo{x}\\begin{zzz}$" in _mono_text(pdf)
    assert any("\\foo{x}" in w and "text.md:1" in w for w in warnings), warnings
