"""Run pandoc once and hold the parsed document every edition is written from.

Pandoc reads the manuscript and resolves citations exactly once per build; its HTML is split
here into body, notes and bibliography, so the editions can only differ in how they present
the same notes and entries, never in what the notes say or how they are numbered.
"""

from __future__ import annotations

import copy
import importlib.util
import os
import re
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import lxml.html
from lxml.html import HtmlElement

from pipeline.assets import locate, resolve_images
from pipeline.cache import Cache, content_key
from pipeline.errors import PipelineError
from pipeline.manuscript import Manuscript
from pipeline.markup import inner_html
from pipeline.sanitize import sanitize

PANDOC_TIMEOUT_S = 300
BLOCK_ATTRIBUTE = "data-block"
NESTED_BLOCKS = ("li", "dt", "dd", "p", "blockquote", "pre", "figure", "table", "div")
WARNING = re.compile(r"^\[WARNING\] (.*)$", re.MULTILINE)
CITATION_NOT_FOUND = re.compile(r"Citeproc: citation (\S+) not found")
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
        "--fail-if-warnings",
        "--citeproc",
        f"--csl={manuscript.csl}",
        f"--metadata=lang:{manuscript.metadata.lang}",
        "--metadata=link-citations:false",
    ]
    if manuscript.bibliography:
        command.append(f"--bibliography={manuscript.bibliography}")
    command.extend(str(t.path) for t in manuscript.texts)
    return command


def run_pandoc(manuscript: Manuscript) -> str:
    """Convert the manuscript to an HTML fragment with citations resolved as notes."""
    try:
        result = subprocess.run(
            pandoc_command(manuscript),
            capture_output=True,
            timeout=PANDOC_TIMEOUT_S,
            cwd=manuscript.root,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise PipelineError(
            f"pandoc took over {PANDOC_TIMEOUT_S} s and was stopped", manuscript.root
        ) from None
    stderr = result.stderr.decode("utf-8", "replace")
    if result.returncode != 0:
        raise _pandoc_error(manuscript, stderr)
    return result.stdout.decode("utf-8")


def _pandoc_error(manuscript: Manuscript, stderr: str) -> PipelineError:
    warnings = WARNING.findall(stderr)
    message = warnings[0] if warnings else (stderr.strip().splitlines() or ["pandoc failed"])[0]
    missing = CITATION_NOT_FOUND.search(message)
    if missing:
        key = missing.group(1)
        path, line = _find_citation(manuscript, key)
        where = manuscript.bibliography.name if manuscript.bibliography else "any bibliography"
        return PipelineError(f"cites @{key}, which is not in {where}", path, line)
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


def _find_citation(manuscript: Manuscript, key: str):
    pattern = re.compile(rf"@{re.escape(key)}(?![\w:.#$%&\-+?<>~/])")
    for text in manuscript.texts:
        for number, line in enumerate(text.source.split("\n"), start=1):
            if pattern.search(line):
                return text.path, number
    return manuscript.texts[0].path, None


def parse(manuscript: Manuscript, cache: Cache | None = None) -> Document:
    """Run pandoc on the manuscript and split its output into a Document.

    With a cache, pandoc's output for the same inputs is reused instead of run again.
    """
    if cache is None:
        return document_from_html(manuscript, run_pandoc(manuscript))
    key = content_key([*pandoc_command(manuscript), *manuscript.inputs])
    kind = f"pandoc-{manuscript.slug}"
    html = cache.get(kind, key)
    if html is None:
        html = run_pandoc(manuscript).encode("utf-8")
        cache.put(kind, key, html)
    return document_from_html(manuscript, html.decode("utf-8"))


def document_from_html(manuscript: Manuscript, html: str) -> Document:
    body = lxml.html.fragment_fromstring(html or "<p></p>", create_parent="div")
    notes = _take_notes(body)
    bibliography = _take_bibliography(body)
    headings = tuple(
        Heading(int(h.tag[1]), h.get("id", ""), _plain(h))
        for h in body.iter("h1", "h2", "h3", "h4", "h5", "h6")
    )
    for ref in body.find_class("footnote-ref"):
        sup = ref.find("sup")
        if sup is not None:
            ref.text = sup.text_content()
            ref.remove(sup)
    _number_blocks(body)
    warnings = _remove_active_content(manuscript, body)
    images = resolve_images(manuscript, body)
    return Document(manuscript, body, notes, bibliography, headings, images, warnings)


def _remove_active_content(manuscript: Manuscript, body: HtmlElement) -> tuple[str, ...]:
    """Strip scripts and the like, returning one warning per removal."""
    messages = []
    for removal in sanitize(body):
        path, line = locate(manuscript, removal.needle)
        where = f"{path}:{line}" if line else str(path)
        messages.append(f"{where}: removed {removal.what}")
    return tuple(messages)


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


def _plain(element: HtmlElement) -> str:
    return " ".join(element.text_content().split())
