import lxml.html

from pipeline.checks.extract import read_html


def test_html_is_a_standalone_page(small_editions):
    path = small_editions["html"]
    root = lxml.html.parse(str(path)).getroot()
    assert path.read_text().startswith("<!DOCTYPE html>")
    assert root.get("lang") == "en"
    assert root.findtext(".//title") == "A Small Pamphlet"
    assert root.find(".//main") is not None
    assert root.find(".//style") is not None
    assert not root.xpath("//link[@rel='stylesheet'] | //script[@src]")


def test_html_notes_link_both_ways(small_editions):
    root = lxml.html.parse(str(small_editions["html"])).getroot()
    ids = set(root.xpath("//@id"))
    calls = root.xpath("//a[@role='doc-noteref']")
    backs = root.xpath("//a[@role='doc-backlink']")
    assert len(calls) == len(backs) == 4
    for link in calls + backs:
        assert link.get("href")[1:] in ids


def test_html_sections_follow_the_title(small_editions):
    content = read_html(small_editions["html"])
    assert content.headings == ["The first section", "The second section"]
