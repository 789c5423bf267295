"""Break a built edition as a rule's ``break.yaml`` says: text replacements in the web page
or in an EPUB member, or a few named operations on a PDF.

A ``break.yaml`` names the edition and lists its edits::

    edition: epub
    edits:
      - member: chapter-01.xhtml      # EPUB only: the member whose name ends so
        replace: </blockquote>
        with: <bogus/></blockquote>

A PDF edit is one of ``insert-text`` (``page``, ``at``, ``text``, ``size``, ``font``: an
installed family to embed instead of Helvetica; a negative coordinate counts from the right
or bottom edge), ``set-catalog-key`` (``key``, ``value``),
``redact`` (a text, removed wherever it is printed), ``clear-bookmarks``, ``set-mediabox``
(``page``, ``size`` in points) and ``delete-page`` (a page number). Pages count from 1.
"""

from __future__ import annotations

import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pymupdf
import yaml

SLUG = "small-pamphlet"
SUFFIXES = {"pdf": ".pdf", "booklet": "-booklet.pdf", "epub": ".epub", "html": ".html"}


def edition_file(build_dir: Path, edition: str) -> Path:
    return build_dir / f"{SLUG}{SUFFIXES[edition]}"


def load_breakage(path: Path) -> dict[str, Any]:
    breakage = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert breakage["edition"] in SUFFIXES, f"{path}: unknown edition {breakage['edition']!r}"
    assert breakage["edits"], f"{path}: no edits"
    return breakage


def apply_breakage(path: Path, build_dir: Path) -> None:
    """Break the built edition of ``build_dir`` as the ``break.yaml`` at ``path`` says."""
    breakage = load_breakage(path)
    target = edition_file(build_dir, breakage["edition"])
    for edit in breakage["edits"]:
        if breakage["edition"] in ("pdf", "booklet"):
            edit_pdf(target, pdf_operation(edit))
        elif breakage["edition"] == "epub":
            edit_epub(target, edit["member"], edit["replace"], edit["with"])
        else:
            edit_text(target, edit["replace"], edit["with"])


def replace_once(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def edit_text(path: Path, old: str, new: str) -> None:
    path.write_text(replace_once(path.read_text(encoding="utf-8"), old, new), encoding="utf-8")


def edit_epub(path: Path, member_suffix: str, old: str, new: str) -> None:
    with zipfile.ZipFile(path) as archive:
        members = [(info, archive.read(info.filename)) for info in archive.infolist()]
    assert any(info.filename.endswith(member_suffix) for info, _ in members), member_suffix
    with zipfile.ZipFile(path, "w") as archive:
        for info, data in members:
            if info.filename.endswith(member_suffix):
                data = replace_once(data.decode("utf-8"), old, new).encode("utf-8")
            archive.writestr(info, data)


def edit_pdf(path: Path, change: Callable[[pymupdf.Document], None]) -> None:
    with pymupdf.open(path) as pdf:
        change(pdf)
        pdf.save(path.with_suffix(".tmp.pdf"))
    path.with_suffix(".tmp.pdf").replace(path)


def pdf_operation(edit: dict[str, Any]) -> Callable[[pymupdf.Document], None]:
    (name, arguments), *rest = edit.items()
    assert not rest and name in PDF_OPERATIONS, f"one PDF operation per edit, not {edit}"
    return lambda document: PDF_OPERATIONS[name](document, arguments)


def insert_text(document: pymupdf.Document, options: dict[str, Any]) -> None:
    """Print a line of text: in Helvetica, which is not embedded, or in the installed font
    family ``font``, embedded."""
    page = document[options["page"] - 1]
    x, y = options["at"]
    point = (x % page.rect.width, y % page.rect.height)
    font = {"fontname": "helv"}
    if "font" in options:
        font = {"fontname": "stray", "fontfile": font_file(options["font"])}
    page.insert_text(point, options["text"], fontsize=options.get("size", 11), **font)


def font_file(family: str) -> str:
    """The file of an installed font family's regular face, as fontconfig finds it."""
    found = subprocess.run(
        ["fc-match", "--format=%{file}", f"{family}:style=Regular"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert Path(found).is_file() and "".join(family.split()) in Path(found).name, found
    return found


def set_catalog_key(document: pymupdf.Document, options: dict[str, Any]) -> None:
    document.xref_set_key(document.pdf_catalog(), options["key"], options["value"])


def redact(document: pymupdf.Document, text: str) -> None:
    hits = 0
    for page in document:
        for hit in page.search_for(text):
            page.add_redact_annot(hit)
            hits += 1
        page.apply_redactions()
    assert hits, text


def clear_bookmarks(document: pymupdf.Document, _: Any) -> None:
    assert document.get_toc()
    document.set_toc([])


def set_mediabox(document: pymupdf.Document, options: dict[str, Any]) -> None:
    document[options["page"] - 1].set_mediabox(pymupdf.Rect(0, 0, *options["size"]))


def delete_page(document: pymupdf.Document, number: int) -> None:
    document.delete_page(number - 1)


PDF_OPERATIONS: dict[str, Callable[[pymupdf.Document, Any], None]] = {
    "insert-text": insert_text,
    "set-catalog-key": set_catalog_key,
    "redact": redact,
    "clear-bookmarks": clear_bookmarks,
    "set-mediabox": set_mediabox,
    "delete-page": delete_page,
}
