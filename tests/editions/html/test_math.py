"""TeX math in the web edition: MathML the browser sets, valid for the Nu checker, display
formulas centred and a formula wider than the column scrolling inside it."""

from __future__ import annotations

import json
from pathlib import Path

import lxml.html
import pytest
from playwright.sync_api import Browser

from pipeline.build import build
from pipeline.checks.validators.client import nu_report
from tests.conftest import FIXTURES

FORMULAS = """() => [...document.querySelectorAll('math')].map((math) => {
  const box = math.getBoundingClientRect();
  const column = math.closest('p').getBoundingClientRect();
  const ink = [...math.querySelectorAll('mrow, mi, mn, mo, mtable')]
    .map((e) => e.getBoundingClientRect()).filter((r) => r.width > 0);
  return {display: math.getAttribute('display'), left: box.left, right: box.right,
          height: box.height, scroll: math.scrollWidth, client: math.clientWidth,
          columnLeft: column.left, columnRight: column.right,
          inkLeft: Math.min(...ink.map((r) => r.left)),
          inkRight: Math.max(...ink.map((r) => r.right))};
})"""
PAGE_WIDTH = "() => [document.documentElement.scrollWidth, window.innerWidth]"


@pytest.fixture(scope="module")
def page_path(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("math-html")
    return build(FIXTURES / "math", ["html"], out_dir=out)[0].path


def _formulas(browser: Browser, path: Path, width: int, shot: Path) -> tuple[list, list]:
    page = browser.new_page(viewport={"width": width, "height": 900})
    try:
        page.goto(path.as_uri())
        page.screenshot(path=str(shot), full_page=True)
        return page.evaluate(FORMULAS), page.evaluate(PAGE_WIDTH)
    finally:
        page.close()


def test_the_page_carries_the_formulas_as_mathml(page_path):
    tree = lxml.html.parse(str(page_path)).getroot()
    formulas = tree.xpath("//math")
    assert len(formulas) == 10
    assert all(m.get("xmlns") == "http://www.w3.org/1998/Math/MathML" for m in formulas)
    notes = tree.xpath("//*[@role='doc-footnote']//math")
    assert len(notes) == 1


def test_the_nu_checker_reports_nothing(page_path):
    assert json.loads(nu_report(page_path))["messages"] == []


def test_display_formulas_are_centred_in_the_column(browser, page_path, tmp_path):
    formulas, _ = _formulas(browser, page_path, 1280, tmp_path / "wide.png")
    display = [f for f in formulas if f["display"] == "block" and f["scroll"] <= f["client"]]
    assert len(display) == 2
    for formula in display:
        middle = (formula["inkLeft"] + formula["inkRight"]) / 2
        assert middle == pytest.approx((formula["columnLeft"] + formula["columnRight"]) / 2, abs=3)
        assert formula["inkLeft"] > formula["columnLeft"] + 40


@pytest.mark.parametrize("width", [320, 375, 1280])
def test_a_wide_formula_scrolls_instead_of_widening_the_page(browser, page_path, tmp_path, width):
    formulas, (scroll_width, inner_width) = _formulas(
        browser, page_path, width, tmp_path / f"page-{width}.png"
    )
    assert scroll_width == inner_width
    wide = [f for f in formulas if f["scroll"] > f["client"] + 1]
    assert len(wide) == 1 and wide[0]["display"] == "block"
    assert wide[0]["right"] <= wide[0]["columnRight"] + 0.5
    assert all(f["right"] <= width for f in formulas)
    assert all(f["height"] > 0 for f in formulas)
