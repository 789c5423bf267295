"""One module per edition; each turns the shared Document into one file."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pipeline.document import Document


@dataclass(frozen=True)
class Edition:
    name: str
    suffix: str
    write: Callable[[Document, Path], None]


def registry() -> dict[str, Edition]:
    """The editions in build order; imported lazily so that `import weasyprint` is paid only
    when a PDF is asked for."""
    from pipeline.editions import epub, html, pdf

    return {
        "pdf": Edition("pdf", ".pdf", pdf.write),
        "epub": Edition("epub", ".epub", epub.write),
        "html": Edition("html", ".html", html.write),
    }


FORMATS = ("pdf", "epub", "html")
