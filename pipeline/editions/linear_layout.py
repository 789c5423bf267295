"""Two quadratic steps in WeasyPrint's handling of long books, made linear.

Both are bookkeeping, not typesetting, so the pages come out the same:

- For every line it lays out, WeasyPrint asks whether each box on the line is one of the
  footnotes still waiting to be placed, a search through a plain list of every pending
  note. With a note per paragraph that is lines × notes. ``IndexedList`` answers ``in``
  from a count of its members by identity.
- While tagging the PDF (PDF/UA), pydyf rebuilds the list of every page reference for each
  tagged element: elements × pages. The list is now kept until a page is added.

Profiled on the seed at 50× its length (1,002 pages, 2,200 notes) these two took about
22 s of 212.
"""

from __future__ import annotations

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


def make_layout_linear() -> None:
    """Apply both changes once per process (idempotent)."""
    global _applied
    if _applied:
        return
    import pydyf
    from weasyprint.layout import LayoutContext

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
    _applied = True
