"""The print layout stage: the Document laid out in pages, once per build.

The print edition, the booklet and the EPUB's page list all read what this stage makes:
the pages as a PDF and a summary of where things fell (``PrintLayout``). Both are kept in
the build cache under a key of everything the pages depend on (``stage.layout_key``), so
a build that asks only for the EPUB, or a rebuild after a change that moves nothing,
does not lay the pages out again.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class PageTop:
    """Where a print page begins: the innermost numbered block (``data-block``) or block
    with an id that its first line belongs to, and that line's words ("" for an image)."""

    block: int | None
    anchor: str | None
    words: str


@dataclass
class PrintLayout:
    """Where the print layout put things: the page (1-based) each body block starts on,
    each element with an id (the bibliography and its entries among them), and where each
    page begins."""

    block_pages: dict[int, int] = field(default_factory=dict)
    page_count: int = 0
    id_pages: dict[str, int] = field(default_factory=dict)
    page_tops: dict[int, PageTop] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    """What the layout warned of (text set off the page, a formula left as TeX), told
    again when a later build keeps this layout."""


@dataclass(frozen=True)
class PrintPages:
    """The laid-out pages: their summary and, when they were laid out or kept, the PDF.

    ``pdf`` is None when only the summary was wanted and found in the cache (an EPUB-only
    build), or when the pages could not be laid out for the page list.
    """

    layout: PrintLayout
    pdf: bytes | None = None
