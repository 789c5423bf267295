"""Skip an edition whose inputs have not changed since it was last written.

An edition's key hashes what it is made from: the manuscript's files and images, the style
files the edition reads, the pipeline's version, and for the EPUB the print layout its page
list maps (so a change to print.css that moves no page break rebuilds the PDF, not the
EPUB). The key of the last good build of each edition is kept with a hash of the file it
wrote; when both still match, the file is left as it is, only touched so make sees it new.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict
from pathlib import Path

from pipeline.cache import Cache, content_key
from pipeline.document import Document, pandoc_command
from pipeline.editions import BuildContext, PageTop, PrintLayout

EDITION_STYLES: dict[str, tuple[str, ...]] = {
    "pdf": ("print*.css", "templates/print*"),
    "booklet": ("print*.css", "templates/print*"),
    "epub": ("epub*.css", "templates/cover*"),
    "html": ("screen*.css", "templates/web*"),
}
PRINTED = ("pdf", "booklet")


class EditionCache:
    def __init__(self, cache: Cache, document: Document):
        self.cache = cache
        self.document = document
        self.slug = document.manuscript.slug
        self._base = content_key(
            [*pandoc_command(document.manuscript), *document.manuscript.inputs, *document.images]
        )

    def key(self, name: str, context: BuildContext) -> str:
        parts: list[str | Path] = [self._base, name, *self._style_files(name)]
        if name == "epub":
            parts.append(_layout_fingerprint(context.print_layout))
        if name == "booklet":
            parts.append(self.key("pdf", context))
        return content_key(parts)

    def _style_files(self, name: str) -> list[Path]:
        manuscript = self.document.manuscript
        folders = [manuscript.styles, manuscript.root / "styles"]
        return sorted(
            path
            for folder in folders
            for pattern in EDITION_STYLES.get(name, ("*",))
            for path in folder.glob(pattern)
            if path.is_file()
        )

    def is_current(self, name: str, key: str, target: Path) -> bool:
        """True when ``target`` is the file the build with ``key`` wrote."""
        stamp = self.cache.get(f"edition-{self.slug}-{name}", key)
        return stamp is not None and target.is_file() and stamp.decode() == _file_hash(target)

    def remember(self, name: str, key: str, target: Path) -> None:
        self.cache.put(f"edition-{self.slug}-{name}", key, _file_hash(target).encode())

    def save_layout(self, key: str, layout: PrintLayout) -> None:
        self.cache.put(f"layout-{self.slug}", key, json.dumps(asdict(layout)).encode())

    def load_layout(self, key: str) -> PrintLayout | None:
        data = self.cache.get(f"layout-{self.slug}", key)
        if data is None:
            return None
        raw = json.loads(data)
        return PrintLayout(
            block_pages={int(k): v for k, v in raw["block_pages"].items()},
            page_count=raw["page_count"],
            id_pages=raw["id_pages"],
            page_tops={int(k): PageTop(**v) for k, v in raw["page_tops"].items()},
        )


def touch(path: Path) -> None:
    """Mark an unchanged edition as new, so make does not ask for it again."""
    os.utime(path)


def _layout_fingerprint(layout: PrintLayout | None) -> str:
    if layout is None:
        return "no print layout"
    return json.dumps(asdict(layout), sort_keys=True)


def _file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
