"""TeX math in the EPUB: MathML in the content documents, declared in the manifest and in
the accessibility metadata, and passed by EPUBCheck."""

from __future__ import annotations

import pytest

from pipeline.build import build
from pipeline.checks.extract import NS
from pipeline.editions.epub.metadata import AccessibilityFacts, accessibility_features
from tests.conftest import FIXTURES
from tests.editions.epub.support import Epub, epubcheck_problems, epubcheck_reports

MATHML = "http://www.w3.org/1998/Math/MathML"
M = {"m": MATHML}


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> Epub:
    out = tmp_path_factory.mktemp("math-epub")
    return Epub(build(FIXTURES / "math", ["epub"], out_dir=out)[0].path)


def test_formulas_are_mathml_with_their_tex(book):
    formulas = [m for root in book.documents.values() for m in root.iter(f"{{{MATHML}}}math")]
    assert len(formulas) == 10
    tex = [
        m.xpath("string(.//m:annotation[@encoding='application/x-tex'])", namespaces=M)
        for m in formulas
    ]
    assert "E = mc^2" in tex and r"1 + 2 + \dots + 100 = 5050" in tex
    assert [m.get("display") for m in formulas].count("block") == 3


def test_every_document_with_math_and_only_those_are_declared_mathml(book):
    declared = {item.get("href") for item in book.manifest(properties="mathml")}
    with_math = {
        href for href, root in book.documents.items() if root.xpath("//m:math", namespaces=M)
    }
    assert len(with_math) >= 2
    assert declared == with_math


def test_the_note_with_math_is_in_a_document_declared_mathml(book):
    declared = {item.get("href") for item in book.manifest(properties="mathml")}
    holding = [
        href
        for href, root in book.documents.items()
        if root.xpath("//x:aside[@epub:type='footnote']//m:math", namespaces={**M, **NS})
    ]
    assert holding and set(holding) <= declared


def test_the_accessibility_features_name_mathml(book):
    assert "MathML" in book.metadata("schema:accessibilityFeature")
    plain = AccessibilityFacts(page_list=True, images=False, images_without_alt=0)
    assert "MathML" not in accessibility_features(plain)


def test_epubcheck_reports_no_error_and_no_warning(book, tmp_path):
    report = epubcheck_reports([book.path], tmp_path)[book.path]
    assert epubcheck_problems(report) == []
    assert report["checker"]["nError"] == report["checker"]["nWarning"] == 0
    assert report["checker"]["nFatal"] == 0
