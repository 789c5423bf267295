"""Run pandoc once and hold the parsed document every edition is written from.

Pandoc reads the manuscript and resolves citations exactly once per build; its HTML is split
here into body, notes and bibliography, so the editions can only differ in how they present
the same notes and entries, never in what the notes say or how they are numbered.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import os
import re
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import lxml.html
from lxml.html import HtmlElement

from pipeline import characters, limits
from pipeline.assets import clean_svg_images, link_remote_images, locate, resolve_images
from pipeline.cache import Cache, content_key
from pipeline.errors import PipelineError
from pipeline.identifiers import unique_ids
from pipeline.languages import language_of
from pipeline.links import rewrite_links
from pipeline.manuscript import Manuscript
from pipeline.markup import inner_html, remove_comments
from pipeline.pandoc_messages import Message, interpret
from pipeline.places import Locator
from pipeline.sanitize import escape_unclosed, sanitize
from pipeline.typefaces import Typefaces, missing_glyphs, typefaces, visible_text
from pipeline.typography import space_punctuation
from pipeline.valid_html import make_valid

BLOCK_ATTRIBUTE = "data-block"
MAX_IMAGE_PIXELS = 40_000_000
"""The most pixels an image may have: 40 Mpx, an A4 page at 600 dpi twice over."""
NESTED_BLOCKS = ("li", "dt", "dd", "p", "blockquote", "pre", "figure", "table", "div")
WARNING = re.compile(r"^\[WARNING\] (.*)$", re.MULTILINE)
AT_LINE = re.compile(r"at (?:(\S+) )?line (\d+)(?:,? column \d+)?")
BIBLIOGRAPHY_ERROR = re.compile(
    r"Error reading bibliography file [^\n]*:\s*\(line (\d+), column \d+\):\s*(.+)", re.DOTALL
)


@dataclass(frozen=True)
class Note:
    """A footnote, numbered as in every edition; ``html`` holds its block content."""

    number: int
    html: str
    text: str


@dataclass(frozen=True)
class BibEntry:
    key: str
    html: str
    text: str


@dataclass(frozen=True)
class Heading:
    level: int
    id: str
    text: str


@dataclass(frozen=True)
class Document:
    """The parsed manuscript: body markup, its notes, its bibliography and its outline."""

    manuscript: Manuscript
    body: HtmlElement
    notes: tuple[Note, ...]
    bibliography: tuple[BibEntry, ...]
    headings: tuple[Heading, ...]
    images: tuple[Path, ...] = ()
    warnings: tuple[str, ...] = ()
    typefaces: Typefaces | None = None

    @property
    def metadata(self):
        return self.manuscript.metadata

    def body_copy(self) -> HtmlElement:
        """A private copy of the body for an edition to rewrite."""
        return copy.deepcopy(self.body)


@cache
def pandoc_path() -> str:
    """The pandoc binary bundled with pypandoc, found without importing pypandoc (whose
    import costs more than the look-up) where the wheel keeps it in its usual place."""
    spec = importlib.util.find_spec("pypandoc")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        bundled = Path(folder) / "files" / "pandoc"
        if bundled.is_file() and os.access(bundled, os.X_OK):
            return str(bundled)
    import pypandoc

    return pypandoc.get_pandoc_path()


def pandoc_command(manuscript: Manuscript) -> list[str]:
    command = [
        pandoc_path(),
        "--sandbox",
        "--from=markdown",
        "--to=html5",
        "--wrap=none",
        "--mathml",
        "--verbose",
        "--citeproc",
        f"--csl={manuscript.csl}",
        f"--metadata=lang:{language_of(manuscript).pandoc or manuscript.metadata.lang}",
        "--metadata=link-citations:false",
    ]
    if manuscript.bibliography:
        command.append(f"--bibliography={manuscript.bibliography}")
    command.extend(str(t.path) for t in manuscript.texts)
    return command


def run_pandoc(manuscript: Manuscript) -> tuple[str, list[Message]]:
    """Convert the manuscript to an HTML fragment with citations resolved as notes; return
    it with the messages pandoc logged (``--log``: JSON with a type and a position).

    A text file that lost characters when read (``pipeline.characters``) reaches pandoc as
    the manuscript holds it, through a copy whose name the messages then give back."""
    with tempfile.TemporaryDirectory(prefix="pipeline-pandoc-") as folder:
        log = Path(folder) / "log.json"
        copies = _cleaned_copies(manuscript, Path(folder))
        command = [copies.get(part, part) for part in pandoc_command(manuscript)]
        subject = manuscript.texts[0].path if len(manuscript.texts) == 1 else manuscript.root
        result = limits.run(
            [*command, f"--log={log}"],
            "pandoc",
            subject,
            capture_output=True,
            cwd=manuscript.root,
            check=False,
        )
        if limits.ran_out_of_memory(result):
            raise limits.out_of_memory("pandoc", subject)
        messages = _read_log(log)
    originals = {copy: original for original, copy in copies.items()}
    messages = [_renamed(m, originals) for m in messages] if copies else messages
    if result.returncode != 0:
        interpret(manuscript, messages)
        stderr = _renamed(result.stderr.decode("utf-8", "replace"), originals)
        raise _pandoc_error(manuscript, stderr)
    return result.stdout.decode("utf-8"), messages


def _cleaned_copies(manuscript: Manuscript, folder: Path) -> dict[str, str]:
    """Write each text file that lost characters into ``folder``, as the manuscript holds
    it; return the copies' paths by the files' own."""
    copies: dict[str, str] = {}
    for number, text in enumerate(manuscript.texts):
        if text.cleaned:
            copy = folder / str(number) / text.path.name
            copy.parent.mkdir()
            copy.write_text(text.source, encoding="utf-8")
            copies[str(text.path)] = str(copy)
    return copies


def _renamed(value, names: dict[str, str]):
    """``value`` (a message, or a part of one) naming each copy by its original file."""
    if isinstance(value, dict):
        return {key: _renamed(inner, names) for key, inner in value.items()}
    if isinstance(value, list):
        return [_renamed(inner, names) for inner in value]
    if isinstance(value, str):
        for copy, original in names.items():
            value = value.replace(copy, original)
    return value


def _read_log(log: Path) -> list[Message]:
    try:
        messages = json.loads(log.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [m for m in messages if isinstance(m, dict)] if isinstance(messages, list) else []


def _pandoc_error(manuscript: Manuscript, stderr: str) -> PipelineError:
    """The sentence for a pandoc run that failed (a bibliography it cannot read…)."""
    warnings = WARNING.findall(stderr)
    message = warnings[0] if warnings else (stderr.strip().splitlines() or ["pandoc failed"])[0]
    bibliography = BIBLIOGRAPHY_ERROR.search(stderr)
    if bibliography and manuscript.bibliography:
        problem = " ".join(bibliography.group(2).split())
        line = int(bibliography.group(1))
        return PipelineError(
            f"cannot be read as a bibliography ({problem})", manuscript.bibliography, line
        )
    at_line = AT_LINE.search(message)
    if at_line:
        name, line = at_line.group(1), int(at_line.group(2))
        path = manuscript.root / name if name else manuscript.texts[0].path
        text = " ".join(AT_LINE.sub("", message).split()).rstrip(",")
        return PipelineError(f"pandoc: {text}", path, line)
    return PipelineError(f"pandoc: {message}", manuscript.texts[0].path)


def parse(manuscript: Manuscript, cache: Cache | None = None) -> Document:
    """Run pandoc on the manuscript and split its output into a Document.

    With a cache, pandoc's output and its messages for the same inputs are reused instead
    of run again, so a kept parse reports the same warnings as a fresh one.
    """
    if cache is None:
        return document_from_html(manuscript, *run_pandoc(manuscript))
    key = content_key([*pandoc_command(manuscript), *manuscript.inputs])
    kind = f"pandoc-{manuscript.slug}"
    kept = _cached_run(cache.get(kind, key))
    if kept is None:
        html, messages = run_pandoc(manuscript)
        value = json.dumps({"html": html, "messages": messages}, ensure_ascii=False)
        cache.put(kind, key, value.encode("utf-8"))
    else:
        html, messages = kept
    return document_from_html(manuscript, html, messages)


def _cached_run(value: bytes | None) -> tuple[str, list[Message]] | None:
    if value is None:
        return None
    try:
        run = json.loads(value.decode("utf-8"))
        return str(run["html"]), list(run["messages"])
    except (ValueError, KeyError, TypeError):
        return None


def document_from_html(
    manuscript: Manuscript, html: str, messages: list[Message] | tuple[Message, ...] = ()
) -> Document:
    """The Document from pandoc's HTML and messages.

    Before the notes and the bibliography are taken out, the whole tree is cleaned once:
    comments and processing instructions removed, raw HTML made valid, active content
    removed, ids made unique, links rewritten and images checked. Notes thereby get the same
    treatment as the body, and no later walk over the tree meets a node that is not an
    element.
    """
    warnings = [*manuscript.warnings, *interpret(manuscript, messages)]
    html, unclosed = escape_unclosed(html, Locator(manuscript))
    warnings.extend(unclosed)
    body = _parse_html(manuscript, html, warnings)
    remove_comments(body)
    locator = Locator(manuscript)
    warnings.extend(make_valid(body, locator))
    warnings.extend(_remove_active_content(body, locator))
    warnings.extend(unique_ids(manuscript, body))
    warnings.extend(rewrite_links(manuscript, body, locator))
    warnings.extend(link_remote_images(manuscript, body, locator))
    images = resolve_images(manuscript, body)
    check_image_sizes(manuscript, images)
    warnings.extend(clean_svg_images(manuscript, images))
    space_punctuation(body, language_of(manuscript).spacing)
    faces = typefaces(manuscript, visible_text(manuscript, body))
    warnings.extend(missing_glyphs(faces, locator))
    notes = _take_notes(body)
    bibliography = _take_bibliography(body)
    headings = tuple(
        Heading(int(h.tag[1]), h.get("id", ""), _heading_text(h))
        for h in body.iter("h1", "h2", "h3", "h4", "h5", "h6")
    )
    for ref in body.find_class("footnote-ref"):
        sup = ref.find("sup")
        if sup is not None:
            ref.text = sup.text_content()
            ref.remove(sup)
    _number_blocks(body)
    return Document(manuscript, body, notes, bibliography, headings, images, tuple(warnings), faces)


def _parse_html(manuscript: Manuscript, html: str, warnings: list[str]) -> HtmlElement:
    """Pandoc's HTML as a tree inside a ``div``, all of it.

    lxml's HTML parser stops at a depth of 256 elements unless told otherwise (a list nested
    128 levels deep), and even then at 2048, dropping what is deeper and everything after
    it without an error: past that depth the text is refused instead. Characters XML cannot
    hold that did not come from the text files, which lose theirs when read (from the
    bibliography, say), are removed first, with a warning.
    """
    html, removed = characters.clean_markup(html or "<p></p>")
    if removed:
        place = _holding_characters(manuscript)
        warnings.append(
            f"{place}: removed {removed} control or non-characters, which no edition can carry"
        )
    parser = lxml.html.HTMLParser(huge_tree=True)
    body = lxml.html.fragment_fromstring(html, create_parent="div", parser=parser)
    for error in parser.error_log:
        if error.type_name == "ERR_RESOURCE_LIMIT":
            path, line = _html_line_place(manuscript, html, error.line)
            raise PipelineError(
                "is nested too deeply (lists or quotations inside one another over a thousand"
                " levels down) for any edition to hold",
                path,
                line,
            )
    return body


def _holding_characters(manuscript: Manuscript) -> Path:
    """The bibliography when it holds characters no edition can carry, else the metadata."""
    bibliography = manuscript.bibliography
    if bibliography and characters.NEVER_KEPT.search(bibliography.read_text("utf-8", "replace")):
        return bibliography
    return manuscript.metadata.path


def _html_line_place(manuscript: Manuscript, html: str, number: int) -> tuple[Path, int | None]:
    """The file and line of the first text on line ``number`` of pandoc's HTML or after."""
    for markup in html.split("\n")[max(number - 1, 0) :]:
        words = " ".join(re.sub(r"<[^>]*>", " ", markup).split())
        if words:
            return Locator(manuscript).find(words)
    return manuscript.texts[0].path, None


