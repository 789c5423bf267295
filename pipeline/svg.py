"""SVG images cleaned before any edition carries them.

An SVG is a document of its own: it may load other files (``<image href>``, ``<use>``,
``<feImage>``, ``@import`` and ``url()`` in its styles), run scripts, react to events and
hold HTML in ``<foreignObject>``. Each edition gets the cleaned copy made here, never the
file as it stands: the EPUB and the web page embed it, WeasyPrint reads it through the
sandboxed fetcher (``pipeline.fetch``).

What stays: references inside the image (``#id``), ``data:`` images, and images of the
manuscript folder, which are carried inside the SVG as ``data:`` addresses so that the
image stands alone in every edition. What goes, each with a sentence for a warning:
references outside the folder (``file:``, absolute paths, ``../``), on the network
(``http:``, ``https:``, ``//host``) or to anything else, ``@import``, ``xml:base``,
scripts, event handlers, ``<foreignObject>`` and HTML inside the image.

The file is parsed without external entities, DTDs or the network, and with the parser's
limits on depth, size and entity expansion kept: the entities a file declares itself are
expanded (drawing programs name their namespaces and styles so), one that names a file is
an error, as is a declaration that expands a thousandfold. An image that loses nothing is
carried as it stands; any other is written anew, without its document type declaration.
"""

from __future__ import annotations

import base64
import binascii
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, unquote_to_bytes, urlsplit

from lxml import etree

from pipeline.errors import PipelineError

SVG_NAMESPACE = "http://www.w3.org/2000/svg"
XHTML_NAMESPACE = "http://www.w3.org/1999/xhtml"
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
ACTIVE = frozenset(
    {"script", "foreignObject", "handler", "listener", "iframe", "embed", "object", "canvas"}
)
"""Elements removed with all they hold: they run code or carry another document."""
ANIMATIONS = frozenset({"set", "animate", "animateMotion", "animateTransform", "animateColor"})
"""Elements that could change a reference after the image is cleaned, when they target one."""
INLINED = frozenset({"image", "feImage"})
"""Elements whose picture, a file of the manuscript, is carried inside the SVG."""
SHOWN_BY_REFERENCE = frozenset({"image", "feImage", "use"})
"""Elements that show nothing without their reference, removed with it (WeasyPrint would
try to load an image from no address)."""
RASTER_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
}
SVG_TYPE = "image/svg+xml"
MAX_BYTES = 16_000_000
MAX_DEPTH = 3
"""How many SVG images inside SVG images inside… are cleaned; deeper ones are removed."""
SNIFF_BYTES = 4096
POSITION = re.compile(r",? line \d+, column \d+$")
"""The place libxml2 appends to its messages, given apart in the error."""
NOT_IMAGES = ("text/css", "font/")


class SvgError(PipelineError):
    """An SVG image that cannot be cleaned: not well-formed, not SVG, too large."""


@dataclass(frozen=True)
class CleanSvg:
    """An SVG image as every edition carries it, and what cleaning it removed."""

    data: bytes
    removed: tuple[str, ...]


def is_svg(path: Path, content_type: str | None = None) -> bool:
    """Whether ``path`` holds markup an image reader would take for SVG: by its name, or by
    its first bytes whatever its name (WeasyPrint tries any image as SVG last)."""
    if content_type and content_type.startswith(NOT_IMAGES):
        return False
    if path.suffix.lower() == ".svg":
        return True
    try:
        with path.open("rb") as file:
            head = file.read(SNIFF_BYTES)
    except OSError:
        return False
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")


def media_bytes(path: Path, root: Path) -> bytes:
    """The bytes an edition carries for the file ``path`` of the manuscript at ``root``: the
    file itself, or an SVG image cleaned."""
    return clean_file(path, root).data if is_svg(path) else path.read_bytes()


def clean_file(path: Path, root: Path) -> CleanSvg:
    """The SVG image ``path`` cleaned (cached while the file is unchanged)."""
    try:
        stat = path.stat()
    except OSError as exc:
        raise SvgError(f"cannot be read ({exc.strerror})", path) from None
    return _clean_cached(path, root.resolve(), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=64)
def _clean_cached(path: Path, root: Path, _mtime: int, size: int) -> CleanSvg:
    if size > MAX_BYTES:
        raise SvgError(
            f"is an SVG image of {size / 1_000_000:.1f} MB; an SVG image may be up to"
            f" {MAX_BYTES // 1_000_000} MB",
            path,
        )
    return clean_svg(path.read_bytes(), path, root)


