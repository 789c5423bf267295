"""XHTML content documents for the EPUB: HTML fragments in, well-formed XHTML 5 out.

Every file is filled in from a template and then parsed and written again by lxml, so a
template that is not well-formed XML stops the build, and the bytes do not depend on how a
template spaces or quotes its markup.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field

import lxml.etree
from lxml.html import HtmlElement
from markupsafe import Markup

from pipeline.errors import PipelineError
from pipeline.languages import RTL, language_of
from pipeline.manuscript import Manuscript
from pipeline.markup import escape, fragment
from pipeline.templates import TEMPLATES, render

XHTML_NS = "http://www.w3.org/1999/xhtml"
EPUB_NS = "http://www.idpf.org/2007/ops"
NS = {"x": XHTML_NS, "epub": EPUB_NS}
DOCTYPE = "<!DOCTYPE html>"
XHTML_MEDIA_TYPE = "application/xhtml+xml"
STYLESHEET = "styles/epub.css"
PARSER = lxml.etree.XMLParser(huge_tree=True, resolve_entities=False, no_network=True)
"""For markup the pipeline wrote itself: deeply nested quotations and lists must parse."""
BLANK_PARSER = lxml.etree.XMLParser(
    huge_tree=True, resolve_entities=False, no_network=True, remove_blank_text=True
)
"""For files with no running text (navigation, NCX, package document): the spaces a
template puts between its elements are not part of the file."""
CONTENT_TEMPLATE = "epub/content.xhtml"
ISOLATED = (
    "//span[contains(concat(' ', normalize-space(@class), ' '), ' citation ')]"
    " | //a[@role='doc-noteref'] | //a[@role='doc-backlink']"
)
"""Citations and note calls, which keep their own order inside text of the other direction."""
LEFT_TO_RIGHT = "//pre | //code[not(ancestor::pre)]"
"""Code, which runs left to right in any text."""


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


def serialize(document: ContentDocument, lang: str, manuscript: Manuscript) -> bytes:
    """The document as an XHTML 5 file with ``lang`` and ``xml:lang`` (and ``dir`` for a
    right-to-left text) on its root, from ``templates/epub/content.xhtml``."""
    body = document.body
    direction = language_of(manuscript).direction
    if direction == RTL:
        mark_directions(body)
    inner = escape(body.text or "") + "".join(
        lxml.etree.tostring(child, encoding="unicode") for child in body
    )
    markup = render(
        manuscript,
        CONTENT_TEMPLATE,
        lang=lang,
        dir=direction,
        title=document.title,
        stylesheet=document.href_to(STYLESHEET),
        body_type=document.body_type,
        body=Markup(inner),
    )
    root = parse(markup, manuscript, CONTENT_TEMPLATE, PARSER)
    _drop_head_spacing(root)
    return to_bytes(root)


def mark_directions(body: HtmlElement) -> None:
    """Isolate citations and note calls, and set code left to right, in a right-to-left text.

    EPUB style sheets may not set ``direction`` or ``unicode-bidi``, so this is done with
    ``dir`` attributes, each of which isolates its element: ``auto`` takes the direction of
    the element's own first letter, so that a Latin-script citation reads as written.
    """
    for element in body.xpath(ISOLATED):
        if element.get("dir") is None:
            element.set("dir", "auto")
    for element in body.xpath(LEFT_TO_RIGHT):
        if element.get("dir") is None:
            element.set("dir", "ltr")


def from_template(
    manuscript: Manuscript,
    name: str,
    doctype: str | None = DOCTYPE,
    pretty: bool = False,
    **context: object,
) -> bytes:
    """A file with no running text, filled in from the template ``name``; ``pretty``
    indents its elements, two spaces a level."""
    root = parse(render(manuscript, name, **context), manuscript, name, BLANK_PARSER)
    if pretty:
        indented = lxml.etree.tostring(root, pretty_print=True, encoding="utf-8")
        root = lxml.etree.fromstring(indented, PARSER)
    return to_bytes(root, doctype=doctype)


def parse(
    markup: str, manuscript: Manuscript, name: str, parser: lxml.etree.XMLParser
) -> lxml.etree._Element:
    try:
        return lxml.etree.fromstring(markup.encode("utf-8"), parser)
    except lxml.etree.XMLSyntaxError as exc:
        raise PipelineError(
            f"does not give well-formed XML ({exc.msg})",
            manuscript.style_path(f"{TEMPLATES}/{name}"),
        ) from None


def _drop_head_spacing(root: lxml.etree._Element) -> None:
    """Remove the spaces a template leaves between ``html``, ``head`` and their children:
    no reader sees them, and the body's own spacing stays as it is."""
    for element in (root, *root):
        if element.tag != f"{{{XHTML_NS}}}body" and (element.text or "").isspace():
            element.text = None
        if (element.tail or "").isspace():
            element.tail = None
    head = root.find(f"{{{XHTML_NS}}}head")
    for child in head if head is not None else ():
        if (child.tail or "").isspace():
            child.tail = None


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
