"""Hyphenation patterns read from a compiled copy instead of pyphen's dictionary file.

WeasyPrint hyphenates with pyphen, which parses a language's ``hyph_*.dic`` the first
time a word of that language is hyphenated: 11,000 patterns for English, 70 ms of every
build, as long as laying out a third of the seed's pages. The patterns pyphen makes are
kept, with ``marshal``, in the user's cache folder under a hash of the dictionary file and
pyphen's version, and put where pyphen looks first (``pyphen.hdcache``) before the layout;
a later build loads them in a few milliseconds.

This reads pyphen's internals (``HyphDict`` and its ``patterns``, ``maxlen`` and ``cache``),
so pyphen is pinned; the tests compare a loaded dictionary with a parsed one word for word.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pipeline.cache import user_cache_folder
from pipeline.files import atomic_write

FOLDER = "hyphenation"


def preload(languages: Iterable[str]) -> None:
    """Put the patterns of ``languages`` (tags such as ``en-GB``) into pyphen's cache,
    compiling those not yet kept."""
    import pyphen

    for language in languages:
        name = pyphen.language_fallback(language)
        path = pyphen.LANGUAGES.get(name) if name else None
        if path is None or Path(path) in pyphen.hdcache:
            continue
        pyphen.hdcache[Path(path)] = dictionary(Path(path))


def dictionary(path: Path) -> Any:
    """Pyphen's dictionary of the patterns in ``path``: the kept copy, or parsed now and
    kept for next time."""
    import pyphen

    source = path.read_bytes()
    kept = _kept_path(source)
    loaded = _load(kept) if kept is not None else None
    if loaded is not None:
        return loaded
    parsed = pyphen.HyphDict(path)
    if kept is not None and _plain(parsed.patterns):
        with contextlib.suppress(OSError):
            atomic_write(kept, marshal.dumps((parsed.patterns, parsed.maxlen)))
    return parsed


def _kept_path(source: bytes) -> Path | None:
    import pyphen

    folder = user_cache_folder()
    if folder is None:
        return None
    digest = hashlib.sha256(source).hexdigest()[:32]
    return folder / FOLDER / f"pyphen-{pyphen.__version__}-{digest}.marshal"


def _load(kept: Path) -> Any:
    """The dictionary kept in ``kept``; None when it is absent or not what was written."""
    import pyphen

    try:
        patterns, maxlen = marshal.loads(kept.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if not isinstance(patterns, dict) or not isinstance(maxlen, int) or not patterns:
        return None
    hyph = pyphen.HyphDict.__new__(pyphen.HyphDict)
    hyph.patterns, hyph.cache, hyph.maxlen = patterns, {}, maxlen
    return hyph


def _plain(patterns: dict) -> bool:
    """Whether every pattern is ``(offset, values)`` of plain integers: patterns of
    nonstandard hyphenation (``ff=f``) carry data that ``marshal`` does not keep."""
    return all(
        isinstance(key, str)
        and isinstance(value, tuple)
        and len(value) == 2
        and type(value[0]) is int
        and isinstance(value[1], tuple)
        and all(type(v) is int for v in value[1])
        for key, value in patterns.items()
    )
