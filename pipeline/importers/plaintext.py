"""Plain text into pandoc blocks: title line, headings, lists, quotations and end notes.

Blank lines separate blocks. The first line, standing alone, is the title. A short line
standing alone that does not end like a sentence is a heading; lines opening with a bullet
("•", "-", "*"…) or a small number ("1.", "2)") are list items; a block indented throughout,
or quoted with "> ", is a block quotation; a line of dashes or stars is a rule. Numbered
notes at the end become footnotes at the markers that call them (see ``notes``). Each of
these is a guess an editor should confirm, so the headings and loose notes are reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import PipelineError
from pipeline.importers import pandoc_ast as ast
from pipeline.importers.findings import Finding
from pipeline.importers.imported import Imported
from pipeline.importers.notes import (
    EndNote,
    Marker,
    find_markers,
    is_notes_heading,
    note_line,
    parse_end_notes,
)

BULLET = re.compile(r"^\s*[•◦▪‣·∙●○■□➢►*+-]\s+(?P<text>\S.*)$")
NUMBERED = re.compile(r"^\s*(?P<number>\d{1,2})[.)]\s+(?P<text>\S.*)$")
QUOTED = re.compile(r"^\s*>\s?")
RULE = re.compile(r"^\s*([-*_=~•])(?:\s*\1){2,}\s*$")
INDENTED = re.compile(r"^(?: {2,}|\t)\S")
BYLINE = re.compile(r"^(?:by|par|von|di|por)\s+(?P<name>\S.{0,80})$", re.IGNORECASE)
HEADING_MAX_CHARS = 100
HEADING_MAX_WORDS = 14
SENTENCE_END = tuple('.,;:…”’"»)]')
TITLE_MAX_CHARS = 200


@dataclass(frozen=True)
class Block:
    """Lines between blank lines; ``line`` is the 1-based number of the first."""

    line: int
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.lines).split())


@dataclass(frozen=True)
class Unit:
    """One paragraph-like piece of the body: a paragraph, heading, list item or quotation."""

    kind: str
    text: str
    line: int
    block: int
    start: int = 1


def read(source: Path) -> Imported:
    text, findings = decode(source)
    blocks = split_blocks(text)
    if not blocks:
        raise PipelineError("is empty", source)
    metadata: dict[str, object] = {}
    if len(blocks[0].lines) == 1 and len(blocks[0].text) <= TITLE_MAX_CHARS:
        metadata["title"] = blocks.pop(0).text
        byline = BYLINE.match(blocks[0].text) if blocks and len(blocks[0].lines) == 1 else None
        if byline:
            metadata["author"] = [byline.group("name").strip()]
            blocks.pop(0)
    body, notes = split_notes(blocks)
    units = to_units(body)
    markers = find_markers([unit.text for unit in units])
    calls = [m for m in markers if m.number <= len(notes)]
    if notes and not calls:
        findings.append(_uncalled_notes(source, notes[0]))
        body, notes = blocks, []
        units = to_units(body)
    findings += _marker_findings(source, units, markers, notes)
    findings += _heading_findings(source, units)
    blocks_out = assemble(units, calls, notes)
    called = {m.number for m in calls}
    blocks_out += [ast.para(ast.inlines(n.source)) for n in notes if n.number not in called]
    return Imported(blocks=blocks_out, metadata=metadata, findings=findings)


def decode(source: Path) -> tuple[str, list[Finding]]:
    """The text of ``source``: UTF-8, or else Windows-1252, which word processors save."""
    try:
        data = source.read_bytes()
    except OSError as exc:
        raise PipelineError(f"cannot be read ({exc.strerror})", source) from None
    findings: list[Finding] = []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise PipelineError("is neither UTF-8 nor Windows-1252 text", source) from None
        findings.append(Finding("import.encoding", source, None, "not UTF-8; read as Windows-1252"))
    return text.replace("\r\n", "\n").replace("\r", "\n").expandtabs(4), findings


def split_blocks(text: str) -> list[Block]:
    blocks: list[Block] = []
    current: list[str] = []
    first = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            if not current:
                first = number
            current.append(line.rstrip())
        elif current:
            blocks.append(Block(first, tuple(current)))
            current = []
    if current:
        blocks.append(Block(first, tuple(current)))
    return blocks


def split_notes(blocks: list[Block]) -> tuple[list[Block], list[EndNote]]:
    """Separate the numbered notes at the end (and a "Notes" heading above them).

    The notes are the longest run of closing blocks that counts up from 1, so a paragraph
    that happens to open with a number ("12 delegates voted…") stays in the text.
    """
    earliest = len(blocks)
    while earliest > 0 and note_line(blocks[earliest - 1].lines[0]):
        earliest -= 1
    for start in range(earliest, len(blocks)):
        lines = [(b.line + i, line) for b in blocks[start:] for i, line in enumerate(b.lines)]
        notes = parse_end_notes(lines)
        if notes:
            return _without_notes_heading(blocks[:start]), notes
    return blocks, []


def _without_notes_heading(body: list[Block]) -> list[Block]:
    if body and len(body[-1].lines) == 1 and is_notes_heading(body[-1].text):
        return body[:-1]
    return body


def to_units(blocks: list[Block]) -> list[Unit]:
    units: list[Unit] = []
    for index, block in enumerate(blocks):
        if len(block.lines) == 1 and RULE.match(block.lines[0]):
            units.append(Unit("rule", "", block.line, index))
        elif BULLET.match(block.lines[0]):
            units += _items(block, index, BULLET, "item")
        elif NUMBERED.match(block.lines[0]):
            units += _items(block, index, NUMBERED, "numbered")
        elif all(QUOTED.match(line) for line in block.lines):
            text = " ".join(QUOTED.sub("", line) for line in block.lines)
            units.append(Unit("quote", " ".join(text.split()), block.line, index))
        elif all(INDENTED.match(line) for line in block.lines):
            units.append(Unit("quote", block.text, block.line, index))
        elif index + 1 < len(blocks) and looks_like_heading(block):
            units.append(Unit("heading", block.text, block.line, index))
        else:
            units.append(Unit("para", block.text, block.line, index))
    return units


def looks_like_heading(block: Block) -> bool:
    """A short line alone, starting like a title and not ending like a sentence."""
    text = block.text
    return (
        len(block.lines) == 1
        and len(text) <= HEADING_MAX_CHARS
        and len(text.split()) <= HEADING_MAX_WORDS
        and (text[0].isupper() or text[0].isdigit())
        and not text.endswith(SENTENCE_END)
        and any(c.isalpha() for c in text)
    )


def _items(block: Block, index: int, pattern: re.Pattern[str], kind: str) -> list[Unit]:
    """Split a block into list items; a line without a bullet continues the item above."""
    items: list[tuple[int, list[str], int]] = []
    for offset, line in enumerate(block.lines):
        match = pattern.match(line)
        if match:
            start = int(match.groupdict().get("number") or 1)
            items.append((block.line + offset, [match.group("text")], start))
        else:
            items[-1][1].append(line)
    return [
        Unit(kind, " ".join(" ".join(parts).split()), line, index, start)
        for line, parts, start in items
    ]


def assemble(units: list[Unit], calls: list[Marker], notes: list[EndNote]) -> list[ast.Node]:
    """Pandoc blocks for the units: runs of items become one list, runs of quotations one
    block quotation. A list whose items were separated by blank lines stays loose."""
    texts = {n.number: n.text for n in notes}
    by_unit: dict[int, list[Marker]] = {}
    for marker in calls:
        by_unit.setdefault(marker.unit, []).append(marker)
    blocks: list[ast.Node] = []
    run: list[tuple[Unit, list[ast.Node]]] = []
    for index, unit in enumerate(units):
        content = _with_notes(unit.text, by_unit.get(index, []), texts)
        if run and run[0][0].kind != unit.kind:
            blocks.append(_close(run))
            run = []
        if unit.kind in ("item", "numbered", "quote"):
            run.append((unit, content))
        elif unit.kind == "heading":
            blocks.append(ast.header(1, content))
        elif unit.kind == "rule":
            blocks.append({"t": "HorizontalRule"})
        else:
            blocks.append(ast.para(content))
    if run:
        blocks.append(_close(run))
    return blocks


def _close(run: list[tuple[Unit, list[ast.Node]]]) -> ast.Node:
    kind = run[0][0].kind
    if kind == "quote":
        return {"t": "BlockQuote", "c": [ast.para(content) for _, content in run]}
    loose = len({unit.block for unit, _ in run}) > 1
    items = [[{"t": "Para" if loose else "Plain", "c": content}] for _, content in run]
    if kind == "item":
        return {"t": "BulletList", "c": items}
    attributes = [run[0][0].start, {"t": "Decimal"}, {"t": "Period"}]
    return {"t": "OrderedList", "c": [attributes, items]}


def _with_notes(text: str, markers: list[Marker], notes: dict[int, str]) -> list[ast.Node]:
    """Inlines for ``text`` with each marker replaced by its note."""
    result: list[ast.Node] = []
    position = 0
    for marker in markers:
        _append_text(result, text[position : marker.start])
        if result and result[-1]["t"] == "Space":
            result.pop()
        result.append(ast.note([ast.para(ast.inlines(notes[marker.number]))]))
        position = marker.end
    _append_text(result, text[position:])
    return result


def _append_text(result: list[ast.Node], text: str) -> None:
    words = ast.inlines(text)
    if result and words and text[:1].isspace():
        result.append({"t": "Space"})
    result.extend(words)
    if words and text[-1:].isspace():
        result.append({"t": "Space"})


def _uncalled_notes(source: Path, first: EndNote) -> Finding:
    return Finding(
        "import.notes-uncalled",
        source,
        first.line,
        "the numbered paragraphs at the end look like notes, but nothing in the text calls "
        "them; they were kept as text",
    )


def _marker_findings(
    source: Path, units: list[Unit], markers: list[Marker], notes: list[EndNote]
) -> list[Finding]:
    called = {m.number for m in markers}
    findings = [
        Finding(
            "import.note-without-marker",
            source,
            note.line,
            f"note {note.number} has no marker in the text; it was kept as a paragraph",
        )
        for note in notes
        if note.number not in called
    ]
    findings += [
        Finding(
            "import.marker-without-note",
            source,
            units[m.unit].line,
            f"“{units[m.unit].text[max(0, m.start - 20) : m.end]}” looks like the call of "
            f"note {m.number}, but there is no note {m.number} at the end",
        )
        for m in markers
        if m.number > len(notes)
    ]
    return findings


def _heading_findings(source: Path, units: list[Unit]) -> list[Finding]:
    return [
        Finding(
            "import.heading-guess",
            source,
            unit.line,
            f"the short line “{unit.text}” became a heading",
        )
        for unit in units
        if unit.kind == "heading"
    ]
