"""Import WeasyPrint without the compiler runs its library search costs on Linux.

WeasyPrint opens Pango, HarfBuzz, fontconfig and GObject by trying a list of names per
library, Windows' and macOS' first. cffi hands every name that fails to load to
``ctypes.util.find_library``, which on Linux runs ``ldconfig``, then ``gcc`` and ``ld`` to
look for it: some fifty processes and about 0.15 s, a tenth of a pamphlet's build. Each list
also holds the library's Linux file name, which loads directly, so the import answers every
search with "not found" at once; should that ever fail, it imports again the ordinary way.
"""

from __future__ import annotations

import ctypes.util
import sys
import threading
from types import ModuleType

_lock = threading.Lock()


def import_weasyprint() -> ModuleType:
    """WeasyPrint, imported once per process, quickly where the platform allows."""
    with _lock:
        if "weasyprint" in sys.modules:
            return sys.modules["weasyprint"]
        if sys.platform.startswith("linux"):
            try:
                return _import_without_search()
            except OSError:
                _forget_weasyprint()
        import weasyprint

        return weasyprint


def _import_without_search() -> ModuleType:
    search = ctypes.util.find_library
    ctypes.util.find_library = _not_found
    try:
        import weasyprint
    finally:
        ctypes.util.find_library = search
    return weasyprint


def _not_found(name: str) -> None:
    return None


def _forget_weasyprint() -> None:
    """Drop a half-finished import so that the next one starts afresh."""
    for name in [n for n in sys.modules if n == "weasyprint" or n.startswith("weasyprint.")]:
        del sys.modules[name]
