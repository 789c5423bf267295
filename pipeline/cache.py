"""A content-hash cache, so unchanged work is not done twice.

Keys are hashes of everything the result depends on (file contents, tool versions, options),
never of timestamps, so a cache hit is always safe and a touched-but-unchanged file costs
nothing.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from pipeline import __version__
from pipeline.files import atomic_write

CACHE_FOLDER = ".cache"
TOOLS = (
    "pypandoc-binary",
    "weasyprint",
    "pydyf",
    "ebooklib",
    "lxml",
    "pymupdf",
    "ziamath",
    "ziafont",
    "jinja2",
    "pikepdf",
    "pdfimpose",
    "python-barcode",
)
"""The libraries whose version changes what the pipeline makes: pandoc comes with
pypandoc-binary, one pandoc release per release of it."""


@cache
def code_version() -> bytes:
    """The pipeline's version, a hash of its own code and the versions of the tools it
    runs, so that a changed pipeline or an upgraded tool never reuses what an older one
    made."""
    digest = hashlib.sha256(__version__.encode())
    package = Path(__file__).resolve().parent
    for source in sorted(package.rglob("*.py")):
        digest.update(source.read_bytes())
    for name, version in tool_versions().items():
        digest.update(f"{name}={version}\0".encode())
    return digest.digest()


@cache
def tool_versions() -> dict[str, str]:
    """The installed version of each of ``TOOLS``.

    Read from the names of the installed packages' ``.dist-info`` folders, one listing per
    folder of ``sys.path``: asking ``importlib.metadata`` for each tool in turn searched
    the whole path every time, a tenth of a second at every start."""
    installed: dict[str, str] = {}
    for folder in sys.path:
        try:
            names = os.listdir(folder or ".")
        except OSError:
            continue
        for name in names:
            if name.endswith(".dist-info"):
                project, _, version = name.removesuffix(".dist-info").rpartition("-")
                installed.setdefault(_normal(project), version)
    versions = {name: installed.get(_normal(name), "absent") for name in TOOLS}
    versions["pandoc binary"] = str(_pandoc_size())
    return versions


def _normal(project: str) -> str:
    """A project's name as its dist-info folder and its requirement may both spell it."""
    return re.sub(r"[-_.]+", "_", project).lower()


def _pandoc_size() -> int:
    """The bundled pandoc's size in bytes: a rebuilt binary under the same package version
    is still told apart, without reading its 200 MB."""
    from pipeline.document import pandoc_path

    return Path(pandoc_path()).stat().st_size


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


def user_cache_folder() -> Path | None:
    """The folder for what outlives one manuscript's builds (compiled hyphenation
    patterns): ``PIPELINE_USER_CACHE``, else ``$XDG_CACHE_HOME/pamphlet-pipeline``, else
    ``~/.cache/pamphlet-pipeline``; None when there is no home to put it in."""
    if os.environ.get("PIPELINE_USER_CACHE"):
        return Path(os.environ["PIPELINE_USER_CACHE"]).expanduser()
    if os.environ.get("XDG_CACHE_HOME"):
        return Path(os.environ["XDG_CACHE_HOME"]) / "pamphlet-pipeline"
    try:
        return Path.home() / ".cache" / "pamphlet-pipeline"
    except RuntimeError:
        return None


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
