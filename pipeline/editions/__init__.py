"""One module per edition; each turns the shared Document into one file."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.document import Document


@dataclass(frozen=True)
class PageTop:
    """Where a print page begins: the innermost numbered block (``data-block``) or block
    with an id that its first line belongs to, and that line's words ("" for an image)."""

    block: int | None
    anchor: str | None
    words: str


@dataclass
class PrintLayout:
    """Where the print edition put things: the page (1-based) each body block starts on,
    each element with an id (the bibliography and its entries among them), and where each
    page begins."""

    block_pages: dict[int, int] = field(default_factory=dict)
    page_count: int = 0
    id_pages: dict[str, int] = field(default_factory=dict)
    page_tops: dict[int, PageTop] = field(default_factory=dict)


@dataclass
class BuildContext:
    """What one edition's build leaves for the next within the same build.

    The EPUB's page list maps the print edition's pages, so the PDF is laid out first and
    its layout is shared here instead of being computed twice; the booklet imposes the PDF
    written in the same build rather than laying the pages out again.
    """

    print_layout: PrintLayout | None = None
    print_pdf: Path | None = None


Writer = Callable[[Document, Path, BuildContext], None]


@dataclass(frozen=True)
class Edition:
    name: str
    suffix: str
    write: Writer


def registry() -> dict[str, Edition]:
    """The editions in build order. Modules are imported here, lazily, so that the ~1 s
    ``import weasyprint`` is paid only when a print edition is asked for."""
    from pipeline.editions import booklet, epub, html, pdf

    return {
        "pdf": Edition("pdf", ".pdf", pdf.write),
        "booklet": Edition("booklet", "-booklet.pdf", booklet.write),
        "epub": Edition("epub", ".epub", epub.write),
        "html": Edition("html", ".html", html.write),
    }


FORMATS = ("pdf", "booklet", "epub", "html")
