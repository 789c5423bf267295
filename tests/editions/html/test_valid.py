"""The web edition is valid HTML: the Nu HTML Checker (vnu) reports nothing.

The session's validator server checks every page, together with a page that is broken on
purpose, which proves the checker really read the files.
"""

from __future__ import annotations

import json

import pytest

from pipeline.checks.validators.client import nu_report
from pipeline.checks.validators.nuchecker import JAR as VNU

BROKEN_PAGE = "<!DOCTYPE html><html lang=en><title>x</title><p><div>block in a paragraph</div></p>"
BAD_CSS_PAGE = (
    "<!DOCTYPE html>\n<html lang=en>\n<title>x</title>\n"
    "<style>\np { colr: red }\n</style>\n<p style='mrgin: 0'>text</p>\n"
)


@pytest.fixture(scope="session")
def vnu_messages(seed_editions, small_editions, tmp_path_factory) -> dict[str, list[dict]]:
    """vnu's messages per checked file name."""
    assert VNU.is_file(), f"{VNU} is missing: run `make setup`"
    folder = tmp_path_factory.mktemp("vnu")
    broken = folder / "broken.html"
    broken.write_text(BROKEN_PAGE, encoding="utf-8")
    bad_css = folder / "bad-css.html"
    bad_css.write_text(BAD_CSS_PAGE, encoding="utf-8")
    pages = [seed_editions["html"], small_editions["html"], broken, bad_css]
    return {page.name: json.loads(nu_report(page))["messages"] for page in pages}


def test_the_checker_reports_a_broken_page(vnu_messages):
    assert any(m["type"] == "error" for m in vnu_messages["broken.html"])


def test_the_checker_reads_css_in_style_elements_and_attributes(vnu_messages):
    errors = [(m["lastLine"], m["message"]) for m in vnu_messages["bad-css.html"]]
    assert [line for line, message in errors if message.startswith("CSS: ")] == [5, 7], errors


@pytest.mark.parametrize("edition", ["seed_editions", "small_editions"])
def test_the_web_edition_has_no_errors_or_warnings(vnu_messages, edition, request):
    name = request.getfixturevalue(edition)["html"].name
    assert vnu_messages[name] == []
