"""Formulas in the print edition, drawn as vector art.

WeasyPrint lays out no MathML, so each ``<math>`` of the print markup becomes an ``<img>``
of the same formula drawn by ziamath: its own math font, every glyph a path, so the PDF
needs no font for it. The drawing is an SVG in a ``data:`` URL, sized in em so that it
follows the size of the text around it, and lowered by its depth so that it sits on the
baseline. Its ``alt`` is the formula's TeX source, which the tagged PDF carries as the
formula's alternative text. A formula ziamath cannot draw is set as its TeX source, as
pandoc sets one it cannot convert, and reported.

The drawings are kept for as long as the Document lives: the layout stage lays the pages
out up to three times, and each formula is drawn, and reported, once.
"""

from __future__ import annotations

import base64
import logging
import warnings
import weakref
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field, replace

import lxml.html
from lxml.html import HtmlElement

from pipeline.assets import locate
from pipeline.document import Document, Note
from pipeline.markup import fragment, inner_html
from pipeline.valid_html import TEX_SOURCE_CLASS

log = logging.getLogger("pipeline.layout")

SIZE = 20.0
"""ziamath's font size for a drawing, in SVG units: one em of the drawing."""
MARGIN = 0.5
"""Room round the ink, in SVG units, so that no stroke touches the image's edge."""
TEX = "application/x-tex"
ANNOTATIONS = frozenset({"annotation", "annotation-xml"})
DRAWN = frozenset(
    {
        "math", "mrow", "mi", "mn", "mo", "mtext", "ms", "mspace", "mfrac", "msqrt",
        "mroot", "msub", "msup", "msubsup", "munder", "mover", "munderover",
        "mmultiscripts", "mprescripts", "none", "mtable", "mtr", "mtd", "mstyle",
        "mpadded", "mphantom", "merror", "menclose", "mfenced",
    }
)  # fmt: skip
"""The MathML elements ziamath draws (``semantics`` is unwrapped before it sees them)."""
CLASSES = {False: "math inline", True: "math display"}
"""The classes of a drawing and of a formula set as TeX, as pandoc names its own; the
latter also has the class of math left as TeX (``TEX_SOURCE_CLASS``)."""
DELIMITERS = {False: ("$", "$"), True: ("$$", "$$")}
"""How pandoc writes out a formula it could not convert, inline and on its own line."""


@dataclass(frozen=True)
class Drawing:
    """A formula drawn: the SVG as a ``data:`` URL and its size in em."""

    url: str
    width: float
    height: float
    depth: float

    def style(self, display: bool) -> str:
        """Inline, the size and the drop below the baseline; on a line of its own, the
        width alone, so that a drawing scaled down to the measure keeps its proportions."""
        if display:
            return f"width: {self.width:.3f}em"
        return (
            f"width: {self.width:.3f}em; height: {self.height:.3f}em; "
            f"vertical-align: {-self.depth:.3f}em"
        )


@dataclass
class Formulas:
    """The formulas of one Document: each drawing (None where drawing failed) by MathML."""

    document: Document
    drawings: dict[bytes, Drawing | None] = field(default_factory=dict)
    notes: tuple[Note, ...] | None = None


_FORMULAS: dict[int, Formulas] = {}


def formulas_of(document: Document) -> Formulas:
    """The formulas kept for ``document``; dropped when the Document is."""
    key = id(document)
    if key not in _FORMULAS:
        _FORMULAS[key] = Formulas(document)
        weakref.finalize(document, _FORMULAS.pop, key, None)
    return _FORMULAS[key]


def draw_formulas(tree: HtmlElement, document: Document) -> None:
    """Replace every ``<math>`` in ``tree`` with its drawing, or with its TeX source."""
    formulas = formulas_of(document)
    for math in list(tree.iter("math")):
        if math.getparent() is None or _inside_math(math):
            continue
        display = math.get("display") == "block"
        tex = tex_source(math)
        drawing = _drawing(formulas, math, tex)
        replacement = _image(drawing, tex, display) if drawing else _tex(tex, display)
        replacement.tail = math.tail
        math.getparent().replace(math, replacement)


def notes_with_drawn_formulas(document: Document) -> tuple[Note, ...]:
    """The document's notes with their formulas drawn, so that a long note is cut where
    the laid-out lines, in which a drawing holds no characters, say."""
    formulas = formulas_of(document)
    if formulas.notes is None:
        formulas.notes = tuple(_drawn_note(note, document) for note in document.notes)
    return formulas.notes


