"""The print edition: the laid-out pages as they are, a tagged PDF."""

from __future__ import annotations

from pathlib import Path

from pipeline.document import Document
from pipeline.editions import Edition, Layout
from pipeline.files import atomic_write
from pipeline.layout import PrintPages
from pipeline.layout.stage import STYLE_FILES


def write(document: Document, target: Path, pages: PrintPages | None) -> None:
    if pages is None or pages.pdf is None:
        raise ValueError("the print edition is written from laid-out pages")
    atomic_write(target, pages.pdf)


EDITION = Edition(
    name="pdf",
    suffix=".pdf",
    write=write,
    styles=STYLE_FILES,
    options={"print": {}},
    layout=Layout.REQUIRED,
)
