"""The web edition in a real browser: Debian's Chromium, driven by Playwright.

One browser serves the whole session; each test opens its own page at the width and colour
scheme it needs. Screenshots land in the session's temporary folder.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.conftest import ROOT

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WIDE, NARROW = 1280, 375
HEIGHT = 900

OVERFLOW = """() => {
  const width = window.innerWidth;
  const outside = [];
  for (const element of document.querySelectorAll('body *')) {
    const box = element.getBoundingClientRect();
    if (box.width > 0 && (box.right > width + 0.5 || box.left < -0.5)) {
      outside.push(`${element.tagName}#${element.id} ${box.left}-${box.right}`);
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, width, outside};
}"""

# Characters on each full line of the running text's paragraphs: words are grouped into
# lines by where they are drawn; the last line of each paragraph is left out.
LINE_LENGTHS = """() => {
  const lengths = [];
  for (const paragraph of document.querySelectorAll('main p')) {
    if (paragraph.closest('.sidenotes, blockquote, li')) continue;
    const lines = [];
    let top = null;
    const walker = document.createTreeWalker(paragraph, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.parentElement.closest('.footnote-ref')) continue;
      for (const word of node.textContent.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, word.index);
        range.setEnd(node, word.index + word[0].length);
        const box = range.getClientRects()[0];
        if (!box) continue;
        if (top === null || box.top > top + box.height / 2) {
          lines.push(0);
          top = box.top;
        }
        lines[lines.length - 1] += word[0].length + 1;
      }
    }
    lengths.push(...lines.slice(0, -1).map((n) => n - 1));
  }
  return lengths;
}"""

# Where each note is drawn, next to the block that calls it.
NOTE_BOXES = """() => [...document.querySelectorAll('aside[role=doc-footnote]')].map((note) => {
  const block = note.closest('.noted').firstElementChild.getBoundingClientRect();
  const box = note.getBoundingClientRect();
  return {id: note.id, block: {top: block.top, bottom: block.bottom, left: block.left,
          right: block.right}, note: {top: box.top, bottom: box.bottom, left: box.left,
          right: box.right}};
})"""

IN_VIEW = """(selector) => {
  const element = document.querySelector(selector);
  const box = element.getBoundingClientRect();
  return {target: element.matches(':target'), top: box.top, bottom: box.bottom,
          height: window.innerHeight, hash: location.hash};
}"""

COLOURS = """() => {
  const style = getComputedStyle(document.body);
  return [style.backgroundColor, style.color];
}"""


OpenPage = Callable[..., Page]


@pytest.fixture
def open_page(browser: Browser) -> Iterator[OpenPage]:
    contexts = []

    def open_at(path: Path, width: int, scheme: str = "light") -> Page:
        context = browser.new_context(
            viewport={"width": width, "height": HEIGHT}, color_scheme=scheme
        )
        contexts.append(context)
        page = context.new_page()
        page.goto(path.as_uri())
        return page

    yield open_at
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("html-screenshots")


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [NARROW, WIDE])
def test_screenshots(open_page, seed_editions, screenshot_dir, width, scheme):
    page = open_page(seed_editions["html"], width, scheme)
    shot = screenshot_dir / f"seed-{width}-{scheme}.png"
    page.screenshot(path=str(shot))
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG")
    assert int.from_bytes(data[16:20], "big") == width
    page.locator("#fnref3").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / f"seed-{width}-{scheme}-note3.png"))


@pytest.mark.parametrize("width", [320, NARROW, 768, 1024, WIDE, 1920])
def test_nothing_overflows_the_viewport(open_page, seed_editions, width):
    found = open_page(seed_editions["html"], width).evaluate(OVERFLOW)
    assert found["scrollWidth"] <= found["width"]
    assert found["outside"] == []


@pytest.mark.parametrize("width", [768, 1024, WIDE, 1920])
def test_lines_hold_60_to_75_characters(open_page, seed_editions, width):
    lengths = sorted(open_page(seed_editions["html"], width).evaluate(LINE_LENGTHS))
    assert len(lengths) > 100
    median = lengths[len(lengths) // 2]
    assert 60 <= median <= 75, median
    assert lengths[len(lengths) // 10] >= 55
    assert lengths[-len(lengths) // 10] <= 80


def test_notes_stand_in_the_margin_on_wide_screens(open_page, seed_editions):
    page = open_page(seed_editions["html"], WIDE)
    boxes = page.evaluate(NOTE_BOXES)
    assert len(boxes) == page.locator("a[role=doc-noteref]").count() > 0
    for box in boxes:
        assert box["note"]["left"] >= box["block"]["right"] + 20, box["id"]
        assert box["note"]["right"] <= WIDE
    for box in boxes:
        same_block = [b for b in boxes if b["block"] == box["block"]]
        if box is same_block[0]:
            assert abs(box["note"]["top"] - box["block"]["top"]) <= 6, box["id"]
    tops = [box["note"]["top"] for box in boxes]
    assert tops == sorted(tops)
    for above, below in itertools.pairwise(boxes):
        assert above["note"]["bottom"] <= below["note"]["top"], below["id"]


@pytest.mark.parametrize("width", [320, NARROW, 768])
def test_notes_sit_under_their_block_on_narrow_screens(open_page, seed_editions, width):
    page = open_page(seed_editions["html"], width)
    boxes = page.evaluate(NOTE_BOXES)
    assert len(boxes) == page.locator("a[role=doc-noteref]").count() > 0
    for box in boxes:
        assert box["note"]["top"] >= box["block"]["bottom"], box["id"]
        assert box["note"]["left"] >= box["block"]["left"] - 0.5
        assert box["note"]["right"] <= box["block"]["right"] + 0.5


def test_notes_sit_under_their_block_in_print(open_page, seed_editions):
    page = open_page(seed_editions["html"], WIDE)
    page.emulate_media(media="print")
    boxes = page.evaluate(NOTE_BOXES)
    assert all(box["note"]["top"] >= box["block"]["bottom"] for box in boxes)
    assert page.locator("#contents").is_hidden()
    assert page.evaluate(COLOURS) == ["rgb(255, 255, 255)", "rgb(0, 0, 0)"]


@pytest.mark.parametrize("width", [NARROW, WIDE])
def test_a_note_call_leads_to_its_note_and_back(open_page, seed_editions, width):
    page = open_page(seed_editions["html"], width)
    page.click("#fnref7")
    note = page.evaluate(IN_VIEW, "#fn7")
    assert note["hash"] == "#fn7" and note["target"]
    assert 0 <= note["top"] < note["height"] and note["bottom"] > 0
    page.click("#fn7 a[role=doc-backlink]")
    call = page.evaluate(IN_VIEW, "#fnref7")
    assert call["hash"] == "#fnref7" and call["target"]
    assert 0 <= call["top"] < call["height"]


def test_a_bibliography_entry_leads_back_to_a_citation(open_page, seed_editions):
    page = open_page(seed_editions["html"], WIDE)
    link = page.locator("#bibliography .cited-in a").first
    target = link.get_attribute("href")
    link.click()
    citation = page.evaluate(IN_VIEW, target)
    assert citation["hash"] == target and citation["target"]
    assert 0 <= citation["top"] < citation["height"]


def luminance(rgb: str) -> float:
    red, green, blue = (int(v) / 255 for v in rgb.removeprefix("rgb(").rstrip(")").split(","))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_colours_follow_the_readers_scheme(open_page, small_editions, scheme):
    background, text = open_page(small_editions["html"], NARROW, scheme).evaluate(COLOURS)
    if scheme == "dark":
        assert luminance(background) < 0.15 < 0.75 < luminance(text)
    else:
        assert luminance(text) < 0.15 < 0.75 < luminance(background)


def run_axe(page: Page) -> list[dict]:
    assert AXE.is_file(), f"{AXE} is missing: run `make setup`"
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async () => {
          const results = await axe.run(document, {resultTypes: ['violations']});
          return results.violations.map((v) => ({id: v.id, help: v.help,
            nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' '))}));
        }"""
    )


@pytest.mark.parametrize(
    ("edition", "width", "scheme", "click"),
    [
        ("seed", NARROW, "light", None),
        ("seed", WIDE, "dark", None),
        ("seed", WIDE, "light", "#fnref4"),
        ("seed", NARROW, "dark", "#fnref4"),
        ("small", NARROW, "dark", None),
    ],
)
def test_axe_finds_no_violations(
    open_page, seed_editions, small_editions, edition, width, scheme, click
):
    """axe-core's rules (WCAG 2 A and AA, best practices), also with a note highlighted."""
    editions = seed_editions if edition == "seed" else small_editions
    page = open_page(editions["html"], width, scheme)
    if click:
        page.click(click)
    assert run_axe(page) == []
