"""A content-hash cache, so unchanged work is not done twice.

Keys are hashes of everything the result depends on (file contents, tool versions, options),
never of timestamps, so a cache hit is always safe and a touched-but-unchanged file costs
nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from pipeline import __version__
from pipeline.files import atomic_write

CACHE_FOLDER = ".cache"


@cache
def code_version() -> bytes:
    """The pipeline's version and a hash of its own code, so that a changed pipeline never
    reuses what an older one made."""
    digest = hashlib.sha256(__version__.encode())
    package = Path(__file__).resolve().parent
    for source in sorted(package.rglob("*.py")):
        digest.update(source.read_bytes())
    return digest.digest()


def content_key(parts: Iterable[str | bytes | Path]) -> str:
    """A hash of strings, bytes and the contents of files, with the pipeline's code."""
    digest = hashlib.sha256(code_version())
    for part in parts:
        if isinstance(part, Path):
            data = part.read_bytes() if part.is_file() else b"<missing>"
            digest.update(str(part).encode() + b"\0" + data)
        elif isinstance(part, str):
            digest.update(part.encode())
        else:
            digest.update(part)
        digest.update(b"\0")
    return digest.hexdigest()


class Cache:
    """Values stored as files named by their key, in ``build/.cache``."""

    def __init__(self, folder: Path):
        self.folder = folder

    def get(self, kind: str, key: str) -> bytes | None:
        path = self.folder / f"{kind}-{key}"
        return path.read_bytes() if path.is_file() else None

    def put(self, kind: str, key: str, value: bytes) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        for stale in self.folder.glob(f"{kind}-*"):
            stale.unlink(missing_ok=True)
        atomic_write(self.folder / f"{kind}-{key}", value)
