"""DOCX, ODT and HTML through pandoc's readers, tidied for a manuscript.

Pandoc reads the source once, in its sandbox, into its JSON model; media inside DOCX and
ODT packages are extracted to a scratch folder. The blocks are then tidied: layout that
belongs to the word processor (image sizes, column widths, bookmarks, div and span
wrappers, raw markup) is dropped, the title block that repeats the metadata is removed, and
every image is given a file under ``images/``.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from pipeline.errors import PipelineError
from pipeline.files import resolve_inside
from pipeline.importers import pandoc_ast as ast
from pipeline.importers.findings import Finding
from pipeline.importers.imported import Imported
from pipeline.importers.properties import odt_alt_texts, package_properties

READERS = {".docx": "docx", ".odt": "odt", ".html": "html", ".htm": "html", ".xhtml": "html"}
META_KEYS = {
    "title": "title",
    "subtitle": "subtitle",
    "author": "author",
    "date": "date",
    "dcterms.date": "date",
    "description": "description",
    "abstract": "description",
    "keywords": "keywords",
    "lang": "lang",
}
LIST_KEYS = ("author", "keywords")
LAYOUT_ATTRIBUTES = {"width", "height", "style"}
DATA_URI = re.compile(r"^data:image/(?P<type>[a-z0-9.+-]+);base64,(?P<data>.*)$", re.DOTALL)
DATA_SUFFIXES = {"png": ".png", "jpeg": ".jpg", "jpg": ".jpg", "gif": ".gif", "webp": ".webp"}
SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
REMOTE = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)


def read(source: Path, kind: str, workdir: Path) -> Imported:
    extracted = workdir / "extracted"
    doc = _parse(source, kind, extracted)
    metadata = pandoc_metadata(doc.get("meta", {}))
    if kind in ("docx", "odt"):
        for key, value in package_properties(source, kind).items():
            metadata.setdefault(key, split_list(value) if key in LIST_KEYS else value)
    blocks = tidy(doc["blocks"])
    blocks = drop_title_block(blocks, metadata)
    images = ImageGatherer(source, extracted, workdir / "decoded")
    if kind == "odt":
        images.alt_texts = odt_alt_texts(source)
    blocks = ast.walk(blocks, images.visit)
    return Imported(blocks=blocks, metadata=metadata, media=images.media, findings=images.findings)


def _parse(source: Path, kind: str, extracted: Path) -> dict[str, Any]:
    args = [f"--from={kind}", "--to=json", f"--extract-media={extracted}", str(source)]
    try:
        out = ast.run_pandoc(args, source)
    except PipelineError as exc:
        raise PipelineError(
            f"cannot be read as {_article(kind)} {kind.upper()} document ({exc.message})", source
        ) from None
    return json.loads(out)


def _article(kind: str) -> str:
    return "an" if kind in ("odt", "html") else "a"


def pandoc_metadata(meta: dict[str, Any]) -> dict[str, Any]:
    """The metadata a manuscript can use, as plain strings and lists of strings."""
    values: dict[str, Any] = {}
    for name, key in META_KEYS.items():
        if name not in meta or key in values:
            continue
        value = _meta_value(meta[name])
        if key in LIST_KEYS:
            value = split_list(value) if isinstance(value, str) else value
        if value:
            values[key] = value
    return values


def _meta_value(value: dict[str, Any]) -> str | list[str] | None:
    kind = value.get("t")
    if kind == "MetaList":
        items = [_meta_value(item) for item in value["c"]]
        return [item for item in items if isinstance(item, str) and item]
    if kind == "MetaString":
        return value["c"].strip()
    if kind in ("MetaInlines", "MetaBlocks"):
        return ast.plain_text(value["c"])
    return None


def split_list(value: str | list[str]) -> list[str]:
    if isinstance(value, list):
        return value
    return [part.strip() for part in re.split(r"[;,]", value) if part.strip()]


def tidy(blocks: list[ast.Node]) -> list[ast.Node]:
    """Drop what belongs to the source's layout rather than to the text."""
    targets = {
        link["c"][2][0][1:] for link in ast.nodes(blocks, "Link") if link["c"][2][0][:1] == "#"
    }

    def visit(node: ast.Node) -> ast.Node | list[ast.Node]:
        kind = node["t"]
        if kind in ("Div", "Span"):
            return node["c"][1]
        if kind in ("RawBlock", "RawInline"):
            return []
        if kind == "Header":
            level, (identifier, _, _), content = node["c"]
            kept = identifier if identifier in targets else ""
            return {"t": "Header", "c": [level, [kept, [], []], content]}
        if kind == "Image":
            attr, alt, target = node["c"]
            values = [kv for kv in attr[2] if kv[0] not in LAYOUT_ATTRIBUTES]
            return {"t": "Image", "c": [[attr[0], attr[1], values], alt, target]}
        if kind == "ColWidth":
            return {"t": "ColWidthDefault"}
        if kind in ("Para", "Plain") and not node["c"]:
            return []
        return node

    return ast.walk(blocks, visit)


