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
        "math",
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
