"""What the checks look at: the manuscript, its parsed document and the built editions.

Expensive facts (the pandoc parse, each edition read back, EPUBCheck, the Nu HTML Checker)
are computed once, on first use, and can be warmed up side by side in threads before the
rules run; the rules themselves are cheap.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from pipeline.cache import CACHE_FOLDER, Cache
from pipeline.checks import extract
from pipeline.document import Document, parse
from pipeline.editions import FORMATS, registry
from pipeline.manuscript import Manuscript


class CheckContext:
    def __init__(self, manuscript: Manuscript, build_dir: Path):
        self.manuscript = manuscript
        self.build_dir = build_dir
        self.cache = Cache(build_dir / CACHE_FOLDER)
        self._values: dict[str, Any] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def memo(self, key: str, compute: Callable[[], Any]) -> Any:
        """Compute ``key`` once, even when several threads ask for it at the same time."""
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self._values:
                self._values[key] = compute()
            return self._values[key]

    def edition_path(self, name: str) -> Path | None:
        """The built file of an edition, if it exists."""
        suffix = registry()[name].suffix
        path = self.build_dir / f"{self.manuscript.slug}{suffix}"
        return path if path.is_file() else None

    @property
    def built(self) -> list[str]:
        return [name for name in FORMATS if self.edition_path(name)]

    def document(self) -> Document:
        """The parsed manuscript, from the build's cache of pandoc's output when there is a
        build folder (a check never creates one)."""
        cache = self.cache if self.build_dir.is_dir() else None
        return self.memo("document", lambda: parse(self.manuscript, cache))

    def content(self, name: str) -> extract.EditionContent:
        """What a reader finds in edition ``name`` (or in the manuscript, for "manuscript")."""
        if name == "manuscript":
            return self.memo(name, lambda: extract.from_document(self.document()))
        readers = {"pdf": extract.read_pdf, "epub": extract.read_epub, "html": extract.read_html}
        path = self.edition_path(name)
        return self.memo(f"content:{name}", lambda: readers[name](path))

    def warm(self, tasks: Iterable[Callable[[], Any]]) -> None:
        """Run the given fact computations side by side; errors surface when a rule asks."""
        tasks = list(tasks)
        if not tasks:
            return
        with ThreadPoolExecutor(max_workers=min(4, len(tasks))) as pool:
            for future in [pool.submit(task) for task in tasks]:
                future.exception()
