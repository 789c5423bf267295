"""The print layout kept in the build cache: its summary and its PDF, under one key.

The key (``layout_key``) hashes everything the pages depend on: the parsed manuscript's
inputs, the print style files, the ``print`` options and the versions of the tools (the
cache adds those to every key). An EPUB-only build reads the summary without laying a
page out; a booklet-only build imposes the kept PDF.
"""

from __future__ import annotations

import json
from dataclasses import asdict

from pipeline.cache import Cache
from pipeline.layout import PageTop, PrintLayout, PrintPages


def _kinds(slug: str) -> tuple[str, str]:
    # A dot cannot occur in a slug, so no title's entries can be taken for another's.
    return f"print-layout.{slug}", f"print-pdf.{slug}"


def save(cache: Cache, slug: str, key: str, pages: PrintPages) -> None:
    summary, pdf = _kinds(slug)
    cache.put(summary, key, layout_json(pages.layout).encode())
    if pages.pdf is not None:
        cache.put(pdf, key, pages.pdf)


def load(cache: Cache, slug: str, key: str, with_pdf: bool) -> PrintPages | None:
    """The kept pages for ``key``; None when they are not all there."""
    summary, pdf = _kinds(slug)
    data = cache.get(summary, key)
    if data is None:
        return None
    pdf_bytes = cache.get(pdf, key) if with_pdf else None
    if with_pdf and pdf_bytes is None:
        return None
    return PrintPages(layout_from_json(data), pdf_bytes)


def layout_json(layout: PrintLayout) -> str:
    return json.dumps(asdict(layout), sort_keys=True)


def layout_from_json(data: bytes | str) -> PrintLayout:
    raw = json.loads(data)
    return PrintLayout(
        block_pages={int(k): v for k, v in raw["block_pages"].items()},
        page_count=raw["page_count"],
        id_pages=raw["id_pages"],
        page_tops={int(k): PageTop(**v) for k, v in raw["page_tops"].items()},
        warnings=list(raw.get("warnings") or []),
    )
