"""The EPUB container, written so that the same book always gives the same bytes.

ebooklib stamps every zip entry with the time of writing. The archive is therefore
rewritten here: ``mimetype`` first and stored, then the other entries in ebooklib's order,
every one dated from ``SOURCE_DATE_EPOCH`` (or the build time) with fixed permissions.
The package document also gets its ``xml:lang``, which ebooklib does not write.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import lxml.etree
from ebooklib import epub

from pipeline.editions.epub_xhtml import to_bytes

MIMETYPE = "mimetype"
PACKAGE_DOCUMENT = "EPUB/content.opf"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
ZIP_EPOCH = dt.datetime(1980, 1, 1, tzinfo=dt.UTC)
FILE_MODE = 0o100644
UNIX = 3


def package(book: epub.EpubBook, modified: dt.datetime, lang: str) -> bytes:
    """The finished EPUB file as bytes."""
    draft = io.BytesIO()
    options = {
        "mtime": modified,
        "epub3_landmark": False,
        "epub3_pages": False,
        "raise_exceptions": True,
    }
    epub.write_epub(draft, book, options)
    return repack(draft.getvalue(), modified, lang)


def repack(archive: bytes, modified: dt.datetime, lang: str) -> bytes:
    stamp = max(modified, ZIP_EPOCH).timetuple()[:6]
    result = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(archive)) as source,
        zipfile.ZipFile(result, "w") as target,
    ):
        names = [MIMETYPE, *(n for n in source.namelist() if n != MIMETYPE)]
        for name in names:
            data = source.read(name)
            if name == PACKAGE_DOCUMENT:
                data = with_language(data, lang)
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


def with_language(package_document: bytes, lang: str) -> bytes:
    root = lxml.etree.fromstring(package_document)
    root.set(XML_LANG, lang)
    return to_bytes(root, doctype=None)
