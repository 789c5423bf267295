"""The package document (``content.opf``), filled in from ``templates/epub/package.opf``.

ebooklib assembles the book (metadata, manifest, spine, guide) and writes the container;
the package document it would write is replaced by this one, made from the same book, so
that its markup is a template a designer can read and change.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ebooklib import epub

from pipeline.editions.epub.xhtml import from_template
from pipeline.manuscript import Manuscript

TEMPLATE = "epub/package.opf"
NCX_MEDIA_TYPE = "application/x-dtbncx+xml"
RENDITION_PREFIX = "rendition: http://www.idpf.org/vocab/rendition/#"
MODIFIED = "dcterms:modified"
PREFIXES = {epub.NAMESPACES["DC"]: "dc:"}


@dataclass(frozen=True)
class MetadataEntry:
    """One element of ``<metadata>``: ``dc:title``, ``meta``… with its attributes in order."""

    tag: str
    attributes: dict[str, str]
    text: str


@dataclass(frozen=True)
class ManifestItem:
    href: str
    id: str
    media_type: str
    properties: str


@dataclass(frozen=True)
class SpineItem:
    idref: str
    linear: bool


def package_document(book: epub.EpubBook, modified: dt.datetime, manuscript: Manuscript) -> bytes:
    """The package document for ``book``, last modified at ``modified``."""
    return from_template(
        manuscript,
        TEMPLATE,
        doctype=None,
        pretty=True,
        lang=book.language,
        unique_identifier=book.IDENTIFIER_ID,
        prefixes=[RENDITION_PREFIX, *book.prefixes],
        namespaces=dict(book.namespaces),
        modified=modified.strftime("%Y-%m-%dT%H:%M:%SZ"),
        metadata=metadata_entries(book),
        manifest=manifest_items(book),
        toc=_ncx_id(book),
        direction=book.direction or "",
        spine=spine_items(book),
        guide=[_reference(r) for r in book.guide],
    )


def metadata_entries(book: epub.EpubBook) -> list[MetadataEntry]:
    """The book's metadata in the order it was added, namespace by namespace."""
    entries = []
    for namespace, names in book.metadata.items():
        for name, values in names.items():
            for text, attributes in values:
                attributes = dict(attributes or {})
                if namespace == epub.NAMESPACES["OPF"]:
                    if attributes.get("property") == MODIFIED:
                        continue
                    entries.append(MetadataEntry("meta", attributes, text or ""))
                else:
                    entries.append(MetadataEntry(_tag(namespace, name), attributes, text or ""))
    return entries


def _tag(namespace: str | None, name: str) -> str:
    if namespace is None:
        return name
    if namespace not in PREFIXES:
        raise ValueError(f"metadata in namespace {namespace} has no prefix in the package")
    return PREFIXES[namespace] + name


def manifest_items(book: epub.EpubBook) -> list[ManifestItem]:
    return [
        ManifestItem(
            item.file_name, item.id, item.media_type, " ".join(getattr(item, "properties", []))
        )
        for item in book.get_items()
        if item.manifest
    ]


def spine_items(book: epub.EpubBook) -> list[SpineItem]:
    spine = []
    for entry in book.spine:
        item, linear = (
            (entry[0], entry[1:] != ("no",)) if isinstance(entry, tuple) else (entry, True)
        )
        if isinstance(item, str):
            found = book.get_item_with_id(item)
            spine.append(SpineItem(item, linear and (found is None or found.is_linear)))
        else:
            spine.append(SpineItem(item.get_id(), linear and item.is_linear))
    return spine


def _ncx_id(book: epub.EpubBook) -> str:
    ids = [item.id for item in book.get_items() if item.media_type == NCX_MEDIA_TYPE]
    return ids[0] if ids else "ncx"


def _reference(reference: dict) -> dict[str, str]:
    item = reference.get("item")
    if item is not None:
        return {
            "type": reference.get("type", ""),
            "title": item.title or "",
            "href": item.file_name,
        }
    return {
        "type": reference.get("type", ""),
        "title": reference.get("title") or "",
        "href": reference.get("href", ""),
    }
