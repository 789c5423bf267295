"""The EPUB's cover: the manuscript's own image, or a typographic one made from a template.

``epub.cover`` (or ``cover``) in metadata.yaml names an image inside the manuscript folder;
one smaller than the stores ask for (``STORE_SIZE``) is reported. Without one, the
typographic cover (``pipeline.cover_art``) drawn as a PNG of the stores' size is the cover
image the package declares.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import partial

from pipeline.cover_art import (
    STORE_SIZE,
    cover_label,
    draw_raster_cover,
    keep_raster_cover,
    raster_cover,
)
from pipeline.document import Document
from pipeline.editions import Ahead
from pipeline.editions.epub.media import MediaFile, MediaFiles
from pipeline.editions.epub.xhtml import ContentDocument
from pipeline.errors import PipelineError
from pipeline.files import resolve_inside
from pipeline.labels import load_labels
from pipeline.markup import fragment
from pipeline.templates import render

PAGE_TEMPLATE = "epub/cover.xhtml"
COVER_PAGE_FILE = "text/cover.xhtml"
GENERATED_NAME = "cover.png"
MEASURED = ("image/png", "image/jpeg", "image/gif", "image/webp")

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Cover:
    image: MediaFile
    page: ContentDocument


def cover(document: Document, media: MediaFiles) -> Cover:
    """The cover image (marked ``cover-image``) and the page that shows it."""
    key, reference = cover_reference(document)
    if reference:
        image = media.add_source(_resolve(document, key, reference), document.manuscript, key)
        if not image.is_image:
            meta = document.metadata
            raise PipelineError(
                f"{key!r} names {reference!r}, which is not an image", meta.path, meta.line_of(key)
            )
        _check_size(document, key, reference, image)
    else:
        image = media.add(GENERATED_NAME, "image/png", raster_cover(document))
    if "cover-image" not in image.properties:
        image.properties.append("cover-image")
    return Cover(image, cover_page(document, image))


def drawn_ahead(document: Document) -> Ahead | None:
    """The typographic cover, drawn while the print pages are laid out; nothing when the
    manuscript brings its own."""
    if cover_reference(document)[1]:
        return None
    return Ahead(
        "drawing the EPUB's cover",
        partial(draw_raster_cover, document),
        partial(keep_raster_cover, document),
    )


def cover_reference(document: Document) -> tuple[str, str | None]:
    meta = document.metadata
    if meta.section("epub").get("cover"):
        return "epub.cover", meta.section("epub")["cover"]
    return "cover", meta.get("cover")


def _resolve(document: Document, key: str, reference: str):
    meta = document.metadata
    root = document.manuscript.root
    try:
        path = resolve_inside(reference, root, [root])
    except PipelineError as exc:
        raise PipelineError(f"{key!r} {exc.message}", meta.path, meta.line_of(key)) from None
    if not path.is_file():
        raise PipelineError(
            f"{key!r} names {reference!r}, which does not exist", meta.path, meta.line_of(key)
        )
    return path


def _check_size(document: Document, key: str, reference: str, image: MediaFile) -> None:
    """A warning when the author's raster cover is smaller than the stores' size."""
    if image.media_type not in MEASURED:
        return
    size = pixel_size(image.content)
    if size is None or (size[0] >= STORE_SIZE[0] and size[1] >= STORE_SIZE[1]):
        return
    meta = document.metadata
    line = meta.line_of(key)
    where = f"{meta.path}:{line}" if line else str(meta.path)
    log.warning(
        "warning: %s: the cover image %s is %d × %d pixels; e-book stores ask for at least %d × %d",
        where,
        reference,
        *size,
        *STORE_SIZE,
    )


def pixel_size(content: bytes) -> tuple[int, int] | None:
    """An image's width and height in pixels, or None when it cannot be read."""
    import pymupdf

    try:
        pixmap = pymupdf.Pixmap(content)
    except (RuntimeError, ValueError):
        return None
    return pixmap.width, pixmap.height


def cover_page(document: Document, image: MediaFile) -> ContentDocument:
    """The page that shows the cover, from ``templates/epub/cover.xhtml``."""
    labels = load_labels(document.manuscript)
    page = ContentDocument(COVER_PAGE_FILE, labels["cover"], "frontmatter")
    markup = render(
        document.manuscript,
        PAGE_TEMPLATE,
        src=page.href_to(image.file_name),
        alt=cover_label(document),
    )
    page.body.append(fragment(markup)[0])
    return page
