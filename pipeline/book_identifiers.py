"""The book's identifiers, worked out once from the metadata for every edition.

The print edition's ISBN is ``isbn``; the e-book's identifier is its own ISBN
(``isbn-epub``), else what the EPUB has always carried: the print ISBN, the ``identifier``
or a UUID derived from title and authors (so that a rebuild keeps it). The colophons, the
EPUB's package, the PDFs' metadata and the cover's barcode all read ``identifiers()``, so
they cannot disagree.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipeline.metadata import Metadata

IDENTIFIER_NAMESPACE = uuid.UUID("5b0a6f3e-52a4-4f55-8a45-6b1c5e3c9d21")
ISBN_KEYS = ("isbn", "isbn-epub")
BOOKLAND_PREFIX = "978"
"""The EAN-13 prefix an ISBN-10 takes when it is printed as a barcode."""


@dataclass(frozen=True)
class Isbn:
    """An ISBN as the metadata writes it (``shown``) and as bare digits."""

    shown: str
    digits: str

    @property
    def urn(self) -> str:
        return f"urn:isbn:{self.digits}"

    @property
    def ean13(self) -> str:
        """The 13 digits of its barcode: an ISBN-10 becomes 978, its first nine digits and
        a new check digit."""
        if len(self.digits) == 13:
            return self.digits
        body = BOOKLAND_PREFIX + self.digits[:9]
        return body + str(ean_check_digit(body))


@dataclass(frozen=True)
class Identifiers:
    """The print ISBN (if any) and the e-book's identifier, with its ISBN when it has one."""

    print_isbn: Isbn | None
    ebook: str
    ebook_isbn: Isbn | None

    @property
    def ebook_shown(self) -> str:
        """The e-book's identifier as a colophon prints it: an ISBN as written."""
        return self.ebook_isbn.shown if self.ebook_isbn else self.ebook

    @property
    def ebook_differs(self) -> bool:
        """Whether the e-book has an identifier of its own, not the print ISBN."""
        return self.print_isbn is None or self.ebook != self.print_isbn.urn


def bare_isbn(text: str) -> str:
    """An ISBN without its spaces and hyphens, an ``x`` check digit in capitals."""
    return re.sub(r"[\s-]", "", text).upper()


def ean_check_digit(twelve: str) -> int:
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(twelve))
    return (10 - total % 10) % 10


def isbn_is_valid(digits: str) -> bool:
    """Whether bare ``digits`` are an ISBN-13 or ISBN-10 whose check digit is right."""
    if re.fullmatch(r"\d{13}", digits):
        return digits.startswith(("978", "979")) and ean_check_digit(digits[:12]) == int(digits[12])
    if re.fullmatch(r"\d{9}[\dX]", digits):
        values = [10 if d == "X" else int(d) for d in digits]
        return sum(v * (10 - i) for i, v in enumerate(values)) % 11 == 0
    return False


def isbn_problem(text: str) -> str | None:
    """Why ``text`` is not an ISBN, or None when it is one."""
    digits = bare_isbn(text)
    if re.fullmatch(r"\d{13}", digits) and not digits.startswith(("978", "979")):
        return "an ISBN-13 begins with 978 or 979"
    if re.fullmatch(r"\d{13}|\d{9}[\dX]", digits):
        return None if isbn_is_valid(digits) else "its check digit is wrong"
    return "an ISBN has 13 digits (or 10, the last may be X)"


def isbn_of(meta: Metadata, key: str) -> Isbn | None:
    """The ISBN under ``key`` (checked when the metadata was read), or None."""
    text = meta.get(key)
    return Isbn(text, bare_isbn(text)) if text else None


def identifiers(meta: Metadata) -> Identifiers:
    """The identifiers of the book described by ``meta``."""
    print_isbn = isbn_of(meta, "isbn")
    ebook_isbn = isbn_of(meta, "isbn-epub") or print_isbn
    if ebook_isbn:
        ebook = ebook_isbn.urn
    elif meta.get("identifier"):
        ebook = meta.get("identifier")
    else:
        seed = "\n".join([meta.title, *meta.authors])
        ebook = f"urn:uuid:{uuid.uuid5(IDENTIFIER_NAMESPACE, seed)}"
    return Identifiers(print_isbn, ebook, ebook_isbn)
