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
import subprocess
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import lxml.html
from lxml.html import HtmlElement

from pipeline.assets import link_remote_images, resolve_images
from pipeline.cache import Cache, content_key
from pipeline.errors import PipelineError
from pipeline.identifiers import unique_ids
from pipeline.links import rewrite_links
from pipeline.manuscript import Manuscript
from pipeline.markup import inner_html, remove_comments
from pipeline.pandoc_messages import Message, interpret
from pipeline.places import Locator
from pipeline.sanitize import sanitize
from pipeline.valid_html import make_valid

PANDOC_TIMEOUT_S = 300
BLOCK_ATTRIBUTE = "data-block"
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
        f"--metadata=lang:{manuscript.metadata.lang}",
        "--metadata=link-citations:false",
    ]
    if manuscript.bibliography:
        command.append(f"--bibliography={manuscript.bibliography}")
    command.extend(str(t.path) for t in manuscript.texts)
    return command


def run_pandoc(manuscript: Manuscript) -> tuple[str, list[Message]]:
    """Convert the manuscript to an HTML fragment with citations resolved as notes; return
    it with the messages pandoc logged (``--log``: JSON with a type and a position)."""
    with tempfile.TemporaryDirectory(prefix="pipeline-pandoc-") as folder:
        log = Path(folder) / "log.json"
        try:
            result = subprocess.run(
                [*pandoc_command(manuscript), f"--log={log}"],
                capture_output=True,
                timeout=PANDOC_TIMEOUT_S,
                cwd=manuscript.root,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise PipelineError(
                f"pandoc took over {PANDOC_TIMEOUT_S} s and was stopped", manuscript.root
            ) from None
        messages = _read_log(log)
    if result.returncode != 0:
        interpret(manuscript, messages)
        raise _pandoc_error(manuscript, result.stderr.decode("utf-8", "replace"))
    return result.stdout.decode("utf-8"), messages


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
    warnings = list(interpret(manuscript, messages))
    body = lxml.html.fragment_fromstring(html or "<p></p>", create_parent="div")
    remove_comments(body)
    locator = Locator(manuscript)
    warnings.extend(make_valid(body, locator))
    warnings.extend(_remove_active_content(body, locator))
    warnings.extend(unique_ids(manuscript, body))
    warnings.extend(rewrite_links(manuscript, body, locator))
    warnings.extend(link_remote_images(manuscript, body, locator))
    images = resolve_images(manuscript, body)
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
    return Document(manuscript, body, notes, bibliography, headings, images, tuple(warnings))


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
