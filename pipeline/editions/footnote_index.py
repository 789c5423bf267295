"""Linear-time footnote bookkeeping for WeasyPrint.

WeasyPrint keeps the footnotes still to be placed in a plain list and, for every line it
lays out, asks whether each box on the line is in that list. With one note per paragraph
that is a scan of every pending note for every line: quadratic in the length of the book
(about 5 minutes for 10,000 notes). This list keeps a count of its members by identity, so
membership is a dictionary look-up; order and every other list behaviour are unchanged.
"""

from __future__ import annotations

from collections import Counter
from typing import Any


class IndexedList(list):
    """A list whose ``in`` test is O(1), by object identity."""

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


def index_weasyprint_footnotes() -> None:
    """Give every WeasyPrint layout context an IndexedList of pending footnotes."""
    global _applied
    if _applied:
        return
    from weasyprint.layout import LayoutContext

    original_init = LayoutContext.__init__

    def init(self, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        self.footnotes = IndexedList(self.footnotes)

    LayoutContext.__init__ = init
    _applied = True
