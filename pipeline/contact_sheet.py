"""A contact sheet of a PDF: every page as a numbered thumbnail, then the facing pages as a
reader of the printed book sees them.

The sheet is drawn as a PDF page whose size in points is its size in pixels at scale 1: each
thumbnail is the source page placed as a vector form (``show_pdf_page``), so the only
rasterisation is the final one, at ``SCALE`` pixels per point.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import pymupdf

SCALE = 2
MARGIN = 24
THUMB_WIDTH = 100
GAP = 16
COLUMNS = 8
SPREADS_PER_ROW = 4
LABEL_HEIGHT = 16
HEADING_HEIGHT = 30
BAND_GAP = 20

BACKGROUND = (0.9, 0.9, 0.88)
PAPER = (1, 1, 1)
EDGE = (0.55, 0.55, 0.55)
INK = (0.15, 0.15, 0.15)
LABEL_SIZE = 9
HEADING_SIZE = 13


Spread = tuple[int | None, int | None]
"""The page numbers on the left and the right of an open spread."""


@dataclass(frozen=True)
class Layout:
    """Where everything goes on the sheet, in points (pixels at scale 1)."""

    page_count: int
    thumb_width: float
    thumb_height: float

    @property
    def rows(self) -> int:
        return math.ceil(self.page_count / COLUMNS)

    right_to_left: bool = False

    @property
    def spreads(self) -> list[tuple[int | None, int | None]]:
        return facing_pages(self.page_count, self.right_to_left)

    @property
    def spread_rows(self) -> int:
        return math.ceil(len(self.spreads) / SPREADS_PER_ROW)

    @property
    def row_height(self) -> float:
        return self.thumb_height + LABEL_HEIGHT + GAP

    @property
    def width(self) -> int:
        grid = COLUMNS * self.thumb_width + (COLUMNS - 1) * GAP
        spreads = SPREADS_PER_ROW * 2 * self.thumb_width + (SPREADS_PER_ROW - 1) * GAP
        return math.ceil(2 * MARGIN + max(grid, spreads))

    @property
    def spreads_top(self) -> float:
        return MARGIN + HEADING_HEIGHT + self.rows * self.row_height + BAND_GAP

    @property
    def height(self) -> int:
        return math.ceil(
            self.spreads_top + HEADING_HEIGHT + self.spread_rows * self.row_height + MARGIN - GAP
        )

    def page_cell(self, index: int) -> pymupdf.Rect:
        row, column = divmod(index, COLUMNS)
        x = MARGIN + column * (self.thumb_width + GAP)
        y = MARGIN + HEADING_HEIGHT + row * self.row_height
        return pymupdf.Rect(x, y, x + self.thumb_width, y + self.thumb_height)

    def spread_cell(self, index: int) -> pymupdf.Rect:
        row, column = divmod(index, SPREADS_PER_ROW)
        x = MARGIN + column * (2 * self.thumb_width + GAP)
        y = self.spreads_top + HEADING_HEIGHT + row * self.row_height
        return pymupdf.Rect(x, y, x + 2 * self.thumb_width, y + self.thumb_height)


def facing_pages(page_count: int, right_to_left: bool = False) -> list[Spread]:
    """Page numbers as the open book shows them, (left, right): page 1 alone on the right,
    then 2–3, 4–5…, and a last even page alone on the left; in a book bound on the right,
    page 1 alone on the left, then 3–2, 5–4…"""
    spreads: list[Spread] = [(None, 1)] if page_count else []
    for left in range(2, page_count + 1, 2):
        spreads.append((left, left + 1 if left + 1 <= page_count else None))
    if right_to_left:
        return [(right, left) for left, right in spreads]
    return spreads


def spread_label(spread: tuple[int | None, int | None]) -> str:
    return "–".join(str(number) for number in spread if number is not None)


def layout_for(pdf: pymupdf.Document, right_to_left: bool = False) -> Layout:
    first = pdf[0].rect
    height = round(THUMB_WIDTH * first.height / first.width)
    return Layout(len(pdf), THUMB_WIDTH, height, right_to_left)


def contact_sheet(pdf: pymupdf.Document, title: str, right_to_left: bool = False) -> bytes:
    """The PNG of the contact sheet: all pages in a grid, then the spreads. The sheet's own
    face has Latin letters only: a title in another script is shown by the PDF's name."""
    layout = layout_for(pdf, right_to_left)
    if not _latin(title):
        title = Path(pdf.name).name
    sheet = pymupdf.open()
    page = sheet.new_page(width=layout.width, height=layout.height)
    page.draw_rect(page.rect, color=None, fill=BACKGROUND)
    font = pymupdf.Font("helv")
    writer = pymupdf.TextWriter(page.rect, color=INK)
    count = f" · {layout.page_count} page{'s' if layout.page_count != 1 else ''}"
    heading = _fitted(font, title, layout.width - 2 * MARGIN, count)
    writer.append((MARGIN, MARGIN + HEADING_SIZE), heading, font, HEADING_SIZE)
    for index in range(layout.page_count):
        cell = layout.page_cell(index)
        _place_page(page, cell, pdf, index)
        _label(writer, font, cell, str(index + 1))
    spreads_heading = layout.spreads_top + HEADING_SIZE
    writer.append((MARGIN, spreads_heading), "Spreads", font, HEADING_SIZE)
    for index, spread in enumerate(layout.spreads):
        cell = layout.spread_cell(index)
        left, right = _halves(cell)
        for half, number in ((left, spread[0]), (right, spread[1])):
            if number is not None:
                _place_page(page, half, pdf, number - 1)
        shown = cell if None not in spread else (right if spread[0] is None else left)
        _label(writer, font, shown, spread_label(spread))
    writer.write_text(page)
    pixmap = page.get_pixmap(matrix=pymupdf.Matrix(SCALE, SCALE), alpha=False)
    return pixmap.tobytes("png")


def _latin(text: str) -> bool:
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


def _fitted(font: pymupdf.Font, title: str, width: float, tail: str) -> str:
    """``title + tail``, the title shortened with an ellipsis if the line would not fit."""
    while len(title) > 1 and font.text_length(title + tail, fontsize=HEADING_SIZE) > width:
        title = title[:-2] + "…"
    return title + tail


def _halves(cell: pymupdf.Rect) -> tuple[pymupdf.Rect, pymupdf.Rect]:
    middle = (cell.x0 + cell.x1) / 2
    return (
        pymupdf.Rect(cell.x0, cell.y0, middle, cell.y1),
        pymupdf.Rect(middle, cell.y0, cell.x1, cell.y1),
    )


def _place_page(sheet: pymupdf.Page, cell: pymupdf.Rect, pdf: pymupdf.Document, index: int) -> None:
    sheet.draw_rect(cell, color=EDGE, fill=PAPER, width=0.5)
    sheet.show_pdf_page(cell, pdf, index, keep_proportion=True)


def _label(writer: pymupdf.TextWriter, font: pymupdf.Font, cell: pymupdf.Rect, text: str) -> None:
    width = font.text_length(text, fontsize=LABEL_SIZE)
    x = (cell.x0 + cell.x1 - width) / 2
    writer.append((x, cell.y1 + LABEL_SIZE + 3), text, font, LABEL_SIZE)
