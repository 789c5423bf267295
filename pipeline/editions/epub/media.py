"""Images and other media carried inside the EPUB.

The document has already checked that every file it refers to lies inside the manuscript
(``pipeline.assets``); here each one is copied into the package under ``images/`` with a
safe name and a media type the EPUB standard admits, and every image is checked for
alternative text.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from pipeline.assets import REFERENCE_ATTRIBUTES, locate
from pipeline.editions.epub.xhtml import ContentDocument
from pipeline.errors import PipelineError
from pipeline.manuscript import Manuscript
from pipeline.svg import media_bytes

MEDIA_FOLDER = "images"
MEDIA_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".svg": "image/svg+xml",
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
}
UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")

log = logging.getLogger(__name__)


@dataclass
class MediaFile:
    file_name: str
    media_type: str
    content: bytes
    properties: list[str] = field(default_factory=list)

    @property
    def is_image(self) -> bool:
        return self.media_type.startswith("image/")


@dataclass
class MediaFiles:
    """The package's media, each source file stored once under a unique name."""

    files: list[MediaFile] = field(default_factory=list)
    by_source: dict[Path, MediaFile] = field(default_factory=dict)

    def add_source(self, path: Path, manuscript: Manuscript, key: str | None = None) -> MediaFile:
        """Store a manuscript file; ``key`` names the metadata key that asked for it."""
        if path in self.by_source:
            return self.by_source[path]
        media_type = MEDIA_TYPES.get(path.suffix.lower())
        if media_type is None:
            kinds = ", ".join(sorted({s.lstrip(".").upper() for s in MEDIA_TYPES}))
            message = f"{path.name!r}, which is not a kind of file EPUB readers show ({kinds})"
            if key:
                meta = manuscript.metadata
                raise PipelineError(f"{key!r} names {message}", meta.path, meta.line_of(key))
            place, line = locate(manuscript, path.name)
            raise PipelineError(f"the text shows {message}", place, line)
        relative = PurePosixPath(path.relative_to(manuscript.root).as_posix())
        name = relative.name if relative.parts[0] == MEDIA_FOLDER else relative.as_posix()
        media = self.add(name, media_type, media_bytes(path, manuscript.root))
        self.by_source[path] = media
        return media

    def add(self, name: str, media_type: str, content: bytes) -> MediaFile:
        safe = UNSAFE_NAME.sub("-", name.replace("/", "-")).strip("-") or "file"
        stem, dot, suffix = safe.rpartition(".")
        candidate, number = safe, 1
        taken = {f.file_name for f in self.files}
        while f"{MEDIA_FOLDER}/{candidate}" in taken:
            number += 1
            candidate = f"{stem}-{number}{dot}{suffix}" if dot else f"{safe}-{number}"
        media = MediaFile(f"{MEDIA_FOLDER}/{candidate}", media_type, content)
        self.files.append(media)
        return media

    @property
    def has_images(self) -> bool:
        return any(f.is_image for f in self.files)


def embed_media(documents: list[ContentDocument], manuscript: Manuscript, media: MediaFiles) -> int:
    """Copy every file the text refers to into the package and point the text at it;
    return how many images lack alternative text."""
    missing = 0
    for document in documents:
        for element in document.body.iter(*REFERENCE_ATTRIBUTES):
            attribute = REFERENCE_ATTRIBUTES[element.tag]
            source = (manuscript.root / element.get(attribute, "")).resolve()
            stored = media.add_source(source, manuscript)
            element.set(attribute, document.href_to(stored.file_name))
            if element.tag == "img" and not _has_alt(element, source, manuscript):
                missing += 1
    return missing


def _has_alt(image, source: Path, manuscript: Manuscript) -> bool:
    """An image without alternative text is reported, and marked as decorative so the
    EPUB stays valid: a screen reader then passes over it."""
    if (image.get("alt") or "").strip():
        return True
    if image.get("alt") is None:
        image.set("alt", "")
    place, line = locate(manuscript, source.name)
    where = f"{place}:{line}" if line else str(place)
    log.warning(
        "warning: %s: image %r has no alternative text; "
        "readers who cannot see it will not know what it shows",
        where,
        source.name,
    )
    return False
