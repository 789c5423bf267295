"""The booklet: the print edition's pages imposed two-up for saddle stitching.

pdfimpose's saddle schema places the pages: padded with blanks at the end to a multiple of
four, two to a sheet side, so that the stack, printed duplex (flip on the short edge),
folded once and stitched, reads in order: the first side carries the last page and page 1,
its back page 2 and the last but one, and so on inwards. The sheet is the named size that
holds two pages snugly (A5 pages on A4, A6 on A5), or ``print.booklet-sheet``, or else
twice the page's width; the pages meet at the fold and spare paper is shared round the
outside. Each page is cut to its trim box first, so bleed and the print edition's crop
marks never reach the sheet.

The options under ``print:``:

- ``signature-pages`` (a multiple of four): past that many pages the booklet is imposed in
  signatures of that many pages, each a nest of sheets folded on its own; the last one
  holds what is left.
- ``paper-caliper`` (mm): creep compensation. A sheet folded round others sticks out at
  the fore-edge by the thickness inside it, so the pages of the k-th sheet from the outside
  of its signature are moved k × caliper towards the fold (the trim then takes the same
  margin from every page). pdfimpose's own creep widens the inner sheets instead, so the
  shift is made on the pages before they are imposed.
- ``sheet-marks``: crop marks (pdfimpose's) and dashed fold marks at the spine, drawn in
  the spare paper round the pages; the sheet must leave room for them.

A right-to-left text (its language's direction in ``styles/languages.yaml``, or ``dir: rtl``
in the metadata) is bound on the right edge: each sheet side carries its
pages mirrored, page 1 on the left of the first side. pdfimpose's ``bind="right"`` turns
every page upside down on the sheet instead, which prints the same but reads badly on
screen.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import re
from pathlib import Path

from pipeline.clock import build_time, pdf_date
from pipeline.document import Document
from pipeline.editions import Edition, Layout
from pipeline.errors import PipelineError
from pipeline.files import atomic_write
from pipeline.languages import language_of
from pipeline.layout import PrintPages
from pipeline.layout.pagesize import POINTS_PER_MM, PageSize, booklet_sheet, parse_sheet_size
from pipeline.layout.stage import STYLE_FILES, page_size
from pipeline.manuscript import Manuscript
from pipeline.metadata import FLAG, NUMBER, TEXT, Metadata

MARK_ROOM_MM = 8.0
"""The spare paper each side of the pages that crop and fold marks need."""
MARK_GAP_PT = 6.0
MAX_CALIPER_MM = 1.0
CALIPER = re.compile(r"^(\d+(?:\.\d+)?)\s*(?:mm)?$")


@dataclasses.dataclass(frozen=True)
class Imposition:
    """How the booklet is imposed, from the ``print`` options."""

    sheet: PageSize
    signature_pages: int = 0
    """0: the whole booklet is one signature."""
    caliper_mm: float = 0.0
    marks: bool = False
    right_to_left: bool = False


def write(document: Document, target: Path, pages: PrintPages | None) -> None:
    if pages is None or pages.pdf is None:
        raise ValueError("the booklet is imposed from laid-out pages")
    atomic_write(target, impose(pages.pdf, imposition(document)))


def imposition(document: Document) -> Imposition:
    """The imposition the metadata asks for; a bad value is an error naming its line."""
    meta = document.metadata
    options = meta.section("print")
    sheet = sheet_size(document)
    signature = options.get("signature-pages") or 0
    if signature and (signature < 4 or signature % 4):
        raise PipelineError(
            f"'print.signature-pages' must be a multiple of 4, not {signature}",
            meta.path,
            meta.line_of("print.signature-pages"),
        )
    caliper = paper_caliper_mm(meta)
    marks = bool(options.get("sheet-marks"))
    if marks and min(_spare_mm(sheet, page_size(document))) < MARK_ROOM_MM:
        raise PipelineError(
            f"'print.sheet-marks' needs {MARK_ROOM_MM:g} mm of spare paper round the pages,"
            f" which a {sheet} sheet does not leave: name a larger 'print.booklet-sheet'",
            meta.path,
            meta.line_of("print.sheet-marks"),
        )
    return Imposition(sheet, signature, caliper, marks, right_to_left(document.manuscript))


def paper_caliper_mm(meta: Metadata) -> float:
    """``print.paper-caliper``, the thickness of one sheet of paper: ``0.1`` or ``0.1mm`` (as
    the cover edition reads it for the spine); 0 when not set."""
    text = str(meta.section("print").get("paper-caliper") or "0").strip().lower()
    match = CALIPER.match(text)
    value = float(match.group(1)) if match else -1.0
    if not 0 <= value <= MAX_CALIPER_MM:
        raise PipelineError(
            f"'print.paper-caliper' must be the paper's thickness in mm (between 0 and"
            f" {MAX_CALIPER_MM:g}) such as 0.1mm, not {text!r}",
            meta.path,
            meta.line_of("print.paper-caliper"),
        )
    return value


def right_to_left(manuscript: Manuscript) -> bool:
    """Whether the text reads from right to left, so that the booklet binds on the right."""
    return language_of(manuscript).rtl


def signatures(pages: int, signature_pages: int) -> list[tuple[int, int]]:
    """(first page index, page count) of each signature of a booklet of ``pages`` pages (a
    multiple of four)."""
    size = signature_pages or pages
    return [(start, min(size, pages - start)) for start in range(0, pages, size)]


def sheet_of(index: int, pages: int, signature_pages: int) -> int:
    """Which sheet, counted from 0 at the outside of its signature, carries page ``index``."""
    for start, count in signatures(pages, signature_pages):
        if start <= index < start + count:
            local = index - start
            return min(local, count - 1 - local) // 2
    raise ValueError(f"page {index} is not in a booklet of {pages} pages")


def saddle_order(pages: int, signature_pages: int = 0, mirrored: bool = False):
    """(left, right) page indexes, from 0, of each sheet side in printing order."""
    sides = []
    for start, count in signatures(pages, signature_pages):
        for sheet in range(count // 4):
            front = (start + count - 1 - 2 * sheet, start + 2 * sheet)
            back = (start + 2 * sheet + 1, start + count - 2 - 2 * sheet)
            sides.extend([front, back])
    return [(right, left) for left, right in sides] if mirrored else sides


def impose(data: bytes, plan: Imposition) -> bytes:
    """The pages of the PDF ``data`` imposed on landscape sheets as ``plan`` says, dated by
    the build clock and identified by a hash of the pages, so that rebuilds with
    SOURCE_DATE_EPOCH give the same bytes."""
    import pymupdf

    with pymupdf.open(stream=data, filetype="pdf") as source:
        trimmed, size = _trimmed_pages(source, plan)
        sheet_width, sheet_height = sorted(plan.sheet.points, reverse=True)
        margins = ((sheet_width - 2 * size[0]) / 2, (sheet_height - size[1]) / 2)
        imposed = _run_pdfimpose(data if trimmed is None else trimmed, plan, margins)
        with pymupdf.open(stream=imposed, filetype="pdf") as result:
            if plan.marks:
                for side in result:
                    _fold_marks(side, margins[1])
            stamp = pdf_date(build_time())
            result.set_metadata({**source.metadata, "creationDate": stamp, "modDate": stamp})
            identifier = hashlib.sha256(data).hexdigest()[:32].upper()
            result.xref_set_key(-1, "ID", f"[<{identifier}><{identifier}>]")
            return result.tobytes(garbage=3, deflate=True, no_new_id=True)


def _trimmed_pages(source, plan: Imposition) -> tuple[bytes | None, tuple[float, float]]:
    """Every page cut to its trim box, the window moved towards the spine by the creep of
    its sheet; and the trimmed page size. None for pages that need neither."""
    import pymupdf

    trims = [_trim_box(source, page) for page in source]
    boxes = [trim or page.rect for trim, page in zip(trims, source, strict=True)]
    width, height = boxes[0].width, boxes[0].height
    caliper = plan.caliper_mm * POINTS_PER_MM
    if not caliper and not any(trims):
        # Pages without bleed and without creep are imposed as they are: copying them
        # would change nothing but the time.
        return None, (width, height)
    padded = -(-len(boxes) // 4) * 4
    with pymupdf.open() as trimmed:
        for index, box in enumerate(boxes):
            shift = sheet_of(index, padded, plan.signature_pages) * caliper
            spine_on_left = (index % 2 == 0) != plan.right_to_left
            offset = -shift if spine_on_left else shift
            page = trimmed.new_page(width=width, height=height)
            place = page.rect + pymupdf.Rect(offset, 0, offset, 0)
            page.show_pdf_page(place, source, index, clip=box)
        return trimmed.tobytes(), (width, height)


def _run_pdfimpose(trimmed: bytes, plan: Imposition, margins: tuple[float, float]) -> bytes:
    from pdfimpose.schema import Margins

    horizontal, vertical = margins
    impositor = _impositor_class()(
        omargin=Margins(left=horizontal, right=horizontal, top=vertical, bottom=vertical),
        mark=["crop"] if plan.marks else [],
        folds="h",
        signature_pages=plan.signature_pages,
        mirrored=plan.right_to_left,
    )
    out = io.BytesIO()
    impositor.impose([io.BytesIO(trimmed)], out)
    return out.getvalue()


def _impositor_class():
    from pdfimpose.schema import Matrix
    from pdfimpose.schema.saddle import SaddleImpositor

    @dataclasses.dataclass
    class SignatureImpositor(SaddleImpositor):
        """pdfimpose's saddle schema, once per signature, mirrored for right-edge binding;
        blanks pad the whole booklet (not each signature) to a multiple of four."""

        signature_pages: int = 0
        mirrored: bool = False

        def blank_page_number(self, source: int) -> int:
            return -source % 4

        def matrixes(self, pages: int):
            for start, count in signatures(pages, self.signature_pages):
                for matrix in super().matrixes(count):
                    moved = matrix.stack(start)
                    yield Matrix(moved.pages[::-1]) if self.mirrored else moved

    return SignatureImpositor


def _fold_marks(side, room: float) -> None:
    """Dashed marks at the spine in the spare paper above and below the pages."""
    middle = side.rect.width / 2
    length = room - MARK_GAP_PT
    for start, end in ((0, length), (side.rect.height, side.rect.height - length)):
        side.draw_line((middle, start), (middle, end), color=(0,), width=0.5, dashes="[2 2] 0")


def _spare_mm(sheet: PageSize, page: PageSize) -> tuple[float, float]:
    long, short = sorted((sheet.width, sheet.height), reverse=True)
    return ((long - 2 * page.width) / 2, (short - page.height) / 2)


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
    options={
        "print": {
            "booklet-sheet": TEXT,
            "paper-caliper": TEXT,
            "sheet-marks": FLAG,
            "signature-pages": NUMBER,
        }
    },
    layout=Layout.REQUIRED,
)
