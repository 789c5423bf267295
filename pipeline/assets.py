"""The files a document refers to (images), resolved inside the manuscript folder.

Every reference is checked once, when the document is parsed, so no edition can embed or
fetch a file outside the manuscript (``/etc/passwd``, ``../../secret``, a symlink leading
out) or anything over the network. An image on the web (``https://…``, or a site's own
``/images/x.png`` with ``base-url:`` in the metadata) is not fetched: the editions link to
it instead, its alternative text as the link's words, with a warning.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import lxml.html
from lxml.html import HtmlElement

from pipeline.errors import PipelineError
from pipeline.files import resolve_inside
from pipeline.manuscript import Manuscript
from pipeline.places import Locator
from pipeline.svg import SvgError, clean_file, is_svg

REFERENCE_ATTRIBUTES = {"img": "src", "source": "src", "video": "src", "audio": "src"}
WEB_SCHEMES = ("http", "https")
REMOTE_CLASS = "remote-image"
EMPTY_IMAGE = re.compile(
    r"!\[[^\]]*\]\(\s*\)|<(img|source|video|audio)\b(?![^>]*\bsrc\s*=\s*[\"']?[^\s\"'>])",
    re.IGNORECASE,
)


def link_remote_images(manuscript: Manuscript, body: HtmlElement, locator: Locator) -> list[str]:
    """Replace each image on the web by a link to it; one warning per image."""
    base = manuscript.metadata.get("base-url")
    warnings = []
    for element in list(body.iter(*REFERENCE_ATTRIBUTES)):
        reference = (element.get(REFERENCE_ATTRIBUTES[element.tag]) or "").strip()
        address = _web_address(reference, base)
        if address is None:
            continue
        words = (element.get("alt") or "").strip() or reference
        link = lxml.html.Element("a", {"href": address, "class": REMOTE_CLASS})
        link.text = words
        link.tail = element.tail
        element.getparent().replace(element, link)
        warnings.append(
            f"{locator.where(reference)}: links to the image {address} instead of showing it:"
            " the pipeline reads no file from the network"
        )
    return warnings


def _web_address(reference: str, base: str | None) -> str | None:
    """The address of an image on the web, or None for a file of the manuscript."""
    if urlsplit(reference).scheme in WEB_SCHEMES:
        return reference
    if base and reference.startswith("/") and not reference.startswith("//"):
        return urljoin(base, reference)
    return None


def resolve_images(manuscript: Manuscript, body: HtmlElement) -> tuple[Path, ...]:
    """Check every embedded file the body refers to and return their resolved paths.

    Each ``src`` is rewritten to its path relative to the manuscript folder.
    """
    found: list[Path] = []
    for element in body.iter(*REFERENCE_ATTRIBUTES):
        attribute = REFERENCE_ATTRIBUTES[element.tag]
        reference = element.get(attribute, "")
        path = resolve_reference(manuscript, reference)
        element.set(attribute, path.relative_to(manuscript.root).as_posix())
        if path not in found:
            found.append(path)
    return tuple(found)


def resolve_reference(manuscript: Manuscript, reference: str) -> Path:
    """The file ``reference`` names inside the manuscript, or a PipelineError naming it."""
    place, line = locate(manuscript, reference)
    if not reference.strip():
        raise PipelineError("an image has no file name", *_empty_image(manuscript))
    try:
        path = resolve_inside(unquote(reference), manuscript.root, [manuscript.root])
    except PipelineError as exc:
        raise PipelineError(f"image {exc.message}", place, line) from None
    if not path.is_file():
        raise PipelineError(f"image {reference!r} does not exist", place, line)
    return path


def clean_svg_images(manuscript: Manuscript, images: tuple[Path, ...]) -> list[str]:
    """One warning for each reference or script removed from an SVG image the text shows
    (``pipeline.svg``); an SVG image that cannot be read stops the build, naming the line
    that shows it."""
    warnings = []
    for path in images:
        if not is_svg(path):
            continue
        name = path.relative_to(manuscript.root).as_posix()
        place, line = locate(manuscript, path.name)
        try:
            cleaned = clean_file(path, manuscript.root)
        except SvgError as error:
            raise PipelineError(f"image {name!r} {error.message}", place, line) from None
        where = f"{place}:{line}" if line else str(place)
        warnings.extend(
            f"{where}: removed from the SVG image {name} {what}" for what in cleaned.removed
        )
    return warnings


def _empty_image(manuscript: Manuscript) -> tuple[Path, int | None]:
    """The first line with an image of no file name: ``![…]()``, or ``<img`` (``<video>``…)
    without a ``src``."""
    for text in manuscript.texts:
        for number, line in enumerate(text.source.split("\n"), start=1):
            if EMPTY_IMAGE.search(line):
                return text.path, number
    return manuscript.texts[0].path, None


def locate(manuscript: Manuscript, needle: str) -> tuple[Path, int | None]:
    """The first text file and line holding ``needle`` (the first file when none does)."""
    for text in manuscript.texts:
        for number, line in enumerate(text.source.split("\n"), start=1):
            if needle and needle in line:
                return text.path, number
    return manuscript.texts[0].path, None
