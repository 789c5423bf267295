"""XHTML content documents for the EPUB: HTML fragments in, well-formed XHTML 5 out."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field

import lxml.etree
from lxml.html import HtmlElement

from pipeline.markup import escape, fragment

XHTML_NS = "http://www.w3.org/1999/xhtml"
EPUB_NS = "http://www.idpf.org/2007/ops"
NS = {"x": XHTML_NS, "epub": EPUB_NS}
DOCTYPE = "<!DOCTYPE html>"
XHTML_MEDIA_TYPE = "application/xhtml+xml"
STYLESHEET = "styles/epub.css"
PARSER = lxml.etree.XMLParser(huge_tree=True, resolve_entities=False, no_network=True)
"""For markup the pipeline wrote itself: deeply nested quotations and lists must parse."""


@dataclass
class ContentDocument:
    """One XHTML file of the spine, built as an HTML tree and serialised at the end."""

    file_name: str
    title: str
    body_type: str
    body: HtmlElement = field(default_factory=lambda: fragment(""))

    def href_to(self, file_name: str) -> str:
        """The link from this document to ``file_name`` (both relative to the package)."""
        return relative_href(self.file_name, file_name)


def relative_href(from_file: str, to_file: str) -> str:
    fragment_id = ""
    if "#" in to_file:
        to_file, fragment_id = to_file.split("#", 1)
        fragment_id = "#" + fragment_id
    start = posixpath.dirname(from_file) or "."
    return posixpath.relpath(to_file, start) + fragment_id


def serialize(document: ContentDocument, lang: str) -> bytes:
    """The document as an XHTML 5 file with ``lang`` and ``xml:lang`` on its root."""
    body = document.body
    inner = escape(body.text or "") + "".join(
        lxml.etree.tostring(child, encoding="unicode") for child in body
    )
    body_type = f' epub:type="{escape(document.body_type)}"' if document.body_type else ""
    markup = (
        f'<html xmlns="{XHTML_NS}" xmlns:epub="{EPUB_NS}" lang="{escape(lang)}" '
        f'xml:lang="{escape(lang)}"><head><meta charset="utf-8"/>'
        f"<title>{escape(document.title)}</title>"
        f'<link rel="stylesheet" type="text/css" href="{document.href_to(STYLESHEET)}"/>'
        f"</head><body{body_type}>{inner}</body></html>"
    )
    return to_bytes(lxml.etree.fromstring(markup.encode("utf-8"), PARSER))


def to_bytes(root: lxml.etree._Element, doctype: str | None = DOCTYPE) -> bytes:
    return lxml.etree.tostring(root, xml_declaration=True, encoding="utf-8", doctype=doctype)


def element_order(document: ContentDocument) -> dict[str, int]:
    """Each id in the document with its position in reading order."""
    order: dict[str, int] = {}
    for position, element in enumerate(document.body.iter()):
        identifier = element.get("id") if isinstance(element.tag, str) else None
        if identifier:
            order.setdefault(identifier, position)
    return order
