"""The words the EPUB adds come from styles/labels/<lang>.yaml, English when there is none."""

from __future__ import annotations

import io
import logging
import re
import shutil
import zipfile
from pathlib import Path

import lxml.etree
import pytest

from pipeline.document import parse
from pipeline.editions.epub import assemble
from pipeline.labels import candidates, labels_for, load_labels
from pipeline.layout import PrintLayout
from pipeline.manuscript import load_manuscript
from tests.conftest import ROOT
from tests.editions.epub.support import OPF

NS = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops"}


@pytest.fixture
def styles(tmp_path: Path) -> Path:
    """A private copy of the shared styles folder."""
    target = tmp_path / "styles"
    shutil.copytree(ROOT / "styles", target)
    return target


def set_lang(manuscript: Path, lang: str) -> None:
    path = manuscript / "metadata.yaml"
    text = re.sub(r"(?m)^lang: .*$", f"lang: {lang}", path.read_text(encoding="utf-8"))
    path.write_text(text, encoding="utf-8")


def built(manuscript: Path, styles: Path) -> dict[str, bytes]:
    epub = assemble(parse(load_manuscript(manuscript, styles)), PrintLayout())
    with zipfile.ZipFile(io.BytesIO(epub)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def nav_words(files: dict[str, bytes]) -> tuple[str, list[str]]:
    nav = lxml.etree.fromstring(files["EPUB/nav.xhtml"])
    title = nav.xpath("string(//x:h1[@id='toc-title'])", namespaces=NS)
    marks = nav.xpath("//x:nav[@epub:type='landmarks']//x:a/text()", namespaces=NS)
    return title, marks


def test_the_english_words_come_from_en_yaml(small_copy, styles):
    english = styles / "labels" / "en.yaml"
    text = english.read_text(encoding="utf-8")
    text = text.replace("contents: Contents", "contents: Table of contents")
    text = text.replace("start_of_text: Start of text", "start_of_text: Begin here")
    english.write_text(text, encoding="utf-8")
    files = built(small_copy, styles)
    title, marks = nav_words(files)
    assert title == "Table of contents"
    assert "Begin here" in marks and "Table of contents" in marks
    guide = lxml.etree.fromstring(files["EPUB/content.opf"]).xpath(
        "//opf:guide/opf:reference/@title", namespaces=OPF
    )
    assert "Begin here" in guide


def test_a_language_file_gives_its_words_and_english_fills_the_rest(small_copy, styles, caplog):
    (styles / "labels" / "nl.yaml").write_text(
        "contents: Inhoud\ncover: Omslag\nsummary_notes: Noten openen bij hun nummer.\n",
        encoding="utf-8",
    )
    set_lang(small_copy, "nl-BE")
    with caplog.at_level(logging.WARNING, logger="pipeline.labels"):
        labels = labels_for(load_manuscript(small_copy, styles))
        files = built(small_copy, styles)
    assert (labels.lang, labels.fell_back) == ("nl", False)
    assert labels["pages"] == "Pages"
    title, marks = nav_words(files)
    assert title == "Inhoud"
    assert marks[:2] == ["Omslag", "Title page"]
    assert b"Noten openen bij hun nummer." in files["EPUB/content.opf"]
    assert not [r for r in caplog.records if r.name == "pipeline.labels"]


def test_a_language_without_a_labels_file_falls_back_to_english_with_a_warning(
    small_copy, styles, caplog
):
    set_lang(small_copy, "sv-FI")
    manuscript = load_manuscript(small_copy, styles)
    assert load_labels(manuscript).fell_back
    with caplog.at_level(logging.WARNING, logger="pipeline"):
        files = built(small_copy, styles)
    warnings = [r.getMessage() for r in caplog.records if r.name == "pipeline.labels"]
    assert warnings and "'sv-FI'" in warnings[0] and "sv.yaml" in warnings[0]
    assert nav_words(files)[0] == "Contents"


def test_the_manuscripts_own_labels_override_the_shared_ones(small_copy):
    own = small_copy / "styles" / "labels"
    own.mkdir(parents=True)
    (own / "en.yaml").write_text("contents: In this pamphlet\n", encoding="utf-8")
    labels = load_labels(load_manuscript(small_copy))
    assert labels["contents"] == "In this pamphlet"
    assert labels["bibliography"] == "Bibliography"


def test_language_tags_are_tried_from_the_most_specific():
    assert candidates("zh-Hant-TW") == ["zh-Hant-TW", "zh-Hant", "zh"]
    assert candidates("en") == ["en"]
