"""Make the raw HTML of a manuscript valid in every edition, instead of copying it.

Markdown written for a web site often carries HTML of an older day: ``<center>``,
``<font color>``, tables with ``cellpadding`` and ``bgcolor``. The EPUB must be valid XHTML 5
and the web page valid HTML 5, so each obsolete element becomes its modern equivalent
(``<center>`` a ``div`` of class ``center``, ``<font>`` a ``span``), an alignment becomes a
class the stylesheets can set, and what has no equivalent (a colour, a typeface, a cell's
padding) is removed with a warning naming the line. Task-list check boxes, which are form
controls, become the characters ☐ and ☒.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml.html import HtmlElement

from pipeline.places import Locator
from pipeline.sanitize import DANGEROUS_ELEMENTS

TEX_SOURCE_CLASS = "tex-source"
"""The class of math pandoc could not convert and shows as its TeX source."""
UNCHECKED, CHECKED = "\u2610", "\u2612"

RENAMED: dict[str, tuple[str, str]] = {
    "center": ("div", "center"),
    "font": ("span", ""),
    "big": ("span", "big"),
    "tt": ("code", ""),
    "strike": ("s", ""),
    "acronym": ("abbr", ""),
    "dir": ("ul", ""),
    "listing": ("pre", ""),
    "xmp": ("pre", ""),
    "plaintext": ("pre", ""),
    "nobr": ("span", "nowrap"),
    "blink": ("span", ""),
    "marquee": ("span", ""),
}
"""Obsolete elements and the element (and class) that stands in for each."""
REMOVED = frozenset({"basefont", "spacer", "isindex", "keygen", "menuitem", "label"})
"""Elements dropped, keeping their content: ``label`` is left over once a check box is a
character, and labels nothing."""
ELEMENT_NAMES = (
    "a abbr address article aside audio b bdi bdo blockquote br caption cite code col "
    "colgroup data dd del details dfn div dl dt em figcaption figure footer h1 h2 h3 h4 h5 "
    "h6 header hgroup hr i img ins kbd li main mark nav ol p picture pre q rp rt ruby s samp "
    "section small source span strong sub summary sup table tbody td tfoot th thead time tr "
    "track u ul var video wbr"
)
HTML_ELEMENTS = frozenset(ELEMENT_NAMES.split())
"""The elements of HTML 5 that the editions carry as they are."""
FOREIGN = frozenset({"math", "svg"})
"""Elements whose content is another vocabulary (MathML, SVG), left to the sanitizer."""

ALIGNMENTS = dict(left="left", right="right", center="center", middle="center", justify="justify")
VERTICAL = {"top": "top", "middle": "middle", "bottom": "bottom", "baseline": "baseline"}
SIZED = frozenset({"img", "video", "canvas", "source"})
"""Elements whose ``width`` and ``height`` are valid, as whole numbers of pixels."""
ATTRIBUTE_NAMES = (
    "bgcolor cellpadding cellspacing hspace vspace size color face clear frame rules char "
    "charoff axis summary compact noshade language longdesc background text link vlink alink "
    "marginwidth marginheight scrolling frameborder allowtransparency datapagesize rev charset "
    "shape coords abbr scope nowrap type name valign align width height border"
)
PRESENTATIONAL = frozenset(ATTRIBUTE_NAMES.split())
"""Attributes HTML 5 made obsolete (on most elements: see ``_attribute``)."""


PHRASING_NAMES = (
    "span b i em strong code s small sub sup u abbr cite q mark dfn kbd samp var time data "
    "bdi bdo p h1 h2 h3 h4 h5 h6 pre"
)
PHRASING_ONLY = frozenset(PHRASING_NAMES.split())
"""Elements that may hold only phrasing content: no ``div``, ``p`` or table inside."""
FLOW_NAMES = (
    "div p table ul ol dl blockquote figure figcaption pre hr h1 h2 h3 h4 h5 h6 section "
    "article aside nav header footer address main details"
)
FLOW_ONLY = frozenset(FLOW_NAMES.split())
"""Elements that may not stand inside phrasing content."""
AS_PHRASE = frozenset({"div", "p", "figure", "figcaption", "address", "section", "article"})
"""Of those, the ones that become a ``span`` there (their words run on in the line)."""


@dataclass(frozen=True)
class Change:
    """One thing taken out of the raw HTML, and a string to find its line by."""

    what: str
    needle: str


def make_valid(body: HtmlElement, locator: Locator) -> list[str]:
    """Rewrite ``body`` in place into valid HTML 5; one warning per thing removed."""
    changes: list[Change] = []
    _check_boxes(body)
    _mark_tex_source(body)
    for element in list(body.iter()):
        if not isinstance(element.tag, str) or element is body or _is_foreign(element):
            continue
        original = element.tag.lower()
        changes.extend(_element(element))
        if element.getparent() is not None:
            changes.extend(_attributes(element, original))
    _nest_blocks(body)
    changes.extend(_close_heading_gaps(body))
    messages: list[str] = []
    for change in changes:
        message = f"{locator.where(change.needle)}: {change.what}"
        if message not in messages:
            messages.append(message)
    return messages


HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def _close_heading_gaps(body: HtmlElement) -> list[Change]:
    """A heading more than one level below the one before it (### then #####) is raised to
    the next level: an outline with a gap is not valid HTML, and readers' navigation
    lists the heading under the right parent either way. One warning per heading moved."""
    changes: list[Change] = []
    previous = 0
    for heading in list(body.iter(*HEADING_TAGS)):
        level = int(heading.tag[1])
        if previous and level > previous + 1:
            text = " ".join(heading.text_content().split())
            heading.tag = f"h{previous + 1}"
            what = f"set the heading {text[:40]!r} at level {previous + 1}, not {level}"
            changes.append(Change(what, text[:40] or heading.tag))
            level = previous + 1
        previous = level
    return changes


def _nest_blocks(body: HtmlElement) -> None:
    """Mend blocks inside phrasing content, which raw HTML often has (``<font>`` round
    paragraphs, a ``div`` in a ``span``): a ``span`` holding blocks where a block may stand
    becomes a ``div``; a block still inside a paragraph, a heading or a phrase becomes a
    ``span``."""
    for element in list(body.iter()):
        if not isinstance(element.tag, str) or _is_foreign(element):
            continue
        if element.tag == "span" and not _inside_phrase(element) and _holds_blocks(element):
            element.tag = "div"
    for element in list(body.iter(*AS_PHRASE)):
        if _inside_phrase(element) and not _is_foreign(element):
            element.tag = "span"


def _inside_phrase(element: HtmlElement) -> bool:
    return any(a.tag in PHRASING_ONLY for a in element.iterancestors())


def _holds_blocks(element: HtmlElement) -> bool:
    return any(d.tag in FLOW_ONLY for d in element.iterdescendants() if isinstance(d.tag, str))


def _is_foreign(element: HtmlElement) -> bool:
    return any(a.tag in FOREIGN for a in element.iterancestors()) or element.tag in FOREIGN


def _check_boxes(body: HtmlElement) -> None:
    """Each check box (a task list's ``[ ]`` and ``[x]``) becomes ☐ or ☒ and a space."""
    for box in body.xpath(".//input[@type='checkbox']"):
        mark = CHECKED if box.get("checked") is not None else UNCHECKED
        _replace_with_text(box, f"{mark} ")


def _mark_tex_source(body: HtmlElement) -> None:
    """Give math that stayed TeX (a ``span`` of class ``math`` with no MathML) a class."""
    for span in body.xpath(".//span[contains(concat(' ', @class, ' '), ' math ')]"):
        if not span.xpath(".//*[local-name()='math']"):
            _add_class(span, TEX_SOURCE_CLASS)


def _element(element: HtmlElement) -> list[Change]:
    tag = element.tag.lower()
    if tag in RENAMED:
        new_tag, css_class = RENAMED[tag]
        element.tag = new_tag
        if css_class:
            _add_class(element, css_class)
        return []
    if tag in REMOVED or (tag not in HTML_ELEMENTS and tag not in DANGEROUS_ELEMENTS):
        what = f"removed the <{tag}> tags, keeping what they held"
        element.drop_tag()
        return [] if tag in ("label",) else [Change(what, f"<{tag}")]
    return []


def _attributes(element: HtmlElement, original: str) -> list[Change]:
    changes = []
    for name in list(element.attrib):
        lowered = name.lower()
        if lowered not in PRESENTATIONAL:
            continue
        value = (element.get(name) or "").strip()
        kept = _attribute(element, lowered, value)
        if kept is None:
            continue
        del element.attrib[name]
        if kept:
            needle = name if value.lower() in ("", lowered) else f"{name}="
            changes.append(Change(f"removed the {lowered} attribute of <{original}>", needle))
    return changes


def _attribute(element: HtmlElement, name: str, value: str) -> bool | None:
    """What to do with a presentational attribute: ``None`` keeps it (valid here), ``False``
    removes it having carried it over (into a class or an id), ``True`` removes it with a
    warning."""
    tag = element.tag
    lowered = value.lower()
    if name == "align" and lowered in ALIGNMENTS:
        _add_class(element, f"align-{ALIGNMENTS[lowered]}")
        return False
    if name == "valign" and lowered in VERTICAL:
        _add_class(element, f"valign-{VERTICAL[lowered]}")
        return False
    if name == "nowrap":
        _add_class(element, "nowrap")
        return False
    if name in ("width", "height") and tag in SIZED:
        return None if value.isdigit() else True
    if name == "border":
        if tag == "table" and value != "0":
            _add_class(element, "border")
            return False
        return value not in ("", "0")
    if name == "type" and tag not in ("ul", "li"):
        return None
    if name == "scope" and tag == "th":
        return None
    if name == "abbr" and tag == "th":
        return None
    if name == "name":
        return _name(element, value)
    return True


def _name(element: HtmlElement, value: str) -> bool | None:
    """``<a name="x">``, the old anchor, becomes ``<a id="x">`` so links to it still work."""
    if element.tag != "a":
        return True
    if value and not element.get("id") and " " not in value:
        element.set("id", value)
        return False
    return True


def _add_class(element: HtmlElement, name: str) -> None:
    classes = (element.get("class") or "").split()
    if name not in classes:
        element.set("class", " ".join([*classes, name]))


def _replace_with_text(element: HtmlElement, text: str) -> None:
    parent = element.getparent()
    if parent is None:
        return
    following = text + (element.tail or "")
    previous = element.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + following
    else:
        parent.text = (parent.text or "") + following
    parent.remove(element)
