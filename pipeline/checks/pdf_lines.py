"""The printed lines of a PDF page as the checks read them: (top, left, right, text).

MuPDF reads most text well, but not the ``/ActualText`` that the print edition gives lines
of complex scripts (Arabic, Devanagari, Bengali, Thai…), whose glyphs stand for no single
character each: past a raised mark it repeats part of the line. Poppler's ``pdftotext``
reads them as written, so a page holding such a script is read with it. Both give a
right-to-left run in the order its glyphs stand on the line, from left to right; the text
is put back in reading order here.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

from pipeline.layout.engine import COMPLEX_SCRIPTS

RIGHT_TO_LEFT = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")
LEFT_TO_RIGHT_RUN = re.compile(
    r"[A-Za-z0-9\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff]"
    r"(?:[^\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]*[A-Za-z0-9\u00c0-\u024f\u0370-\u04ff])?"
)
"""A run of left-to-right letters and digits, with what stands between them."""
LEFT_TO_RIGHT_LETTER = re.compile(r"[A-Za-z\u00c0-\u024f\u0370-\u04ff]")
RIGHT_TO_LEFT_RUN = re.compile(
    "[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]"
    "(?:[^A-Za-z0-9\u00c0-\u024f\u0370-\u04ff]*[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff])?"
)
"""A run of right-to-left letters, with what stands between them."""
MIRRORED = str.maketrans("()[]{}<>«»", ")(][}{><»«")

Line = tuple[float, float, float, str]


def page_lines(page) -> list[Line]:
    """The page's lines, top to bottom: MuPDF's, or Poppler's where the page has a
    complex script."""
    lines = _mupdf_lines(page)
    if any(COMPLEX_SCRIPTS.search(text) for *_, text in lines) and shutil.which("pdftotext"):
        path = Path(page.parent.name)
        return poppler_lines(path, path.stat().st_mtime_ns).get(page.number, [])
    return lines


def _mupdf_lines(page) -> list[Line]:
    lines = []
    for block in page.get_text("dict")["blocks"]:
        for line in block.get("lines", []):
            text = "".join(span["text"] for span in line["spans"]).strip()
            if text:
                x0, y0, x1, _y1 = line["bbox"]
                lines.append((y0, x0, x1, reading_order(text)))
    lines.sort(key=lambda item: item[0])
    return lines


@lru_cache(maxsize=8)
def poppler_lines(path: Path, _stamp: int) -> dict[int, list[Line]]:
    """Every page's lines as ``pdftotext -tsv`` finds them, by page index."""
    listing = subprocess.run(
        ["pdftotext", "-tsv", str(path), "-"], capture_output=True, text=True, check=False
    ).stdout
    words: dict[tuple[int, ...], list[tuple[float, float, float, str, float]]] = {}
    for row in listing.splitlines()[1:]:
        fields = row.split("\t")
        if len(fields) < 12 or fields[0] != "5":
            continue
        page, block, paragraph, line = (int(f) for f in fields[1:5])
        left, top, width, height = (float(f) for f in fields[6:10])
        words.setdefault((page, block, paragraph, line), []).append(
            (top, left, left + width, fields[11], height)
        )
    pages: dict[int, list[tuple[Line, float]]] = {}
    for (page, *_rest), found in words.items():
        found.sort(key=lambda word: word[1])
        text = _joined(found)
        if text:
            top = min(word[0] for word in found)
            bottom = max(word[0] + word[4] for word in found)
            line = (top, found[0][1], max(word[2] for word in found), reading_order(text))
            pages.setdefault(page - 1, []).append((line, bottom))
    return {number: _without_note_calls(lines) for number, lines in pages.items()}


def _joined(words: list[tuple[float, float, float, str, float]]) -> str:
    """A line's words, from left to right; a note number set smaller than the line's
    other words is joined to the word before it, as it is printed."""
    tallest = max(word[4] for word in words)
    text = ""
    for _top, _left, _right, word, height in words:
        call = word.isdigit() and height < 0.9 * tallest
        text += word if call or not text else " " + word
    return text.strip()


def _without_note_calls(lines: list[tuple[Line, float]]) -> list[Line]:
    """The lines top to bottom, without the raised note numbers that Poppler reads as lines
    of their own: MuPDF keeps a call in the line it stands in, where the checks' word counts
    expect it, and a line of figures only whose middle is within another line is a call."""
    kept = []
    for line, bottom in lines:
        top, text = line[0], line[3]
        middle = (top + bottom) / 2
        inside = any(
            other[0] <= middle <= other_bottom and not other[3].isdigit()
            for other, other_bottom in lines
            if other is not line
        )
        if not (text.isdigit() and inside):
            kept.append(line)
    kept.sort(key=lambda item: item[0])
    return kept


def reading_order(text: str) -> str:
    """A line read from left to right put in reading order. In a line mostly of
    right-to-left letters, the line is reversed and its runs of left-to-right text turned
    back; in a line mostly of left-to-right ones, each right-to-left run is reversed in its
    place. Brackets turn with the text they enclose."""
    right_to_left = len(RIGHT_TO_LEFT.findall(text))
    if not right_to_left:
        return text
    if right_to_left >= len(LEFT_TO_RIGHT_LETTER.findall(text)):
        reversed_text = _turned(text)
        return LEFT_TO_RIGHT_RUN.sub(lambda run: _turned(run.group(0)), reversed_text)
    return RIGHT_TO_LEFT_RUN.sub(lambda run: _turned(run.group(0)), text)


def _turned(text: str) -> str:
    return text[::-1].translate(MIRRORED)
