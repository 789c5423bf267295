"""The web edition is valid HTML: the Nu HTML Checker (vnu) reports nothing.

One Java run checks every page of the session, together with a page that is broken on
purpose, which proves the checker really read the files.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT

VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
BROKEN_PAGE = "<!DOCTYPE html><html lang=en><title>x</title><p><div>block in a paragraph</div></p>"


@pytest.fixture(scope="session")
def vnu_messages(seed_editions, small_editions, tmp_path_factory) -> dict[str, list[dict]]:
    """vnu's messages per checked file name, from a single run of the checker."""
    assert VNU.is_file(), f"{VNU} is missing: run `make setup`"
    broken = tmp_path_factory.mktemp("vnu") / "broken.html"
    broken.write_text(BROKEN_PAGE, encoding="utf-8")
    pages = [seed_editions["html"], small_editions["html"], broken]
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--format", "json", "--also-check-css", *map(str, pages)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    messages: dict[str, list[dict]] = {page.name: [] for page in pages}
    for message in json.loads(result.stderr)["messages"]:
        messages[Path(message["url"].removeprefix("file:")).name].append(message)
    return messages


def test_the_checker_reports_a_broken_page(vnu_messages):
    assert any(m["type"] == "error" for m in vnu_messages["broken.html"])


@pytest.mark.parametrize("edition", ["seed_editions", "small_editions"])
def test_the_web_edition_has_no_errors_or_warnings(vnu_messages, edition, request):
    name = request.getfixturevalue(edition)["html"].name
    assert vnu_messages[name] == []
