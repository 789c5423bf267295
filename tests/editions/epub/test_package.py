"""The EPUB file as stores and validators see it: EPUBCheck, Ace, reproducible bytes."""

from __future__ import annotations

import datetime as dt
import hashlib
import zipfile

import pytest

from pipeline.build import build
from tests.conftest import FIXTURE_MANUSCRIPTS, SMALL
from tests.editions.epub.support import (
    Epub,
    ace_report,
    ace_violations,
    epubcheck_problems,
    epubcheck_reports,
)

BUILT = ["seed", *FIXTURE_MANUSCRIPTS, "illustrated-split"]
A11Y = (
    "schema:accessMode",
    "schema:accessModeSufficient",
    "schema:accessibilityFeature",
    "schema:accessibilityHazard",
    "schema:accessibilitySummary",
    "dcterms:conformsTo",
)
EPOCH = 1_700_000_000


@pytest.fixture(scope="module")
def epubcheck_results(epub_builds, tmp_path_factory) -> dict[str, dict]:
    """EPUBCheck's report on every EPUB the session built, from a single Java process."""
    reports = epubcheck_reports(list(epub_builds.values()), tmp_path_factory.mktemp("epubcheck"))
    return {name: reports[path] for name, path in epub_builds.items()}


@pytest.mark.parametrize("name", BUILT)
def test_epubcheck_reports_no_error_and_no_warning(name, epubcheck_results):
    report = epubcheck_results[name]
    assert report["checker"]["checkerVersion"].startswith("5.")
    assert epubcheck_problems(report) == []
    assert report["checker"]["nError"] == report["checker"]["nWarning"] == 0
    assert report["checker"]["nFatal"] == 0
    assert report["publication"]["ePubVersion"] == "3.3"


@pytest.mark.parametrize("name", ["seed", "illustrated"])
def test_ace_finds_no_accessibility_violation(name, epub_builds, tmp_path):
    report = ace_report(epub_builds[name], tmp_path)
    assert ace_violations(report) == []
    assert report["earl:result"]["earl:outcome"] == "pass"
    assert set(A11Y) <= set(report["a11y-metadata"]["present"])


@pytest.mark.parametrize("name", ["seed", "small", "illustrated"])
def test_accessibility_metadata_is_declared(name, epub_builds):
    book = Epub(epub_builds[name])
    for prop in A11Y:
        assert book.metadata(prop), f"no {prop}"
    assert book.metadata("schema:accessMode") == ["textual", "visual"]
    assert book.metadata("schema:accessModeSufficient") == ["textual", "textual,visual"]
    assert book.metadata("schema:accessibilityHazard") == ["none"]
    assert book.metadata("dcterms:conformsTo") == ["EPUB Accessibility 1.1 - WCAG 2.1 Level AA"]
    features = set(book.metadata("schema:accessibilityFeature"))
    assert {"structuralNavigation", "tableOfContents", "readingOrder"} <= features
    assert "alternativeText" in features


def test_two_builds_with_source_date_epoch_give_the_same_bytes(monkeypatch, tmp_path):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
    first = build(SMALL, ["epub"], tmp_path / "first")[0].path
    second = build(SMALL, ["epub"], tmp_path / "second")[0].path
    digests = {hashlib.sha256(path.read_bytes()).hexdigest() for path in (first, second)}
    assert len(digests) == 1
    when = dt.datetime.fromtimestamp(EPOCH, tz=dt.UTC)
    with zipfile.ZipFile(first) as archive:
        entries = archive.infolist()
    assert entries[0].filename == "mimetype"
    assert entries[0].compress_type == zipfile.ZIP_STORED
    assert entries[0].extra == b""
    assert {entry.date_time for entry in entries} == {when.timetuple()[:6]}
    assert Epub(first).metadata("dcterms:modified") == [when.strftime("%Y-%m-%dT%H:%M:%SZ")]


def test_mimetype_comes_first_and_uncompressed(epub_builds):
    data = epub_builds["seed"].read_bytes()
    assert data[30:38] == b"mimetype"
    assert data[38:58] == b"application/epub+zip"
