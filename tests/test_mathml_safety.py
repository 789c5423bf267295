"""MathML passes into the Document, pandoc's untouched; raw MathML in a manuscript keeps
only what draws a formula: no links, handlers, images, foreign markup or url() styles."""

from __future__ import annotations

import lxml.etree
import lxml.html
import pytest

from pipeline.document import parse
from pipeline.manuscript import load_manuscript
from pipeline.sanitize import MATHML_NAMESPACE, clean_mathml, sanitize

PANDOC_MATH = (
    '<p>A <math display="inline" xmlns="http://www.w3.org/1998/Math/MathML"><semantics><mrow>'
    "<mi>E</mi><mo>=</mo><mi>m</mi><msup><mi>c</mi><mn>2</mn></msup></mrow>"
    '<annotation encoding="application/x-tex">E = mc^2</annotation></semantics></math> b.</p>'
    '<p><math display="block" xmlns="http://www.w3.org/1998/Math/MathML"><semantics><mrow>'
    '<mtable><mtr><mtd columnalign="center" style="text-align: center"><mi>a</mi></mtd></mtr>'
    '</mtable><mspace width="0.167em"></mspace><mo stretchy="false" form="prefix">(</mo>'
    "</mrow></semantics></math></p>"
)
HOSTILE = (
    '<math xmlns="http://example.org/not-mathml" altimg="http://example.org/a.png" '
    'onclick="steal()"><semantics><mrow href="http://example.org" xlink:href="javascript:x()" '
    'style="background: url(http://example.org/b.png)"><mi mathcolor="red">x</mi>'
    '<a href="http://example.org">link</a><mglyph src="http://example.org/g.png"></mglyph>'
    '<maction actiontype="statusline"><mi>y</mi></maction></mrow>'
    '<annotation-xml encoding="text/html"><img src="http://example.org/c.png"></annotation-xml>'
    "</semantics></math>"
)


def _body(markup: str):
    return lxml.html.fragment_fromstring(markup, create_parent="div")


def test_pandoc_mathml_passes_unchanged():
    body = _body(PANDOC_MATH)
    before = lxml.html.tostring(body)
    assert sanitize(body) == []
    assert lxml.html.tostring(body) == before


def test_raw_mathml_keeps_only_what_draws_the_formula():
    body = _body(f"<p>{HOSTILE}</p>")
    removed = [r.what for r in sanitize(body)]
    markup = lxml.html.tostring(body, encoding="unicode")
    for gone in ("example.org", "steal", "javascript", "url(", "<a ", "mglyph", "maction"):
        assert gone not in markup, markup
    assert "<img" not in markup and "annotation-xml" not in markup
    assert '<mi mathcolor="red">x</mi>' in markup
    assert body.find(".//math").get("xmlns") == MATHML_NAMESPACE
    for what in (
        "altimg attribute on <math>",
        "onclick attribute on <math>",
        "href attribute on <mrow>",
        "xlink:href attribute on <mrow>",
        "style with url() on <mrow>",
        "<a> element inside <math>",
        "<mglyph> element inside <math>",
        "<maction> element inside <math>",
        "<annotation-xml> element inside <math>",
    ):
        assert what in removed, removed


def test_a_math_element_without_a_namespace_is_given_mathml_s():
    math = _body("<p><math><mi>x</mi></math></p>").find(".//math")
    assert clean_mathml(math) == []
    assert math.get("xmlns") == MATHML_NAMESPACE


def test_deeply_nested_mathml_is_cleaned_without_recursion():
    math = inner = lxml.html.Element("math")
    for _level in range(5000):
        inner = lxml.etree.SubElement(inner, "mrow")
    lxml.etree.SubElement(inner, "mi", onclick="x()").text = "x"
    removed = clean_mathml(math)
    assert [r.what for r in removed] == ["onclick attribute on <mi>"]


@pytest.fixture
def with_math(small_copy):
    (small_copy / "text.md").write_text(
        'Energy $E = mc^2$ and raw <math><mi href="http://example.org">x</mi></math>.\n',
        encoding="utf-8",
    )
    return small_copy


def test_the_document_keeps_pandoc_s_mathml_and_reports_raw_removals(with_math):
    document = parse(load_manuscript(with_math))
    formulas = document.body.findall(".//math")
    assert len(formulas) == 2
    assert formulas[0].xpath("string(.//annotation)") == "E = mc^2"
    assert "href" not in formulas[1].find(".//mi").attrib
    assert any("text.md:1: removed href attribute on <mi>" in w for w in document.warnings)