def check_image_sizes(manuscript: Manuscript, images: tuple[Path, ...]) -> None:
    """Refuse an image of more than MAX_IMAGE_PIXELS, which would take WeasyPrint minutes
    and gigabytes to draw and make every edition as large, with the line that shows it."""
    for path in images:
        size = pixel_size(path)
        if size is None or size.pixels <= MAX_IMAGE_PIXELS:
            continue
        reference = path.relative_to(manuscript.root).as_posix()
        place, line = locate(manuscript, reference)
        limit = MAX_IMAGE_PIXELS // 1_000_000
        raise PipelineError(
            f"image {reference} is {size} ({size.pixels / 1e6:,.0f} Mpx); the editions take"
            f" images of up to {limit} Mpx, so scale it down",
            place,
            line,
        )


@dataclass(frozen=True)
class PixelSize:
    """An image's size; ``width`` and ``height`` are 0 where only the count is known."""

    pixels: int
    width: int = 0
    height: int = 0

    def __str__(self) -> str:
        if self.width:
            return f"{self.width:,} × {self.height:,} pixels"
        return f"{self.pixels:,} pixels"


def pixel_size(path: Path) -> PixelSize | None:
    """An image's size, read from its header without decoding it; None for a file Pillow
    does not read (SVG)."""
    import warnings as python_warnings

    from PIL import Image, UnidentifiedImageError

    with python_warnings.catch_warnings():
        python_warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            with Image.open(path) as image:
                width, height = image.size
                return PixelSize(width * height, width, height)
        except Image.DecompressionBombError as error:
            counted = re.search(r"\((\d+) pixels\)", str(error))
            pixels = int(counted.group(1)) if counted else 2 * Image.MAX_IMAGE_PIXELS
            return _png_size(path) or PixelSize(pixels)
        except (UnidentifiedImageError, OSError):
            return None


