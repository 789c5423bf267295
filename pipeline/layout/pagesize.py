"""Page and sheet sizes of the print edition: a named paper size or two lengths.

``print.page-size`` in metadata.yaml takes a name (A4, A5, A6, B5, B6, Letter) or a width and
a height such as ``148mm 210mm``. The booklet's sheet holds two pages side by side: the named
size that fits them snugly when there is one (A5 pages on A4, A6 on A5, Letter on Tabloid),
else exactly twice the page's width.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

POINTS_PER_MM = 72 / 25.4
DEFAULT_PAGE_SIZE = "A5"

PAGE_SIZES: dict[str, tuple[float, float]] = {
    "A4": (210, 297),
    "A5": (148, 210),
    "A6": (105, 148),
    "B5": (176, 250),
    "B6": (125, 176),
    "Letter": (215.9, 279.4),
}
SHEET_SIZES: dict[str, tuple[float, float]] = {
    **PAGE_SIZES,
    "A3": (297, 420),
    "B4": (250, 353),
    "Tabloid": (279.4, 431.8),
}
ALIASES = {"us letter": "Letter", "us-letter": "Letter"}
UNITS_MM = {"mm": 1.0, "cm": 10.0, "in": 25.4, "pt": 25.4 / 72}
LENGTH = re.compile(r"^(\d+(?:\.\d+)?)(mm|cm|in|pt)$")
SMALLEST_MM = 50.0
LARGEST_MM = 1000.0
SNUG_MM = 2.0
"""How much larger than two pages a named sheet may be and still be chosen for the booklet."""


@dataclass(frozen=True)
class PageSize:
    """A paper size in millimetres, portrait or landscape as given."""

    width: float
    height: float
    name: str | None = None

    @property
    def css(self) -> str:
        """The value for the CSS ``size`` property, e.g. ``148mm 210mm``."""
        return f"{_number(self.width)}mm {_number(self.height)}mm"

    @property
    def points(self) -> tuple[float, float]:
        return (self.width * POINTS_PER_MM, self.height * POINTS_PER_MM)

    def __str__(self) -> str:
        return self.name or self.css


def parse_page_size(text: str, sizes: dict[str, tuple[float, float]] = PAGE_SIZES) -> PageSize:
    """Read a size name or two lengths; raise ValueError saying what is accepted."""
    cleaned = " ".join(str(text).split())
    name = _size_name(cleaned, sizes)
    if name is not None:
        width, height = sizes[name]
        return PageSize(width, height, name)
    parts = cleaned.lower().split(" ")
    lengths = [_length_mm(part) for part in parts]
    if len(lengths) != 2 or None in lengths:
        names = ", ".join(sizes)
        raise ValueError(f"must be one of {names} or a width and height such as '148mm 210mm'")
    width, height = lengths
    for length in (width, height):
        if not SMALLEST_MM <= length <= LARGEST_MM:
            raise ValueError(
                f"must measure between {SMALLEST_MM:.0f}mm and {LARGEST_MM:.0f}mm each way"
            )
    return PageSize(width, height)


def parse_sheet_size(text: str) -> PageSize:
    return parse_page_size(text, SHEET_SIZES)


def booklet_sheet(page: PageSize) -> PageSize:
    """The landscape sheet that carries two pages side by side."""
    width, height = 2 * page.width, page.height
    for name, (short, long) in SHEET_SIZES.items():
        if 0 <= long - width <= SNUG_MM and 0 <= short - height <= SNUG_MM:
            return PageSize(long, short, name)
    return PageSize(width, height)


def sheet_holds_spread(sheet: PageSize, page: PageSize) -> bool:
    """Whether two pages fit side by side on the sheet, turned either way."""
    width, height = 2 * page.width, page.height
    fits = width <= sheet.width + 0.5 and height <= sheet.height + 0.5
    turned = width <= sheet.height + 0.5 and height <= sheet.width + 0.5
    return fits or turned


def _size_name(text: str, sizes: dict[str, tuple[float, float]]) -> str | None:
    lowered = ALIASES.get(text.lower(), text).lower()
    return next((name for name in sizes if name.lower() == lowered), None)


def _length_mm(text: str) -> float | None:
    match = LENGTH.match(text)
    if match is None:
        return None
    return float(match.group(1)) * UNITS_MM[match.group(2)]


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")
