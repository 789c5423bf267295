"""The EPUB container, written so that the same book always gives the same bytes.

ebooklib writes the book; its package document is then replaced by the one made from the
template (see ``opf``). ebooklib also stamps every zip entry with the time of writing, so the
archive is rewritten here: ``mimetype`` first and stored, then the other entries in
ebooklib's order, every one dated from ``SOURCE_DATE_EPOCH`` (or the build time) with fixed
permissions.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from ebooklib import epub

from pipeline.editions.epub.opf import package_document
from pipeline.manuscript import Manuscript

MIMETYPE = "mimetype"
PACKAGE_DOCUMENT = "EPUB/content.opf"
ZIP_EPOCH = dt.datetime(1980, 1, 1, tzinfo=dt.UTC)
FILE_MODE = 0o100644
UNIX = 3


def package(book: epub.EpubBook, modified: dt.datetime, manuscript: Manuscript) -> bytes:
    """The finished EPUB file as bytes."""
    draft = io.BytesIO()
    options = {
        "mtime": modified,
        "epub3_landmark": False,
        "epub3_pages": False,
        "raise_exceptions": True,
    }
    epub.write_epub(draft, book, options)
    opf = package_document(book, modified, manuscript)
    return repack(draft.getvalue(), modified, {PACKAGE_DOCUMENT: opf})


def repack(archive: bytes, modified: dt.datetime, replace: dict[str, bytes] | None = None) -> bytes:
    """The archive rewritten with fixed dates and modes, each entry named in ``replace``
    given the bytes it maps to."""
    replace = replace or {}
    stamp = max(modified, ZIP_EPOCH).timetuple()[:6]
    result = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(archive)) as source,
        zipfile.ZipFile(result, "w") as target,
    ):
        names = [MIMETYPE, *(n for n in source.namelist() if n != MIMETYPE)]
        for name in names:
            data = replace.get(name) or source.read(name)
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.create_system = UNIX
            info.external_attr = FILE_MODE << 16
            if name == MIMETYPE:
                info.compress_type = zipfile.ZIP_STORED
                target.writestr(info, data)
            else:
                info.compress_type = zipfile.ZIP_DEFLATED
                target.writestr(info, data, compresslevel=9)
    return result.getvalue()
