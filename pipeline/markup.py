"""Small helpers for rewriting the HTML that pandoc produced."""

from __future__ import annotations

import html

import lxml.html
from lxml.html import HtmlElement


def inner_html(element: HtmlElement) -> str:
    """The markup inside ``element``, without its own tag."""
    parts = [html.escape(element.text or "", quote=False)]
    parts.extend(lxml.html.tostring(child, encoding="unicode") for child in element)
    return "".join(parts).strip()


def fragment(markup: str) -> HtmlElement:
    """Parse an HTML fragment into a wrapper ``div``, without comments or processing
    instructions (so that ``fragment(markup)[0]`` is the first element), as deep as it is
    nested (lxml's parser stops at 256 levels unless told)."""
    parser = lxml.html.HTMLParser(huge_tree=True)
    wrapper = lxml.html.fragment_fromstring(markup or "", create_parent="div", parser=parser)
    remove_comments(wrapper)
    return wrapper


def remove_comments(tree: HtmlElement) -> None:
    """Remove every comment and processing instruction from ``tree``, keeping the text
    that follows each.

    They carry nothing a reader sees, and every walk over the tree that sets attributes or
    reads children would otherwise have to step round them.
    """
    for node in tree.xpath(".//comment() | .//processing-instruction()"):
        parent = node.getparent()
        if parent is None:
            continue
        tail = node.tail or ""
        previous = node.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
        parent.remove(node)


def shift_headings(body: HtmlElement, by: int) -> None:
    """Move every heading down ``by`` levels (h1 becomes h2 when the title takes h1)."""
    for heading in list(body.iter("h1", "h2", "h3", "h4", "h5", "h6")):
        heading.tag = f"h{min(6, int(heading.tag[1]) + by)}"


def note_refs(body: HtmlElement) -> list[HtmlElement]:
    """The note calls in the body, in document order."""
    return list(body.find_class("footnote-ref"))


def note_number(ref: HtmlElement) -> int:
    return int(ref.get("href", "#fn0").removeprefix("#fn"))


def escape(text: str) -> str:
    return html.escape(text, quote=True)


def drop_attribute(tree: HtmlElement, name: str) -> None:
    """Remove attribute ``name`` from every element of ``tree``."""
    for element in tree.iter():
        if isinstance(element.tag, str) and name in element.attrib:
            del element.attrib[name]