def _png_size(path: Path) -> PixelSize | None:
    """A PNG's size from its header, which Pillow will not open past its own limit."""
    with path.open("rb") as file:
        head = file.read(24)
    if not head.startswith(b"\x89PNG\r\n\x1a\n") or head[12:16] != b"IHDR":
        return None
    width, height = int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
    return PixelSize(width * height, width, height)


def _remove_active_content(body: HtmlElement, locator: Locator) -> list[str]:
    """Strip scripts and the like, returning one warning per removal."""
    return [f"{locator.where(r.needle)}: removed {r.what}" for r in sanitize(body)]


def _number_blocks(body: HtmlElement) -> None:
    """Give every block a ``data-block`` index shared by all editions.

    The print edition reports the page each block starts on by this index, and the EPUB
    uses it to place its print page-break markers. Top-level blocks are numbered 1 to N in
    order; the blocks nested in them (list items, paragraphs in quotations) continue the
    count, so that a page starting inside a long list or quotation can still be placed.
    """
    top = list(body)
    for index, block in enumerate(top, start=1):
        block.set(BLOCK_ATTRIBUTE, str(index))
    index = len(top)
    for block in top:
        for nested in block.iterdescendants(*NESTED_BLOCKS):
            index += 1
            nested.set(BLOCK_ATTRIBUTE, str(index))