def promote_headings(blocks: list[ast.Node]) -> list[ast.Node]:
    """Raise every heading so that the highest is level 1 (the title is not a heading)."""
    levels = [b["c"][0] for b in blocks if b["t"] == "Header"]
    shift = min(levels, default=1) - 1
    if shift <= 0:
        return blocks
    for block in blocks:
        if block["t"] == "Header":
            block["c"][0] -= shift
    return blocks


def drop_title_block(blocks: list[ast.Node], metadata: dict[str, Any]) -> list[ast.Node]:
    """Remove the opening lines that repeat the metadata (title, subtitle, authors, date).

    Without a title in the metadata, an opening level-1 heading is taken as the title.
    """
    opening = blocks[0] if blocks else None
    if "title" not in metadata and opening and opening["t"] == "Header" and opening["c"][0] == 1:
        metadata["title"] = ast.plain_text(opening["c"][2])
        blocks = blocks[1:]
    known = {
        str(v).casefold()
        for key in ("title", "subtitle", "author", "date")
        for v in _as_list(metadata.get(key))
    }
    start = 0
    while start < len(blocks) and blocks[start]["t"] in ("Header", "Para", "Plain"):
        if ast.plain_text(blocks[start]).casefold() not in known:
            break
        start += 1
    return promote_headings(blocks[start:])


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


class ImageGatherer:
    """Give every image a file under ``images/`` and point the image at it.

    Media pandoc extracted from a package, and images embedded in an HTML page, are named
    ``image-1.png``, ``image-2.jpg``… in order of appearance; image files an HTML page links
    to keep their names, and are copied only from the page's own folder. Any other image
    keeps its address, for the lint to report.
    """

    def __init__(self, source: Path, extracted: Path, decoded: Path):
        self.source = source
        self.extracted = extracted
        self.decoded = decoded
        self.alt_texts: dict[str, str] = {}
        """Alternative texts pandoc's reader misses, by path inside the package (ODT)."""
        self.media: dict[str, Path] = {}
        self.names: dict[str, str] = {}
        self.findings: list[Finding] = []

    def visit(self, node: ast.Node) -> ast.Node:
        if node["t"] != "Image":
            return node
        attr, alt, (url, title) = node["c"]
        inside = self._package_path(url)
        if inside is not None and inside in self.alt_texts:
            alt = alt or ast.inlines(self.alt_texts[inside])
            title = ""
        name = self._name_for(url, inside)
        target = f"images/{name}" if name else url
        return {"t": "Image", "c": [attr, alt, [target, title]]}

    def _package_path(self, url: str) -> str | None:
        path = Path(url)
        if path.is_absolute() and path.is_relative_to(self.extracted):
            return path.relative_to(self.extracted).as_posix()
        return None

    def _name_for(self, url: str, inside: str | None) -> str | None:
        if url in self.names:
            return self.names[url]
        if inside is not None:
            if not Path(url).is_file():
                return None
            file, name = Path(url), f"image-{len(self.media) + 1}{Path(url).suffix.lower()}"
        else:
            found = self._linked_file(url)
            if found is None:
                return None
            file, name = found
        name = self._unique(name)
        self.media[name] = file
        self.names[url] = name
        return name

    def _linked_file(self, url: str) -> tuple[Path, str] | None:
        data = DATA_URI.match(url)
        if data:
            return self._decode(data.group("type"), data.group("data"))
        if REMOTE.match(url) or url.startswith("//"):
            return None
        try:
            file = resolve_inside(unquote(url), self.source.parent, [self.source.parent])
        except PipelineError:
            return None
        if not file.is_file():
            return None
        return file, SAFE_NAME.sub("-", file.name)

    def _decode(self, kind: str, payload: str) -> tuple[Path, str] | None:
        suffix = DATA_SUFFIXES.get(kind)
        try:
            data = base64.b64decode(payload, validate=False)
        except (binascii.Error, ValueError):
            data = b""
        if not suffix or not data:
            self._report("import.image-unreadable", f"an embedded image/{kind} could not be read")
            return None
        self.decoded.mkdir(parents=True, exist_ok=True)
        file = self.decoded / f"{len(self.media) + 1}{suffix}"
        file.write_bytes(data)
        return file, f"image-{len(self.media) + 1}{suffix}"

    def _unique(self, name: str) -> str:
        stem, suffix = Path(name).stem, Path(name).suffix
        candidate, n = name, 2
        while candidate in self.media:
            candidate, n = f"{stem}-{n}{suffix}", n + 1
        return candidate

    def _report(self, rule: str, message: str) -> None:
        self.findings.append(Finding(rule, self.source, None, message))