def clean_svg(data: bytes, source: Path, root: Path, depth: int = 0) -> CleanSvg:
    """``data``, the SVG image ``source`` of the manuscript at ``root``, cleaned."""
    parser = etree.XMLParser(
        resolve_entities="internal",
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_pis=True,
    )
    try:
        svg = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        where = f"line {exc.lineno}: " if exc.lineno else ""
        reason = POSITION.sub("", exc.msg).rstrip(" .")
        message = f"is not a well-formed SVG image ({where}{reason})"
        raise SvgError(message, source) from None
    if not isinstance(svg.tag, str) or etree.QName(svg).localname != "svg":
        raise SvgError("is not an SVG image: its first element is not <svg>", source)
    cleaner = _Cleaner(source, root, depth)
    cleaner.element(svg)
    if not (cleaner.removed or cleaner.rewritten or svg.getroottree().docinfo.doctype):
        return CleanSvg(data, ())
    cleaned = etree.tostring(svg, encoding="utf-8", xml_declaration=True)
    return CleanSvg(cleaned, tuple(cleaner.removed))


class _Cleaner:
    """One walk over an SVG tree, removing in place and noting each removal."""

    def __init__(self, source: Path, root: Path, depth: int):
        self.source = source
        self.root = root
        self.depth = depth
        self.removed: list[str] = []
        self.rewritten = False
        """Whether a reference became a ``data:`` address (the file changed, nothing lost)."""

    def element(self, element) -> None:
        pending = [element]
        while pending:
            node = pending.pop()
            if not isinstance(node.tag, str):
                if node.tag is etree.Entity:
                    self._drop(node, f"the entity reference {node.text}")
                continue
            name = etree.QName(node)
            if name.localname in ACTIVE or name.namespace == XHTML_NAMESPACE:
                self._drop(node, f"the <{name.localname}> element")
                continue
            if name.localname in ANIMATIONS and _targets_reference(node):
                self._drop(node, f"the <{name.localname}> element that changes a reference")
                continue
            self._attributes(node, name.localname)
            if name.localname == "style" and node.text:
                node.text = self._css(node.text, "<style>", stylesheet=True)
            pending.extend(reversed(node))

    def _drop(self, node, what: str) -> None:
        self.removed.append(what)
        _detach(node)

    def _attributes(self, node, tag: str) -> None:
        for name in list(node.attrib):
            value = node.get(name) or ""
            local = etree.QName(name).localname
            if local.lower().startswith("on"):
                self.removed.append(f"the {local} handler on <{tag}>")
                del node.attrib[name]
            elif name == XML_BASE:
                self.removed.append(f"the xml:base {value!r} on <{tag}>")
                del node.attrib[name]
            elif local in ("href", "src"):
                self._reference(node, name, tag, value.strip())
            elif "url(" in value.lower() or local == "style":
                cleaned = self._css(value, f"the {local} of <{tag}>", stylesheet=False)
                if cleaned != value:
                    node.set(name, cleaned)

    def _reference(self, node, name: str, tag: str, value: str) -> None:
        kept, why = self._resolve(value, tag in INLINED)
        if kept is not None:
            if kept != value:
                node.set(name, kept)
                self.rewritten = True
            return
        self.removed.append(f"the reference to {_shown(value)} (<{tag}>), {why}")
        del node.attrib[name]
        if tag in SHOWN_BY_REFERENCE and not any(
            etree.QName(other).localname == "href" for other in node.attrib
        ):
            _detach(node)

    def _resolve(self, value: str, picture: bool) -> tuple[str | None, str]:
        """The value a reference keeps (perhaps a ``data:`` address now), or None and why
        it goes."""
        if not value or value.startswith("#"):
            return value, ""
        parts = urlsplit(value)
        scheme = parts.scheme.lower()
        if scheme == "data":
            return self._data(value, picture)
        if scheme in ("http", "https", "ftp", "ws", "wss") or value.startswith("//"):
            return None, "which is on the network"
        if scheme == "file" or value.startswith("/"):
            return None, "which lies outside the manuscript folder"
        if scheme:
            return None, f"a {scheme}: address"
        return self._local(unquote(parts.path), picture)

    def _local(self, reference: str, picture: bool) -> tuple[str | None, str]:
        from pipeline.files import resolve_inside

        try:
            path = resolve_inside(reference, self.source.parent, [self.root])
        except PipelineError:
            return None, "which lies outside the manuscript folder"
        if not picture:
            return None, "a file no edition carries beside the image"
        if not path.is_file():
            return None, "which does not exist"
        if path.suffix.lower() in RASTER_TYPES and not is_svg(path):
            return _data_address(RASTER_TYPES[path.suffix.lower()], path.read_bytes()), ""
        if is_svg(path):
            return self._nested(path.read_bytes(), path)
        return None, "which is not a PNG, JPEG, GIF, WebP or SVG image"

    def _data(self, value: str, picture: bool) -> tuple[str | None, str]:
        header, _, payload = value[5:].partition(",")
        media_type = header.split(";")[0].strip().lower()
        if media_type == SVG_TYPE and picture:
            try:
                if header.lower().endswith(";base64"):
                    data = base64.b64decode(payload, validate=False)
                else:
                    data = unquote_to_bytes(payload)
            except (binascii.Error, ValueError):
                return None, "a data: address that cannot be decoded"
            return self._nested(data, self.source)
        if media_type.startswith("image/") and media_type != SVG_TYPE:
            return value, ""
        return None, f"a data: address of type {media_type or 'text/plain'}"

    def _nested(self, data: bytes, source: Path) -> tuple[str | None, str]:
        """An SVG image inside this one, cleaned in turn and carried as a data: address."""
        if self.depth + 1 > MAX_DEPTH:
            return None, f"an SVG image nested more than {MAX_DEPTH} deep"
        try:
            inner = clean_svg(data, source, self.root, self.depth + 1)
        except SvgError as error:
            return None, f"an SVG image that cannot be read ({error.message})"
        self.removed.extend(f"{what} (inside an SVG image it shows)" for what in inner.removed)
        return _data_address(SVG_TYPE, inner.data), ""

    def _css(self, css: str, where: str, stylesheet: bool) -> str:
        import tinycss2

        removed: list[str] = []
        if stylesheet:
            nodes = tinycss2.parse_stylesheet(css, skip_comments=True)
        else:
            nodes = tinycss2.parse_component_value_list(css, skip_comments=True)
        kept = _clean_css(nodes, lambda url: self._css_url(url, where, removed), removed, where)
        if not removed:
            return css
        self.removed.extend(removed)
        return tinycss2.serialize(kept)

    def _css_url(self, url: str, where: str, removed: list[str]) -> bool:
        value = url.strip()
        if value.startswith("#"):
            return True
        if value.lower().startswith("data:image/") and not value.lower().startswith(
            f"data:{SVG_TYPE}"
        ):
            return True
        _, why = self._resolve(value, picture=False)
        removed.append(f"url({_shown(value)}) in {where}, {why or 'a file no edition carries'}")
        return False


