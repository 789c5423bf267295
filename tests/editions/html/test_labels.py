"""The words the web page adds come from styles/labels/, its markup from templates/web.html."""

from __future__ import annotations

import shutil

from pipeline.document import parse
from pipeline.editions.html import render
from pipeline.manuscript import load_manuscript
from tests.conftest import ROOT


def test_the_pages_words_come_from_the_labels_file(small_copy, tmp_path):
    styles = tmp_path / "styles"
    shutil.copytree(ROOT / "styles", styles)
    english = styles / "labels" / "en.yaml"
    text = english.read_text(encoding="utf-8")
    for old, new in [
        ("contents: Contents", "contents: On these pages"),
        ("skip_to_text: Skip to the text", "skip_to_text: Straight to the text"),
        ('note: "Note {number}"', 'note: "Footnote {number}"'),
        ("bibliography: Bibliography", "bibliography: Sources"),
    ]:
        assert old in text
        text = text.replace(old, new)
    english.write_text(text, encoding="utf-8")
    page = render(parse(load_manuscript(small_copy, styles)))
    assert '<h2 id="contents-title">On these pages</h2>' in page
    assert '<a class="skip-link" href="#text">Straight to the text</a>' in page
    assert 'aria-label="Footnote 1"' in page and 'aria-label="Note 1"' not in page
    assert '<h2 id="bibliography-title">Sources</h2>' in page


def test_cited_in_lists_join_with_the_labels_words(small_copy):
    own = small_copy / "styles" / "labels"
    own.mkdir(parents=True)
    (own / "en.yaml").write_text(
        'cited_in_note: "Named in note {notes}."\ncited_in_notes: "Named in notes {notes}."\n'
        'list_last_separator: " & "\n',
        encoding="utf-8",
    )
    page = render(parse(load_manuscript(small_copy)))
    assert "Named in note" in page
    assert "Cited in note" not in page


def test_the_manuscripts_own_web_template_overrides_the_shared_one(small_copy):
    own = small_copy / "styles" / "templates"
    own.mkdir(parents=True)
    (own / "web.html").write_text(
        "<!DOCTYPE html>\n<title>{{ title }}</title>\n<p>{{ labels.contents }}</p>\n",
        encoding="utf-8",
    )
    page = render(parse(load_manuscript(small_copy)))
    assert page == "<!DOCTYPE html>\n<title>A Small Pamphlet</title>\n<p>Contents</p>\n"
