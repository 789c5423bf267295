"""Remove active content from the parsed document before any edition sees it.

A manuscript is untrusted input: raw HTML in Markdown may carry scripts, frames, event
handlers, ``javascript:`` links or styles that load resources. They are removed from the
one document every edition is written from, so no edition can carry them, and each removal
is reported with the line of the manuscript it came from where that can be found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml.html import HtmlElement

DANGEROUS_ELEMENTS = frozenset(
    {
        "script",
        "iframe",
        "frame",
        "frameset",
        "object",
        "embed",
        "applet",
        "style",
        "link",
        "meta",
        "base",
        "form",
        "input",
        "button",
        "textarea",
        "select",
        "noscript",
        "svg",
    }
)
URL_ATTRIBUTES = ("href", "src", "srcset", "action", "formaction", "poster", "background", "data")
UNSAFE_URL = re.compile(r"^\s*(javascript|vbscript|data:text/html)", re.IGNORECASE)


@dataclass(frozen=True)
class Removal:
    """What was removed, and a string to find it by in the manuscript's source."""

    what: str
    needle: str


def sanitize(body: HtmlElement) -> list[Removal]:
    """Strip active content from ``body`` in place; return what was removed."""
    removals: list[Removal] = []
    for math in list(body.iter("math")):
        removals.extend(clean_mathml(math))
    for element in list(body.iter()):
        if not isinstance(element.tag, str):
            continue
        if element.tag in DANGEROUS_ELEMENTS:
            removals.append(Removal(f"<{element.tag}> element", f"<{element.tag}"))
            element.drop_tree()
            continue
        for name in list(element.attrib):
            value = element.get(name, "")
            if name.lower().startswith("on"):
                removals.append(Removal(f"{name} attribute on <{element.tag}>", name))
                del element.attrib[name]
            elif name.lower() == "style" and "url(" in value.lower():
                removals.append(Removal(f"style with url() on <{element.tag}>", "url("))
                del element.attrib[name]
            elif name.lower() in URL_ATTRIBUTES and UNSAFE_URL.match(value):
                removals.append(Removal(f"{value.split(':')[0].strip()}: link", value.strip()))
                del element.attrib[name]
    return removals


MATHML_NAMESPACE = "http://www.w3.org/1998/Math/MathML"
MATHML_ELEMENTS = frozenset(
    {
        "math", "semantics", "annotation", "mrow", "mi", "mn", "mo", "mtext", "ms",
        "mspace", "mfrac", "msqrt", "mroot", "msub", "msup", "msubsup", "munder", "mover",
        "munderover", "mmultiscripts", "mprescripts", "none", "mtable", "mtr", "mtd",
        "mstyle", "mpadded", "mphantom", "merror", "menclose", "mfenced",
    }
)  # fmt: skip
"""Presentation MathML that draws a formula; ``annotation-xml`` (which may hold any markup),
``maction`` and ``mglyph`` (which loads an image) are left out."""
MATHML_ATTRIBUTES = frozenset(
    {
        "class", "id", "dir", "display", "displaystyle", "scriptlevel", "mathvariant",
        "mathsize", "mathcolor", "mathbackground", "style", "encoding", "form", "fence",
        "separator", "stretchy", "symmetric", "largeop", "movablelimits", "lspace", "rspace",
        "minsize", "maxsize", "accent", "accentunder", "linethickness", "width", "height",
        "depth", "voffset", "columnalign", "columnspacing", "rowalign", "rowspacing",
        "columnlines", "rowlines", "frame", "framespacing", "equalrows", "equalcolumns",
        "columnspan", "rowspan", "notation", "open", "close", "separators", "lquote",
        "rquote", "numalign", "denomalign", "bevelled", "subscriptshift",
        "superscriptshift",
    }
)  # fmt: skip
"""The layout attributes of those elements (and ``data-*``); links (``href``), image
addresses (``altimg``), event handlers and namespaced attributes are not among them."""


def clean_mathml(math: HtmlElement) -> list[Removal]:
    """Keep only MathML elements and layout attributes inside ``math``, in place.

    Pandoc's formulas pass untouched; raw MathML in a manuscript loses whatever could run,
    link or load, and its root is put in the MathML namespace that XHTML needs.
    """
    removals: list[Removal] = []
    pending = [math]
    while pending:
        element = pending.pop()
        _clean_mathml_attributes(element, removals, root=element is math)
        kept = []
        for child in list(element):
            if not isinstance(child.tag, str):
                continue
            if child.tag in MATHML_ELEMENTS:
                kept.append(child)
            else:
                removals.append(Removal(f"<{child.tag}> element inside <math>", f"<{child.tag}"))
                child.drop_tree()
        pending.extend(reversed(kept))
    math.set("xmlns", MATHML_NAMESPACE)
    return removals


def _clean_mathml_attributes(element: HtmlElement, removals: list[Removal], root: bool) -> None:
    for name in list(element.attrib):
        if (root and name == "xmlns") or name.startswith("data-"):
            continue
        if name.lower() not in MATHML_ATTRIBUTES:
            removals.append(Removal(f"{name} attribute on <{element.tag}>", name))
            del element.attrib[name]
        elif name.lower() == "style" and "url(" in element.get(name, "").lower():
            removals.append(Removal(f"style with url() on <{element.tag}>", "url("))
            del element.attrib[name]
