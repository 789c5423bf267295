"""One module per edition; each turns the shared Document into one file."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.document import Document


@dataclass
class PrintLayout:
    """Where the print edition put things: the page (1-based) each body block starts on."""

    block_pages: dict[int, int] = field(default_factory=dict)
    page_count: int = 0


@dataclass
class BuildContext:
    """What one edition's build leaves for the next within the same build.

    The EPUB's page list maps the print edition's pages, so the PDF is laid out first and
    its layout is shared here instead of being computed twice.
    """

    print_layout: PrintLayout | None = None


Writer = Callable[[Document, Path, BuildContext], None]


@dataclass(frozen=True)
class Edition:
    name: str
    suffix: str
    write: Writer


def registry() -> dict[str, Edition]:
    """The editions in build order. Modules are imported here, lazily, so that the ~1 s
    ``import weasyprint`` is paid only when a print edition is asked for."""
    from pipeline.editions import epub, html, pdf

    return {
        "pdf": Edition("pdf", ".pdf", pdf.write),
        "epub": Edition("epub", ".epub", epub.write),
        "html": Edition("html", ".html", html.write),
    }


FORMATS = ("pdf", "epub", "html")