def _take_notes(body: HtmlElement) -> tuple[Note, ...]:
    section = body.find(".//section[@id='footnotes']")
    if section is None:
        return ()
    notes = []
    for number, item in enumerate(section.xpath("./ol/li"), start=1):
        for back in item.find_class("footnote-back"):
            back.drop_tree()
        notes.append(Note(number=number, html=inner_html(item), text=_plain(item)))
    section.drop_tree()
    return tuple(notes)


def _take_bibliography(body: HtmlElement) -> tuple[BibEntry, ...]:
    refs = body.find(".//div[@id='refs']")
    if refs is None:
        return ()
    entries = tuple(
        BibEntry(
            key=entry.get("id", "").removeprefix("ref-"),
            html=inner_html(entry),
            text=_plain(entry),
        )
        for entry in refs.find_class("csl-entry")
    )
    refs.drop_tree()
    return entries


def _heading_text(heading: HtmlElement) -> str:
    """A heading's words without the numbers of the notes it calls, and a formula in it as
    its TeX: what the contents, the bookmarks and the navigation show."""
    heading = copy.deepcopy(heading)
    for call in heading.find_class("footnote-ref"):
        call.drop_tree()
    for formula in heading.iter("math"):
        tex = formula.xpath(".//annotation[@encoding='application/x-tex']")
        replacement = tex[0].text_content() if tex else formula.text_content()
        tail = formula.tail
        formula.clear()
        formula.text, formula.tail = replacement, tail
    return _plain(heading)


def _plain(element: HtmlElement) -> str:
    return " ".join(element.text_content().split())
