"""Remove active content from the parsed document before any edition sees it.

A manuscript is untrusted input: raw HTML in Markdown may carry scripts, frames, event
handlers, ``javascript:`` links or styles that load resources. They are removed from the
one document every edition is written from, so no edition can carry them, and each removal
is reported with the line of the manuscript it came from where that can be found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lxml.html import HtmlElement

if TYPE_CHECKING:
    from pipeline.places import Locator

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
UNCARRIED = {"srcset": "img source", "poster": "video", "ping": "a area", "src": "track"}
"""Attributes that make a reader fetch a file no edition carries (only an image's ``src`` is
embedded): another size of an image, a video's poster, a link's ping, a text track. Each
is removed, whatever it names, so that an edition neither leaks an address outside the
manuscript nor refers to a file it lacks."""
XML_NAME = re.compile(r"^(xml:)?[^\W\d][\w.-]*$")
"""An attribute name the EPUB's XHTML can hold: no namespace prefix (``xlink:href``) but
``xml:``, which needs no declaration."""
ATTACHMENT = "attachment"
"""A ``rel`` that makes WeasyPrint embed the linked file in the PDF."""


RAW_TEXT_NAMES = "script style textarea title xmp iframe noembed noframes plaintext"
RAW_TEXT = re.compile(rf"<({'|'.join(RAW_TEXT_NAMES.split())})(?=[\s/>])", re.IGNORECASE)
"""Elements whose content the HTML parser takes as text up to their closing tag: one opened
in raw HTML and never closed would swallow the rest of the manuscript, notes and all."""
UNCLOSED = (
    "the <{name}> opened here is never closed; it is kept as text, so that it does not"
    " swallow the rest of the text"
)


def escape_unclosed(html: str, locator: Locator) -> tuple[str, list[str]]:
    """``html`` with each raw-text element that is never closed (``<script>x`` alone) made
    text; one warning for each."""
    warnings: list[str] = []
    start = 0
    while found := RAW_TEXT.search(html, start):
        name = found.group(1).lower()
        closing = html.lower().find(f"</{name}", found.end()) if name != "plaintext" else -1
        if closing != -1:
            start = closing + len(name) + 2
            continue
        warnings.append(f"{locator.where(f'<{found.group(1)}')}: {UNCLOSED.format(name=name)}")
        html = f"{html[: found.start()]}&lt;{html[found.start() + 1 :]}"
        start = found.start() + 4
    return html, warnings


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
        removals.extend(_fetching_attributes(element))
        if element.tag == "source" and not element.get("src"):
            removals.append(Removal("<source> element without a src", "<source"))
            element.drop_tree()
            continue
        for name in list(element.attrib):
            value = element.get(name, "")
            if not XML_NAME.match(name) or name.lower().startswith("on"):
                removals.append(Removal(f"{name} attribute on <{element.tag}>", name))
                del element.attrib[name]
            elif name.lower() == "style" and loads_files(value):
                needle = "url(" if "url(" in value else value.strip()[:40]
                removals.append(Removal(f"style with url() on <{element.tag}>", needle))
                del element.attrib[name]
            elif name.lower() in URL_ATTRIBUTES and UNSAFE_URL.match(value):
                removals.append(Removal(f"{value.split(':')[0].strip()}: link", value.strip()))
                del element.attrib[name]
    return removals


FETCHING_FUNCTIONS = frozenset(
    {"url", "src", "image", "image-set", "-webkit-image-set", "cross-fade", "-webkit-cross-fade"}
)
"""CSS functions whose argument is a file to load, written as ``url()`` or as a string."""


def loads_files(css: str) -> bool:
    """Whether a style attribute would load anything: ``url()`` however it is escaped
    (``u\\72l(``), ``image-set("…")`` and the like, or an ``@import``."""
    if "url(" in css.lower():
        return True
    if not any(c in css for c in "\\(@"):
        return False
    import tinycss2

    pending = list(tinycss2.parse_component_value_list(css, skip_comments=True))
    while pending:
        node = pending.pop()
        if node.type == "url" or (node.type == "at-keyword" and node.lower_value == "import"):
            return True
        if node.type == "function":
            if node.lower_name in FETCHING_FUNCTIONS:
                return True
            pending.extend(node.arguments)
        elif node.type in ("() block", "[] block", "{} block"):
            pending.extend(node.content)
    return False


def _fetching_attributes(element: HtmlElement) -> list[Removal]:
    """Remove the attributes of ``UNCARRIED`` and a link's ``rel="attachment"``."""
    removals = []
    for name, tags in UNCARRIED.items():
        value = element.get(name)
        if value is not None and element.tag in tags.split():
            shown = " ".join(value.split())[:60]
            what = f"the {name} {shown!r} of <{element.tag}>, a file no edition carries"
            needle = value.strip()[:40] if name != "src" else f"<{element.tag}"
            removals.append(Removal(what, needle or name))
            del element.attrib[name]
    rel = (element.get("rel") or "").split()
    if element.tag == "a" and ATTACHMENT in (token.lower() for token in rel):
        href = element.get("href", "")
        what = f'rel="attachment" from the link to {href!r}: no edition embeds a linked file'
        removals.append(Removal(what, href.strip() or "attachment"))
        kept = [token for token in rel if token.lower() != ATTACHMENT]
        if kept:
            element.set("rel", " ".join(kept))
        else:
            del element.attrib["rel"]
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
        elif name.lower() == "style" and loads_files(element.get(name, "")):
            removals.append(Removal(f"style with url() on <{element.tag}>", "url("))
            del element.attrib[name]
