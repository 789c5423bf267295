"""Skip an edition, or the print layout, whose inputs have not changed since last time.

Every key hashes what the result is made from: the manuscript's files and images, the
pandoc command, the style files the stage or edition declares, the metadata sections it
reads, and (through ``cache.content_key``) the pipeline's code and the versions of pandoc,
WeasyPrint, pydyf and the other libraries. An edition made of the print pages adds the
layout's key; the EPUB adds the layout's summary, so that a change to print.css that moves
no page break rebuilds the PDF, not the EPUB. The key of the last good build of each
edition is kept with a hash of the file it wrote; when both still match, the file is left
as it is, only touched so make sees it new.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from pipeline.cache import Cache, content_key
from pipeline.document import Document, pandoc_command
from pipeline.editions import Edition, Layout
from pipeline.errors import PipelineError
from pipeline.files import confined
from pipeline.layout import PrintPages
from pipeline.layout.stage import STYLE_FILES
from pipeline.layout.store import layout_json


class EditionCache:
    def __init__(self, cache: Cache, document: Document):
        self.cache = cache
        self.document = document
        self.slug = document.manuscript.slug
        self._base = content_key(
            [*pandoc_command(document.manuscript), *document.manuscript.inputs, *document.images]
        )

    def layout_key(self) -> str:
        """The print layout's key: the manuscript, the print styles and options."""
        return self._key("print-layout", STYLE_FILES, ("print",))

    def key(self, edition: Edition, pages: PrintPages | None = None) -> str:
        """An edition's key; ``pages`` is the print layout it reads, if any."""
        parts = [self._key(edition.name, edition.styles, edition.options)]
        if edition.layout is Layout.REQUIRED:
            parts.append(self.layout_key())
        elif edition.layout is Layout.OPTIONAL:
            parts.append(layout_json(pages.layout) if pages is not None else "no print layout")
        return content_key(parts)

    def _key(self, name: str, styles: tuple[str, ...], options: tuple[str, ...]) -> str:
        meta = self.document.metadata
        settings = json.dumps({o: meta.section(o) for o in options}, sort_keys=True, default=str)
        return content_key([self._base, name, settings, *self._style_files(styles)])

    def _style_files(self, patterns: tuple[str, ...]) -> list[Path]:
        manuscript = self.document.manuscript
        folders = [manuscript.styles, manuscript.root / "styles"]
        return sorted(
            path
            for folder in folders
            for pattern in patterns or ("*",)
            for path in folder.glob(pattern)
            if path.is_file() and _inside(path, folders)
        )

    def is_current(self, name: str, key: str, target: Path) -> bool:
        """True when ``target`` is the file the build with ``key`` wrote."""
        stamp = self.cache.get(f"edition-{self.slug}-{name}", key)
        return stamp is not None and target.is_file() and stamp.decode() == _file_hash(target)

    def remember(self, name: str, key: str, target: Path) -> None:
        self.cache.put(f"edition-{self.slug}-{name}", key, _file_hash(target).encode())


def touch(path: Path) -> None:
    """Mark an unchanged edition as new, so make does not ask for it again."""
    os.utime(path)


def _file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _inside(path: Path, folders: list[Path]) -> bool:
    """Whether a style file is one the build may read: a symbolic link out of the styles
    folders (to /dev/zero, say) is not hashed; the build refuses it where it reads it."""
    try:
        confined(path, folders)
    except PipelineError:
        return False
    return True
