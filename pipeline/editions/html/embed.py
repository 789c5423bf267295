"""Images carried inside the web page as ``data:`` URLs, so the page is one file."""

from __future__ import annotations

import base64
import mimetypes
from pathlib import Path

from lxml.html import HtmlElement

from pipeline.errors import PipelineError
from pipeline.files import resolve_inside
from pipeline.svg import media_bytes

EMBEDDED = {"img": "src", "source": "src", "video": "src", "audio": "src"}


def data_url(path: Path, root: Path) -> str:
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{kind};base64,{base64.b64encode(media_bytes(path, root)).decode('ascii')}"


def embed_files(body: HtmlElement, root: Path) -> None:
    """Replace each file reference in the body with the file's content.

    References are read only inside the manuscript folder ``root``.
    """
    for element in body.iter(*EMBEDDED):
        attribute = EMBEDDED[element.tag]
        reference = element.get(attribute)
        if not reference or reference.startswith("data:"):
            continue
        path = resolve_inside(reference, root, [root])
        if not path.is_file():
            raise PipelineError(f"refers to {reference!r}, which does not exist", root)
        element.set(attribute, data_url(path, root))
