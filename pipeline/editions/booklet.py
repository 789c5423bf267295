"""The booklet: the print edition's pages imposed two-up for saddle stitching.

The pages are padded with blanks at the end to a multiple of four and placed two to a sheet
side so that the stack, printed duplex (flip on the short edge), folded once and stitched,
reads in order: the first side carries the last page and page 1, its back page 2 and the
last but one, and so on inwards. The sheet is the named size that holds two pages snugly
(A5 pages on A4, A6 on A5), or ``print.booklet-sheet``, or else twice the page's width; the
pages meet at the fold and spare paper is shared round the outside. With bleed or crop
marks each page is cut to its trim box first.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from pipeline.clock import build_time, pdf_date
from pipeline.document import Document
from pipeline.editions import Edition, Layout
from pipeline.files import atomic_write
from pipeline.layout import PrintPages
from pipeline.layout.pagesize import PageSize, booklet_sheet, parse_sheet_size
from pipeline.layout.stage import STYLE_FILES, page_size
from pipeline.metadata import TEXT


def write(document: Document, target: Path, pages: PrintPages | None) -> None:
    if pages is None or pages.pdf is None:
        raise ValueError("the booklet is imposed from laid-out pages")
    atomic_write(target, impose(pages.pdf, sheet_size(document)))


def saddle_order(pages: int) -> list[tuple[int, int]]:
    """(left, right) page indexes, from 0, of each sheet side in printing order, for a page
    count that is a multiple of four."""
    sides = []
    for sheet in range(pages // 4):
        sides.append((pages - 1 - 2 * sheet, 2 * sheet))
        sides.append((2 * sheet + 1, pages - 2 - 2 * sheet))
    return sides


def impose(data: bytes, sheet: PageSize) -> bytes:
    """The pages of the PDF ``data`` imposed on landscape sheets of ``sheet``'s size, dated
    by the build clock and identified by a hash of the pages, so that rebuilds with
    SOURCE_DATE_EPOCH give the same bytes."""
    import pymupdf

    with pymupdf.open(stream=data, filetype="pdf") as source, pymupdf.open() as result:
        boxes = [_trim_box(source, page) or page.rect for page in source]
        width, height = boxes[0].width, boxes[0].height
        sheet_width, sheet_height = sorted(sheet.points, reverse=True)
        left_edge = max(0.0, sheet_width / 2 - width)
        top = max(0.0, (sheet_height - height) / 2)
        for pair in saddle_order(-(-len(boxes) // 4) * 4):
            side = result.new_page(width=sheet_width, height=sheet_height)
            for slot, index in enumerate(pair):
                if index < len(boxes):
                    x = left_edge + slot * width
                    place = pymupdf.Rect(x, top, x + width, top + height)
                    side.show_pdf_page(place, source, index, clip=boxes[index])
        stamp = pdf_date(build_time())
        result.set_metadata({**source.metadata, "creationDate": stamp, "modDate": stamp})
        identifier = hashlib.sha256(data).hexdigest()[:32].upper()
        result.xref_set_key(-1, "ID", f"[<{identifier}><{identifier}>]")
        return result.tobytes(garbage=3, deflate=True, no_new_id=True)


def sheet_size(document: Document) -> PageSize:
    """``print.booklet-sheet`` if set (metadata.yaml checked that it holds two pages), else
    the sheet that fits two pages."""
    named = document.metadata.section("print").get("booklet-sheet")
    if named:
        return parse_sheet_size(named)
    return booklet_sheet(page_size(document))


def _trim_box(source, page):
    """The page's /TrimBox in the page's own (top-left) coordinates, or None when the page
    has none or it is the whole page."""
    import pymupdf

    kind, value = source.xref_get_key(page.xref, "TrimBox")
    if kind != "array":
        return None
    box = pymupdf.Rect([float(v) for v in value.strip("[]").split()]) * page.transformation_matrix
    box.normalize()
    if abs(box.width - page.rect.width) < 0.5 and abs(box.height - page.rect.height) < 0.5:
        return None
    return box


EDITION = Edition(
    name="booklet",
    suffix="-booklet.pdf",
    write=write,
    styles=STYLE_FILES,
    options={"print": {"booklet-sheet": TEXT}},
    layout=Layout.REQUIRED,
)
