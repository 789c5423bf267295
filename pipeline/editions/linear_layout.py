"""Four quadratic steps in WeasyPrint's handling of long books, made linear.

All are bookkeeping, not typesetting, so the pages come out the same:

- For every line it lays out, WeasyPrint asks whether each box on the line is one of the
  footnotes still waiting to be placed, a search through a plain list of every pending
  note. With a note per paragraph that is lines × notes. ``IndexedList`` answers ``in``
  from a count of its members by identity.
- While tagging the PDF (PDF/UA), pydyf rebuilds the list of every page reference for each
  tagged element: elements × pages. The list is now kept until a page is added.
- For every page, WeasyPrint styles the page's margin boxes by going through the cascaded
  styles of every element of the document, looking for those of the page: pages ×
  elements. The margin boxes are now looked up by the names the page rules use.
- For every page, WeasyPrint goes through every other page for fixed-position boxes to
  repeat on it: pages × pages, though a pamphlet has none. Pages are now first asked in
  one C-level sweep whether any has such boxes.

Profiled on the seed at 50× its length (1,002 pages, 2,200 notes) these two took about
22 s of 212.
"""

from __future__ import annotations

import operator
from collections import Counter
from typing import Any


class IndexedList(list):
    """A list whose ``in`` test is a dictionary look-up by object identity."""

    def __init__(self, items: Any = ()):
        super().__init__(items)
        self._count: Counter[int] = Counter(id(item) for item in self)

    def __contains__(self, item: object) -> bool:
        return self._count[id(item)] > 0

    def append(self, item: Any) -> None:
        super().append(item)
        self._count[id(item)] += 1

    def extend(self, items: Any) -> None:
        for item in items:
            self.append(item)

    def insert(self, index: Any, item: Any) -> None:
        super().insert(index, item)
        self._count[id(item)] += 1

    def remove(self, item: Any) -> None:
        super().remove(item)
        self._count[id(item)] -= 1

    def pop(self, index: Any = -1) -> Any:
        item = super().pop(index)
        self._count[id(item)] -= 1
        return item

    def clear(self) -> None:
        super().clear()
        self._count.clear()

    def copy(self) -> IndexedList:
        return IndexedList(self)

    def __delitem__(self, index: Any) -> None:
        super().__delitem__(index)
        self._count = Counter(id(item) for item in self)

    def __setitem__(self, index: Any, value: Any) -> None:
        super().__setitem__(index, value)
        self._count = Counter(id(item) for item in self)

    def __iadd__(self, items: Any) -> IndexedList:
        self.extend(items)
        return self


_applied = False


def style_page_type(page_type: Any, html: Any, style_for: Any) -> None:
    """Style a page and its margin boxes, as WeasyPrint does, reaching the margin boxes'
    cascaded styles by key instead of by a pass over every element's."""
    style_for.add_page_declarations(page_type)
    root = html.etree_element
    style_for.set_computed_styles(page_type, root=root, parent=root, base_url=html.base_url)
    cascaded = style_for.get_cascaded_styles()
    for pseudo_type in _page_pseudo_types(style_for):
        if (page_type, pseudo_type) in cascaded:
            style_for.set_computed_styles(
                page_type,
                pseudo_type=pseudo_type,
                root=root,
                parent=page_type,
                base_url=html.base_url,
            )


def _page_pseudo_types(style_for: Any) -> list[str]:
    """The margin boxes and other page parts the page rules style, in stylesheet order."""
    found = style_for.__dict__.get("_page_pseudo_types")
    if found is None:
        names = (
            selector[1]
            for sheet, _origin, _specificity in style_for._sheets
            for _rule, selectors, _declarations in sheet.page_rules
            for selector in selectors
        )
        found = list(dict.fromkeys(name for name in names if name))
        style_for.__dict__["_page_pseudo_types"] = found
    return found


def _skip_pages_without_fixed_boxes(lay_out_fixed: Any) -> Any:
    """WeasyPrint's ``layout_fixed_boxes``, returning at once when no page has any."""
    has_fixed = operator.attrgetter("fixed_boxes")

    def layout_fixed_boxes(context: Any, pages: Any, containing_page: Any) -> Any:
        if not any(map(has_fixed, pages)):
            return iter(())
        return lay_out_fixed(context, pages, containing_page)

    return layout_fixed_boxes


def make_layout_linear() -> None:
    """Apply the changes once per process (idempotent)."""
    global _applied
    if _applied:
        return
    import pydyf
    from weasyprint import layout
    from weasyprint.layout import LayoutContext, page

    original_init = LayoutContext.__init__

    def init(self, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        self.footnotes = IndexedList(self.footnotes)

    def page_references(self) -> tuple[bytes, ...]:
        kids = self.pages["Kids"]
        cached = self.__dict__.get("_page_references")
        if cached is None or cached[0] != len(kids):
            references = tuple(f"{number} 0 R".encode("ascii") for number in kids[::3])
            cached = (len(kids), references)
            self.__dict__["_page_references"] = cached
        return cached[1]

    LayoutContext.__init__ = init
    pydyf.PDF.page_references = property(page_references)
    page.set_page_type_computed_styles = style_page_type
    layout.layout_fixed_boxes = _skip_pages_without_fixed_boxes(layout.layout_fixed_boxes)
    _applied = True
