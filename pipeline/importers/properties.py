"""What DOCX and ODT packages say about themselves, where pandoc does not read it.

Pandoc takes a document's title and author from paragraphs styled Title and Author; word
processors keep them, and the document's language, in the package's properties. Pandoc's
ODT reader also drops the alternative text of images, which LibreOffice stores beside each
picture.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import lxml.etree

from pipeline.errors import PipelineError

NS = {
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dc": "http://purl.org/dc/elements/1.1/",
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "meta": "urn:oasis:names:tc:opendocument:xmlns:meta:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "fo": "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0",
    "draw": "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0",
    "svg": "urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0",
    "xlink": "http://www.w3.org/1999/xlink",
}
MAX_XML_BYTES = 50 * 1024 * 1024
PARSER = lxml.etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)

DOCX_FIELDS = {
    "title": "//dc:title",
    "author": "//dc:creator",
    "description": "//dc:description",
    "keywords": "//cp:keywords",
    "lang": "//dc:language",
}
ODT_FIELDS = {
    "title": "//dc:title",
    "author": "//meta:initial-creator",
    "description": "//dc:description",
    "keywords": "//meta:keyword",
    "lang": "//dc:language",
}
DOCX_DEFAULT_LANG = "//w:docDefaults//w:lang/@w:val"
ODT_DEFAULT_LANG = "//style:default-style[@style:family='paragraph']/style:text-properties"


def package_properties(source: Path, kind: str) -> dict[str, str]:
    """Title, author, description, keywords and language from a DOCX or ODT package."""
    with _open(source, kind) as package:
        if kind == "docx":
            values = _fields(_xml(package, "docProps/core.xml"), DOCX_FIELDS)
            lang = _first(_xml(package, "word/styles.xml"), DOCX_DEFAULT_LANG)
        else:
            meta = _xml(package, "meta.xml")
            values = _fields(meta, ODT_FIELDS)
            if "author" not in values:
                values |= _fields(meta, {"author": "//dc:creator"})
            lang = _odt_default_lang(_xml(package, "styles.xml"))
    if lang and "lang" not in values:
        values["lang"] = lang
    return values


def odt_alt_texts(source: Path) -> dict[str, str]:
    """The alternative text of each picture in an ODT, by its path inside the package."""
    with _open(source, "odt") as package:
        content = _xml(package, "content.xml")
    texts: dict[str, str] = {}
    if content is None:
        return texts
    for frame in content.iterfind(".//draw:frame", NS):
        image = frame.find("draw:image", NS)
        if image is None:
            continue
        href = image.get(f"{{{NS['xlink']}}}href", "")
        alt = _text(frame.find("svg:desc", NS)) or _text(frame.find("svg:title", NS))
        if href and alt:
            texts[href] = alt
    return texts


def _open(source: Path, kind: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError):
        raise PipelineError(f"cannot be read as a {kind.upper()} document", source) from None


def _xml(package: zipfile.ZipFile, name: str) -> lxml.etree._Element | None:
    try:
        info = package.getinfo(name)
    except KeyError:
        return None
    if info.file_size > MAX_XML_BYTES:
        return None
    try:
        return lxml.etree.fromstring(package.read(info), PARSER)
    except (lxml.etree.XMLSyntaxError, zipfile.BadZipFile, OSError):
        return None


def _fields(root: lxml.etree._Element | None, paths: dict[str, str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for key, path in paths.items():
        texts = [_text(e) for e in root.xpath(path, namespaces=NS)] if root is not None else []
        joined = ", ".join(t for t in texts if t)
        if joined:
            values[key] = joined
    return values


def _first(root: lxml.etree._Element | None, path: str) -> str | None:
    if root is None:
        return None
    found = root.xpath(path, namespaces=NS)
    return str(found[0]).strip() if found else None


def _odt_default_lang(root: lxml.etree._Element | None) -> str | None:
    if root is None:
        return None
    props = root.xpath(ODT_DEFAULT_LANG, namespaces=NS)
    if not props:
        return None
    language = props[0].get(f"{{{NS['fo']}}}language")
    country = props[0].get(f"{{{NS['fo']}}}country")
    if not language or language == "none":
        return None
    return f"{language}-{country}" if country and country != "none" else language


def _text(element: lxml.etree._Element | None) -> str:
    if element is None:
        return ""
    return " ".join("".join(element.itertext()).split())
