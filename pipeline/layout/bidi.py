"""Left-to-right runs kept in order in the print markup of a right-to-left text.

WeasyPrint shapes the text of each inline box on its own (Pango orders the letters inside
it) and sets the boxes of a right-to-left line from right to left; it reads neither
``unicode-bidi`` nor first-strong isolation. A Latin-script run that spans several boxes
-- ``Johannes Morsink, <em>The Universal Declaration…</em> (Philadelphia…, 1999), 12`` in
an Arabic note -- would come out with its pieces in reverse order. Each such run is
wrapped here in a ``<span dir="ltr">``, whose boxes WeasyPrint sets from left to right: the
run reads as written and stands, as one piece, where the Unicode bidirectional algorithm
puts it. A run inside one box needs nothing. A citation set in the text is isolated as
``dir="auto"`` would: one whose first letter is Latin is set left to right. Only spans and
``dir`` attributes are added: the words and notes the checks compare are unchanged.
"""

from __future__ import annotations

import unicodedata

from lxml.html import HtmlElement

from pipeline.markup import fragment, inner_html

INLINE = frozenset(
    {"a", "abbr", "b", "bdi", "cite", "code", "data", "dfn", "em", "i", "kbd", "mark", "q"}
    | {"s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var"}
)
"""Elements whose boxes share the line with the text around them."""
FLOATED = "footnote"
"""The class of a note floated from its call: out of the line, its own run of text."""
STRONG_RTL = frozenset(("R", "AL", "AN"))
ISOLATED = "citation"
"""The class of a citation set in the text, which reads in the direction of its own first
letter, as ``dir="auto"`` would have it: "(Morsink 1999, 12)" keeps its brackets even when
the line breaks inside it."""


def keep_ltr_runs(root: HtmlElement) -> None:
    """Set each citation that starts with a left-to-right letter left to right, and wrap
    every left-to-right run that crosses an inline element's edge, under ``root``."""
    for element in list(root.iter()):
        if not isinstance(element.tag, str):
            continue
        if _is_citation(element) and _first_strong(_own_text(element)) == "L":
            element.set("dir", "ltr")
        if _holds_inline(element):
            _wrap_runs(element)


def _is_citation(element: HtmlElement) -> bool:
    return ISOLATED in (element.get("class") or "").split() and element.get("dir") is None


def _own_text(element: HtmlElement) -> str:
    """The element's text without the notes floated from it."""
    parts = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str) and FLOATED not in (child.get("class") or "").split():
            parts.append(_own_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _first_strong(text: str) -> str | None:
    return next((kind for kind in _classes(text) if kind in ("L", "R")), None)


def ltr_runs_in(markup: str) -> str:
    """``markup``, an element's content, with its left-to-right runs wrapped."""
    wrapper = fragment(markup)
    keep_ltr_runs(wrapper)
    return inner_html(wrapper)


def _holds_inline(element: HtmlElement) -> bool:
    return any(_is_inline(child) for child in element) and element.get("dir") != "ltr"


def _is_inline(element: HtmlElement) -> bool:
    return (
        isinstance(element.tag, str)
        and element.tag in INLINE
        and FLOATED not in (element.get("class") or "").split()
    )


def _classes(text: str) -> list[str]:
    """Each character's part in a run: L (left-to-right letter), R (right-to-left letter or
    Arabic digit), E (a European digit, which follows the letters before it) or N."""
    found = []
    for char in text:
        kind = unicodedata.bidirectional(char)
        found.append(
            "L" if kind == "L" else "R" if kind in STRONG_RTL else "E" if kind == "EN" else "N"
        )
    return found


def _element_class(element: HtmlElement) -> str:
    """An inline element as one piece of a run: R if it holds any right-to-left letter (it
    then breaks the run), L if it holds left-to-right letters, E if European digits, else
    N; any other element is a barrier, B."""
    if not _is_inline(element) or element.get("dir") == "rtl":
        return "B"
    if element.get("dir") == "ltr":
        return "L"
    classes = set(_classes(_own_text(element)))
    return next((kind for kind in "RLE" if kind in classes), "N")


def _wrap_runs(element: HtmlElement) -> None:
    """Find the runs among ``element``'s text and children, last first, and wrap those that
    cross a child's edge."""
    units: list[tuple[int, int, str]] = []  # (child index or -1 for text, offset, class)
    children = list(element)
    for offset, kind in enumerate(_classes(element.text or "")):
        units.append((-1, offset, kind))
    for index, child in enumerate(children):
        units.append((index, -1, _element_class(child)))
        for offset, kind in enumerate(_classes(child.tail or "")):
            units.append((index, offset, kind))
    runs = _runs([kind for _i, _o, kind in units])
    for start, end in reversed(runs):
        first, last = units[start], units[end]
        pieces = {(index, offset == -1) for index, offset, _k in units[start : end + 1]}
        if len(pieces) > 1:
            _wrap(element, children, first, last)


def _runs(kinds: list[str]) -> list[tuple[int, int]]:
    """(first, last) unit of each left-to-right run: from a left-to-right letter to the last
    such letter or European digit before a right-to-left letter or a barrier."""
    runs = []
    start = end = None
    for position, kind in enumerate(kinds):
        if kind == "L" or (kind == "E" and start is not None):
            start = position if start is None else start
            end = position
        elif kind in ("R", "B"):
            if start is not None:
                runs.append((start, end))
            start = end = None
    if start is not None:
        runs.append((start, end))
    return runs


def _wrap(
    element: HtmlElement,
    children: list[HtmlElement],
    first: tuple[int, int, str],
    last: tuple[int, int, str],
) -> None:
    """Move the run from ``first`` to ``last`` (units as ``_wrap_runs`` counts them) into a
    new ``<span dir="ltr">``."""
    span = fragment('<span dir="ltr"></span>')[0]
    first_index, first_offset, _ = first
    last_index, last_offset, _ = last
    # What follows the run stays outside the span: the tail of its last element, or the
    # rest of the text its last letter is in.
    if last_offset == -1:
        rest = children[last_index].tail
        children[last_index].tail = None
    else:
        source = children[last_index].tail or ""
        rest = source[last_offset + 1 :]
        children[last_index].tail = source[: last_offset + 1]
    # The span starts where the run does: at its first element, or inside a text.
    if first_offset == -1:
        before = children[first_index - 1] if first_index > 0 else None
        moved = children[first_index : last_index + 1]
    else:
        source = (element.text if first_index == -1 else children[first_index].tail) or ""
        span.text = source[first_offset:]
        if first_index == -1:
            element.text = source[:first_offset]
        else:
            children[first_index].tail = source[:first_offset]
        before = None if first_index == -1 else children[first_index]
        moved = children[first_index + 1 : last_index + 1]
    if before is None:
        element.insert(0, span)
    else:
        before.addnext(span)
    for child in moved:
        span.append(child)
    span.tail = rest