def _drawn_note(note: Note, document: Document) -> Note:
    if "<math" not in note.html:
        return note
    tree = fragment(note.html)
    draw_formulas(tree, document)
    return replace(note, html=inner_html(tree))


def _inside_math(element: HtmlElement) -> bool:
    return any(parent.tag == "math" for parent in element.iterancestors())


def tex_source(math: HtmlElement) -> str:
    """The TeX pandoc keeps in the formula's annotation; else the formula's own text."""
    for annotation in math.iter("annotation"):
        if annotation.get("encoding") == TEX and (annotation.text or "").strip():
            return annotation.text.strip()
    text = math.xpath(".//text()[not(ancestor::annotation) and not(ancestor::annotation-xml)]")
    return " ".join("".join(text).split())


def _drawing(formulas: Formulas, math: HtmlElement, tex: str) -> Drawing | None:
    key = lxml.html.tostring(math, with_tail=False)
    if key not in formulas.drawings:
        try:
            formulas.drawings[key] = draw(math)
        except Exception as error:  # ziamath fails in many ways on formulas it cannot set
            formulas.drawings[key] = None
            _report(formulas.document, math, tex, error)
    return formulas.drawings[key]


def _report(document: Document, math: HtmlElement, tex: str, error: Exception) -> None:
    has_tex = any(a.get("encoding") == TEX for a in math.iter("annotation"))
    needle = tex.splitlines()[0] if has_tex and tex else "<math"
    place, line = locate(document.manuscript, needle)
    where = f"{place}:{line}" if line else str(place)
    log.debug("ziamath could not draw %s: %r", tex, error)
    log.warning(
        "warning: %s: the formula '%s' cannot be drawn for the print edition, "
        "which shows it as TeX",
        where,
        tex,
    )


def draw(math: HtmlElement) -> Drawing:
    """The formula drawn by ziamath; raises when it cannot be drawn."""
    with warnings.catch_warnings():  # ziamath finds its font by a deprecated call
        warnings.simplefilter("ignore", DeprecationWarning)
        import ziamath

    # Each glyph as a path of its own rather than a symbol and its uses: WeasyPrint draws
    # those in half the time.
    ziamath.config.svg2 = False
    svg = ziamath.Math(mathml_tree(math), size=SIZE, margin=MARGIN).svg()
    _x, y, width, height = (float(v) for v in ET.fromstring(svg).get("viewBox", "").split())
    url = "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return Drawing(url, width / SIZE, height / SIZE, (y + height) / SIZE)


def mathml_tree(math: HtmlElement) -> ET.Element:
    """The formula as the plain MathML ziamath reads: ``semantics`` unwrapped, annotations
    left out; an element ziamath does not draw is an error rather than drawn wrong."""
    root = ET.Element("math", {k: v for k, v in math.attrib.items() if k != "xmlns"})
    pending = [(math, root)]
    while pending:
        source, target = pending.pop()
        target.text = source.text
        last: ET.Element | None = None
        for child in source:
            if not isinstance(child.tag, str) or child.tag in ANNOTATIONS:
                _append_text(target, last, child.tail)
                continue
            drawn = _presentation(child) if child.tag == "semantics" else child
            if drawn is None:
                _append_text(target, last, child.tail)
                continue
            if drawn.tag not in DRAWN:
                raise ValueError(f"ziamath does not draw <{drawn.tag}>")
            copy = ET.SubElement(target, drawn.tag, dict(drawn.attrib))
            copy.tail = child.tail
            last = copy
            pending.append((drawn, copy))
    return root


def _presentation(semantics: HtmlElement) -> HtmlElement | None:
    """The formula a ``semantics`` element annotates: its first child element."""
    for child in semantics:
        if isinstance(child.tag, str) and child.tag not in ANNOTATIONS:
            return child
    return None


def _append_text(parent: ET.Element, last: ET.Element | None, text: str | None) -> None:
    if not text:
        return
    if last is None:
        parent.text = (parent.text or "") + text
    else:
        last.tail = (last.tail or "") + text


def _image(drawing: Drawing, tex: str, display: bool) -> HtmlElement:
    return lxml.html.Element(
        "img",
        {
            "class": CLASSES[display],
            "src": drawing.url,
            "alt": tex,
            "style": drawing.style(display),
        },
    )


def _tex(tex: str, display: bool) -> HtmlElement:
    """The formula as pandoc sets one it cannot convert: its TeX, between delimiters."""
    opening, closing = DELIMITERS[display]
    span = lxml.html.Element("span", {"class": f"{CLASSES[display]} {TEX_SOURCE_CLASS}"})
    span.text = f"{opening}{tex}{closing}"
    return span
