"""The editions: each declares itself in its own module, and one list registers them.

An edition is an ``Edition`` value named ``EDITION`` in its module (or package): its name,
the suffix of its file, the style files it reads (for its cache key), the metadata options
it declares (for validation and its cache key),
whether it reads the print layout, and the function that writes it. ``REGISTERED`` names
the modules in build order; adding an edition is one module and one line here. The modules
are imported lazily, so that the ~1 s ``import weasyprint`` is paid only when an edition
that lays out pages is asked for.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from functools import cache
from pathlib import Path
from typing import Any

from pipeline.document import Document
from pipeline.layout import PrintPages

REGISTERED: dict[str, str] = {
    "pdf": "pipeline.editions.pdf",
    "booklet": "pipeline.editions.booklet",
    "cover": "pipeline.editions.cover",
    "epub": "pipeline.editions.epub",
    "html": "pipeline.editions.html",
}
"""Edition name -> the module that declares it, in build order."""

FORMATS = tuple(REGISTERED)


class Layout(Enum):
    """How much an edition needs the print layout."""

    NONE = "none"
    OPTIONAL = "optional"
    """Used when it can be had: the EPUB's page list; a build without it says so."""
    REQUIRED = "required"
    """The edition is made of the laid-out pages (the PDF, the booklet)."""


Writer = Callable[[Document, Path, PrintPages | None], None]


@dataclass(frozen=True)
class Ahead:
    """Work of an edition that needs no print pages, done in a worker process while the
    pages are laid out: ``work`` runs there (its value must pickle), ``keep`` receives
    its value in the build's process before the edition is written."""

    step: str
    work: Callable[[], Any]
    keep: Callable[[Any], None]


@dataclass(frozen=True)
class Edition:
    name: str
    suffix: str
    write: Writer
    styles: tuple[str, ...] = ()
    """Glob patterns, inside the styles folder, of the files this edition reads."""
    options: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """The metadata sections that change this edition, each with the keys it declares and
    their kinds (``metadata.TEXT``, ``FLAG``…): ``{"epub": {"split-level": NUMBER}}``. A
    section may be named with no keys of its own (the PDF reads ``print``, whose keys the
    layout stage declares)."""
    layout: Layout = Layout.NONE
    ahead: Callable[[Document], Ahead | None] | None = None
    """What of the edition can be done before the print pages exist, if anything."""


@cache
def edition(name: str) -> Edition:
    """The declaration of edition ``name``, importing its module on first use."""
    declared = importlib.import_module(REGISTERED[name]).EDITION
    if declared.name != name:
        raise ValueError(f"{REGISTERED[name]} declares {declared.name!r}, not {name!r}")
    return declared


def registry() -> dict[str, Edition]:
    """Every edition, in build order."""
    return {name: edition(name) for name in REGISTERED}
