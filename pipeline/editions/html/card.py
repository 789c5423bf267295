"""The web page's social card: the picture a link to the page shows (``og:image``).

A card needs an address, and the web page is one self-contained file: only a ``base-url``
in the metadata says where the page will stand. With one, the card is written beside the
page as ``<slug>-card.png`` (the typographic cover at the stores' size) or, when the
metadata names a ``cover`` image, as a copy of that image, and the page names its address.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urljoin

from pipeline.cover_art import STORE_SIZE, raster_cover
from pipeline.document import Document
from pipeline.files import atomic_write, resolve_inside
from pipeline.links import base_url
from pipeline.svg import media_bytes

SUFFIX = "-card"


def write_card(document: Document, page: Path) -> str | None:
    """Write the card beside ``page`` and return its address, or None without a base-url."""
    site = base_url(document.manuscript)
    if site is None:
        return None
    image = _cover_image(document)
    suffix = image.suffix.lower() if image else ".png"
    card = page.with_name(f"{document.manuscript.slug}{SUFFIX}{suffix}")
    content = media_bytes(image, document.manuscript.root) if image else None
    atomic_write(card, content or raster_cover(document))
    return urljoin(site, card.name)


def card_size(document: Document) -> tuple[int, int] | None:
    """The typographic card's size in pixels; None for an author's image, whose size the
    page does not claim."""
    return None if _cover_image(document) else STORE_SIZE


def _cover_image(document: Document) -> Path | None:
    named = document.metadata.get("cover")
    if not named:
        return None
    root = document.manuscript.root
    return resolve_inside(named, root, [root])