def _clean_css(nodes: list, allowed: Callable[[str], bool], removed: list[str], where: str):
    """The CSS ``nodes`` without ``@import`` rules and with each ``url()`` that
    ``allowed`` refuses replaced by ``none``."""
    from tinycss2.ast import IdentToken

    kept = []
    for node in nodes:
        kind = node.type
        if kind == "error":
            continue
        if kind == "at-rule" and node.lower_at_keyword == "import":
            removed.append(f"an @import in {where}")
            continue
        if kind == "url" or (kind == "function" and node.lower_name in ("url", "src")):
            if not allowed(_url_of(node)):
                kept.append(IdentToken(node.source_line, node.source_column, "none"))
                continue
        elif kind == "function":
            node.arguments = _clean_css(node.arguments, allowed, removed, where)
        elif kind in ("() block", "[] block", "{} block"):
            node.content = _clean_css(node.content, allowed, removed, where)
        elif kind in ("at-rule", "qualified-rule"):
            node.prelude = _clean_css(node.prelude, allowed, removed, where)
            if node.content is not None:
                node.content = _clean_css(node.content, allowed, removed, where)
        kept.append(node)
    return kept


def _url_of(node) -> str:
    if node.type == "url":
        return node.value
    strings = [t.value for t in node.arguments if t.type == "string"]
    return strings[0] if strings else ""


def _detach(node) -> None:
    """Take ``node`` out of its tree, keeping the text that follows it."""
    parent = node.getparent()
    if parent is None:
        return
    if node.tail:
        previous = node.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + node.tail
        else:
            parent.text = (parent.text or "") + node.tail
    parent.remove(node)


def _targets_reference(node) -> bool:
    target = (node.get("attributeName") or "").strip()
    return target.split(":")[-1] in ("href", "src", "style") or target.startswith("on")


def _data_address(media_type: str, data: bytes) -> str:
    return f"data:{media_type};base64,{base64.b64encode(data).decode('ascii')}"


def _shown(value: str, limit: int = 60) -> str:
    """A reference as a warning quotes it: a ``data:`` address by its type alone."""
    if value.lower().startswith("data:"):
        return value.split(",", 1)[0] + ",…"
    return value if len(value) <= limit else value[: limit - 1] + "…"
