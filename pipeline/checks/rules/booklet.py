"""Checks of the booklet: every sheet half carries the page the saddle order puts there."""

from __future__ import annotations

from pipeline.checks.context import CheckContext
from pipeline.checks.extract import comparable
from pipeline.checks.registry import Severity, rule


def half_texts(path) -> list[tuple[str, str]]:
    """The comparable text of the left and right half of every sheet side."""
    import pymupdf

    halves = []
    with pymupdf.open(path) as sheets:
        for side in sheets:
            middle = side.rect.width / 2
            left = pymupdf.Rect(0, 0, middle, side.rect.height)
            right = pymupdf.Rect(middle, 0, side.rect.width, side.rect.height)
            halves.append(
                (comparable(side.get_text(clip=left)), comparable(side.get_text(clip=right)))
            )
    return halves


@rule("booklet.page-order", Severity.ERROR, "A booklet sheet does not carry its pages in order.")
def booklet_page_order(context: CheckContext):
    """Each half of each sheet side must hold the text of the page the saddle order (in
    signatures, mirrored for right-to-left texts) puts there, or nothing past the last page."""
    import pymupdf

    from pipeline.editions.booklet import right_to_left, saddle_order

    booklet, printed = context.edition_path("booklet"), context.edition_path("pdf")
    if booklet is None or printed is None:
        return
    with pymupdf.open(printed) as pdf:
        pages = [comparable(page.get_text()) for page in pdf]
    meta = context.manuscript.metadata
    signature = meta.section("print").get("signature-pages") or 0
    order = saddle_order(-(-len(pages) // 4) * 4, signature, right_to_left(context.manuscript))
    halves = half_texts(booklet)
    if len(halves) != len(order):
        return  # booklet.page-count reports a booklet of the wrong length
    where = {text: number for number, text in enumerate(pages, start=1) if text}
    for side, (expected, found) in enumerate(zip(order, halves, strict=True), start=1):
        for half, index, text in zip(("left", "right"), expected, found, strict=True):
            wanted = pages[index] if index < len(pages) else ""
            if text != wanted:
                shown = f"page {where[text]}" if text in where else "other text"
                should = f"page {index + 1}" if index < len(pages) else "a blank"
                yield f"side {side} {half}", f"holds {shown}, not {should}"
