"""Raw HTML in the manuscript comes out valid: comments and processing instructions go,
obsolete elements and attributes become their equivalents or are removed with a warning,
task-list boxes become characters."""

from __future__ import annotations

import json

import pytest

from pipeline.build import build
from pipeline.checks.validators.client import nu_report
from pipeline.document import parse
from pipeline.manuscript import load_manuscript
from tests.checks.helpers import manuscript
from tests.editions.epub.support import epubcheck_problems, epubcheck_reports

OLD_HTML = """# A page {#page}

<!-- a comment before the text -->

Text<!-- and one inside a paragraph --> goes on. <?php echo "x"; ?>

<center>Centred.</center>

<p align="center" valign="top">A <font color="red" size="2">red</font> word in <tt>code</tt>,
<big>big</big>, <strike>struck</strike>, <acronym title="HyperText">HTML</acronym> and
<blink>blinking</blink> and <custom-tag>made up</custom-tag>.</p>

<a name="anchor"></a>Back to [the anchor](#anchor).

<table border="3" cellspacing="2" bgcolor="#fff"><tr><td width="50" nowrap>a<td>b</table>

<img src="images/dot.png" alt="A dot" width="10" height="50%" border="0" hspace="4">

- [ ] to do
- [x] done

<span class="x"><div>A div in a span.</div></span>

A line with <center>centred words</center> in it, <b><div>a div in bold</div></b>.
"""
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    folder = manuscript(tmp_path_factory.mktemp("raw") / "m", OLD_HTML)
    (folder / "images").mkdir()
    (folder / "images" / "dot.png").write_bytes(PNG)
    return folder


@pytest.fixture(scope="module")
def document(folder):
    return parse(load_manuscript(folder))


@pytest.fixture(scope="module")
def editions(folder, tmp_path_factory):
    out = tmp_path_factory.mktemp("raw-build")
    return {e.name: e.path for e in build(folder, ["pdf", "epub", "html"], out)}


def test_comments_and_processing_instructions_are_gone(document):
    assert not document.body.xpath("//comment() | //processing-instruction()")
    assert "Text goes on." in " ".join(document.body.text_content().split())


def test_obsolete_elements_become_their_equivalents(document):
    body = document.body
    assert body.xpath("//div[@class='center']")[0].text.strip() == "Centred."
    assert body.xpath("//span[.='red']") and body.xpath("//code[.='code']")
    assert body.xpath("//span[@class='big'][.='big']") and body.xpath("//s[.='struck']")
    assert body.xpath("//abbr[@title='HyperText']")
    for gone in ("center", "font", "tt", "big", "strike", "acronym", "blink", "custom-tag"):
        assert not body.xpath(f"//{gone}"), gone
    assert "made up" in body.text_content()


def test_alignments_become_classes_and_the_rest_is_reported(document):
    paragraph = document.body.xpath("//p[contains(., 'red')]")[0]
    assert paragraph.get("class") == "align-center valign-top"
    assert not {"align", "valign"} & set(paragraph.attrib)
    table = document.body.find(".//table")
    assert table.get("class") == "border" and set(table.attrib) == {"class", "data-block"}
    assert table.find(".//td").get("class") == "nowrap"
    image = document.body.find(".//img")
    assert image.get("width") == "10" and "height" not in image.attrib
    assert "border" not in image.attrib and "hspace" not in image.attrib
    warnings = "\n".join(document.warnings)
    for expected in (
        "text.md:9: removed the color attribute of <font>",
        "text.md:9: removed the size attribute of <font>",
        "text.md:11: removed the <custom-tag> tags, keeping what they held",
        "text.md:15: removed the cellspacing attribute of <table>",
        "text.md:15: removed the bgcolor attribute of <table>",
        "text.md:15: removed the width attribute of <td>",
        "text.md:17: removed the height attribute of <img>",
        "text.md:17: removed the hspace attribute of <img>",
    ):
        assert expected in warnings
    assert "border attribute of <img>" not in warnings


def test_blocks_inside_phrases_are_mended(document):
    phrases = "span b i em strong code small p h1 h2"
    inside = " | ".join(f"//{p}//div | //{p}//p" for p in phrases.split())
    assert document.body.xpath(inside) == []
    assert document.body.xpath("//div[@class='x']/div[normalize-space(.)='A div in a span.']")
    assert document.body.xpath("//b/span[normalize-space(.)='a div in bold']")


def test_an_old_anchor_becomes_an_id_that_links_reach(document):
    assert document.body.xpath("//a[@id='anchor']")
    assert document.body.xpath("//a[@href='#anchor']")


def test_task_list_boxes_become_characters(document):
    items = [" ".join(li.text_content().split()) for li in document.body.iter("li")]
    assert items == ["\u2610 to do", "\u2612 done"]
    assert not document.body.xpath("//input | //label")


def test_every_edition_builds_and_the_epub_and_page_are_valid(editions):
    assert set(editions) == {"pdf", "epub", "html"}
    (report,) = epubcheck_reports([editions["epub"]]).values()
    assert epubcheck_problems(report) == []
    assert json.loads(nu_report(editions["html"]))["messages"] == []
