"""The booklet: the print edition's pages imposed two-up for saddle stitching.

pdfimpose does the imposition: pages padded with blanks at the end to a multiple of four,
each sheet side carrying two pages so that the stack, printed duplex (flip on the short
edge), folded once and stitched, reads in order. The sheet is the named size that holds two
pages snugly (A5 pages on A4, A6 on A5), or ``print.booklet-sheet``, or else twice the
page's width. With bleed or crop marks the pages are first trimmed to their trim box.
"""

from __future__ import annotations

import hashlib
import io
import tempfile
from pathlib import Path

from pipeline.clock import build_time, pdf_date
from pipeline.document import Document
from pipeline.editions import BuildContext, pdf
from pipeline.editions.pagesize import PageSize, booklet_sheet, parse_sheet_size
from pipeline.files import atomic_write


def write(document: Document, target: Path, context: BuildContext) -> None:
    pages = trimmed(print_pdf_bytes(document, context))
    atomic_write(target, reproducible(impose(pages, sheet_size(document)), pages))


def reproducible(data: bytes, source: bytes) -> bytes:
    """The imposed PDF dated by the build clock, with a file identifier derived from the
    pages it imposes, so that rebuilds with SOURCE_DATE_EPOCH give the same bytes."""
    import pymupdf

    identifier = hashlib.sha256(source).hexdigest()[:32].upper()
    with pymupdf.open(stream=data, filetype="pdf") as pdf:
        stamp = pdf_date(build_time())
        pdf.set_metadata({**pdf.metadata, "creationDate": stamp, "modDate": stamp})
        pdf.xref_set_key(-1, "ID", f"[<{identifier}><{identifier}>]")
        return pdf.tobytes(garbage=3, deflate=True, no_new_id=True)


def print_pdf_bytes(document: Document, context: BuildContext) -> bytes:
    """The print edition's PDF: the one this build wrote, else laid out now into a temp file."""
    if context.print_pdf is not None and context.print_pdf.is_file():
        return context.print_pdf.read_bytes()
    with tempfile.TemporaryDirectory(prefix="booklet-") as folder:
        path = Path(folder) / "print.pdf"
        pdf.write(document, path, context)
        data = path.read_bytes()
    context.print_pdf = None
    return data


def sheet_size(document: Document) -> PageSize:
    """``print.booklet-sheet`` if set (metadata.yaml checked that it holds two pages), else
    the sheet that fits two pages."""
    named = document.metadata.section("print").get("booklet-sheet")
    if named:
        return parse_sheet_size(named)
    return booklet_sheet(pdf.page_size(document))


def trimmed(data: bytes) -> bytes:
    """The pages cut to their trim box, so that bleed and crop marks stay off the booklet."""
    import pymupdf

    with pymupdf.open(stream=data, filetype="pdf") as source:
        boxes = [_trim_box(source, page) for page in source]
        if all(box is None for box in boxes):
            return data
        with pymupdf.open() as result:
            for page, box in zip(source, boxes, strict=True):
                clip = box or page.rect
                target = result.new_page(width=clip.width, height=clip.height)
                target.show_pdf_page(target.rect, source, page.number, clip=clip)
            result.set_metadata(source.metadata)
            return result.tobytes(garbage=3, deflate=True)


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


def impose(pages: bytes, sheet: PageSize) -> bytes:
    """Impose the pages two-up on landscape sheets of ``sheet``'s size for saddle stitching.

    One fold across the sheet ("h"); the two pages meet at the fold and any spare paper is
    shared equally round the outside.
    """
    import pymupdf
    from pdfimpose.schema import Margins, saddle

    with pymupdf.open(stream=pages, filetype="pdf") as source:
        page_width, page_height = source[0].rect.width, source[0].rect.height
    width, height = sheet.points
    width, height = max(width, height), min(width, height)
    side = max(0.0, (width - 2 * page_width) / 2)
    top = max(0.0, (height - page_height) / 2)
    output = io.BytesIO()
    saddle.impose(
        [io.BytesIO(pages)],
        output,
        folds="h",
        omargin=Margins(left=side, right=side, top=top, bottom=top),
        bind="left",
    )
    return output.getvalue()
