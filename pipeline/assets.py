"""The files a document refers to (images), resolved inside the manuscript folder.

Every reference is checked once, when the document is parsed, so no edition can embed or
fetch a file outside the manuscript (``/etc/passwd``, ``../../secret``, a symlink leading
out) or anything over the network.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

from lxml.html import HtmlElement

from pipeline.errors import PipelineError
from pipeline.files import resolve_inside
from pipeline.manuscript import Manuscript

REFERENCE_ATTRIBUTES = {"img": "src", "source": "src", "video": "src", "audio": "src"}


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
        raise PipelineError("an image has no file name", place, line)
    try:
        path = resolve_inside(unquote(reference), manuscript.root, [manuscript.root])
    except PipelineError as exc:
        raise PipelineError(f"image {exc.message}", place, line) from None
    if not path.is_file():
        raise PipelineError(f"image {reference!r} does not exist", place, line)
    return path


def locate(manuscript: Manuscript, needle: str) -> tuple[Path, int | None]:
    """The first text file and line holding ``needle`` (the first file when none does)."""
    for text in manuscript.texts:
        for number, line in enumerate(text.source.split("\n"), start=1):
            if needle and needle in line:
                return text.path, number
    return manuscript.texts[0].path, None
