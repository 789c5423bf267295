"""Links written for a web site, in the site-links fixture: kept, made absolute with
``base-url`` or removed with a warning, and both the EPUB and the web page valid."""

from __future__ import annotations

import json
import shutil

import lxml.html
import pytest

from pipeline.build import build
from pipeline.checks.validators.client import nu_report
from pipeline.document import parse
from pipeline.errors import PipelineError
from pipeline.manuscript import load_manuscript
from tests.conftest import FIXTURES
from tests.editions.epub.support import Epub, epubcheck_problems, epubcheck_reports

SITE = FIXTURES / "site-links"
SITE_LINKS = ("/en/lessons/first-steps", "assets/letters.zip", "../archive/brought-home.html")


def without_base_url(folder):
    meta = folder / "metadata.yaml"
    lines = meta.read_text(encoding="utf-8").splitlines(keepends=True)
    meta.write_text("".join(x for x in lines if not x.startswith("base-url:")), "utf-8")
    return folder


@pytest.fixture(scope="module")
def builds(tmp_path_factory) -> dict[str, dict]:
    """The fixture built as EPUB and web page, with its base-url and without one."""
    out = tmp_path_factory.mktemp("site-links")
    plain = without_base_url(shutil.copytree(SITE, out / "plain-source"))
    found = {}
    for name, folder in (("based", SITE), ("plain", plain)):
        warnings: list[str] = []
        built = build(folder, ["epub", "html"], out / name, warn=warnings.append)
        found[name] = {"paths": {e.name: e.path for e in built}, "warnings": warnings}
    return found


def page(builds, name: str):
    return lxml.html.parse(str(builds[name]["paths"]["html"])).getroot()


def hrefs(root) -> list[str]:
    return [a.get("href") for a in root.iter("a") if a.get("href")]


def test_with_base_url_site_links_become_absolute(builds):
    links = hrefs(page(builds, "based"))
    assert "https://lessons.example.org/en/lessons/first-steps" in links
    assert "https://lessons.example.org/en/lessons/assets/letters.zip" in links
    assert "https://lessons.example.org/en/archive/brought-home.html" in links
    assert "mailto:editors@example.org" in links and "https://example.org/code" in links
    assert not [w for w in builds["based"]["warnings"] if "link to" in w]


def test_without_base_url_each_site_link_is_removed_with_a_warning(builds):
    root = page(builds, "plain")
    links = hrefs(root)
    for href in SITE_LINKS:
        assert not [link for link in links if href in link]
    text = " ".join(root.text_content().split())
    assert "The previous lesson set up the tools; the data for this one sat beside it" in text
    warnings = [
        w
        for w in builds["plain"]["warnings"]
        if "a page of a web site that no edition carries" in w
    ]
    assert [w.split(": ")[0].rsplit("/", 1)[-1] for w in warnings] == ["01-opening.md:3"] * 3
    assert [href for href in SITE_LINKS if any(f"link to {href}, " in w for w in warnings)] == list(
        SITE_LINKS
    )
    assert "mailto:editors@example.org" in links and "https://example.org/code" in links


@pytest.mark.parametrize("name", ["based", "plain"])
def test_links_to_headings_are_internal_and_marked_for_page_numbers(builds, name):
    root = page(builds, name)
    xrefs = {a.get("href") for a in root.find_class("xref")}
    assert xrefs == {"#method", "#holding", "#origins"}
    ids = {e.get("id") for e in root.iter() if e.get("id")}
    assert {href[1:] for href in xrefs} <= ids


def test_a_link_to_a_shown_image_leads_to_its_figure(builds):
    root = page(builds, "plain")
    link = next(a for a in root.iter("a") if a.text == "shown below")
    figure = root.get_element_by_id(link.get("href")[1:])
    assert figure.tag == "figure" and figure.find(".//img") is not None


def test_epub_links_to_headings_follow_them_across_files(builds):
    book = Epub(builds["plain"]["paths"]["epub"])
    found = {}
    for name, root in book.documents.items():
        for link in root.iter("{http://www.w3.org/1999/xhtml}a"):
            if "xref" in (link.get("class") or "").split():
                target = book.target(book.resolve(name, link.get("href")))
                found[link.text] = target.tag.split("}")[1]
    assert found == {"The method": "h1", "What a lesson holds": "h2", "the first lesson": "h1"}


def test_both_epubs_pass_epubcheck(builds):
    epubs = [builds[name]["paths"]["epub"] for name in ("based", "plain")]
    for path, report in epubcheck_reports(epubs).items():
        assert epubcheck_problems(report) == [], path


@pytest.mark.parametrize("name", ["based", "plain"])
def test_the_web_page_passes_the_nu_checker(builds, name):
    messages = json.loads(nu_report(builds[name]["paths"]["html"]))["messages"]
    assert messages == []


def test_the_fixture_reports_its_raw_html_latex_and_unused_note(builds):
    warnings = "\n".join(builds["plain"]["warnings"])
    assert "02-method.md:28: footnote [^spare] is defined but never called" in warnings
    assert "02-method.md:19: removed a LaTeX block ('\\begin{center}')" in warnings
    assert "01-opening.md:11: removed the color attribute of <font>" in warnings
    assert "02-method.md:12: removed the bgcolor attribute of <tr>" in warnings
    assert "02-method.md:15: removed the height attribute of <td>" in warnings


def test_a_base_url_that_is_not_a_web_address_names_its_line(tmp_path):
    folder = shutil.copytree(SITE, tmp_path / "m")
    meta = folder / "metadata.yaml"
    meta.write_text(
        meta.read_text(encoding="utf-8").replace("base-url: https://", "base-url: ftp://"),
        encoding="utf-8",
    )
    with pytest.raises(PipelineError) as caught:
        parse(load_manuscript(folder))
    assert caught.value.path == meta.resolve() and caught.value.line == 13
    assert "'base-url' must be an http or https address" in caught.value.message


def test_a_link_to_no_id_is_removed_with_its_words(tmp_path):
    from tests.checks.helpers import manuscript

    folder = manuscript(
        tmp_path / "m", "# One {#one}\n\nSee [nothing](#missing) and [one](#one).\n"
    )
    document = parse(load_manuscript(folder))
    assert [a.get("href") for a in document.body.iter("a")] == ["#one"]
    assert "See nothing and one." in document.body.text_content()
    assert any(
        "text.md:3: removed the link to #missing, which points at no heading" in w
        for w in document.warnings
    )
