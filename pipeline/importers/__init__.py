"""``pipeline import``: turn what an author hands in into a manuscript folder.

DOCX, ODT and HTML are read by pandoc (``pandoc_formats``), plain text by our own reader
(``plaintext``). Both give pandoc blocks, which pandoc writes as Markdown; the metadata is
settled (``guess``), the folder written (``folder``), and the result checked the way a build
would check it, before the findings for an editor are listed (``findings``).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.errors import PipelineError
from pipeline.importers import pandoc_ast as ast
from pipeline.importers import pandoc_formats, plaintext
from pipeline.importers.findings import Finding, lint_manuscript, summarise
from pipeline.importers.folder import METADATA_FILE, write_manuscript
from pipeline.importers.guess import settle_metadata
from pipeline.importers.imported import Imported
from pipeline.manuscript import load_manuscript
from pipeline.metadata import LANG_PATTERN

TEXT_SUFFIXES = (".txt", ".text")
SUFFIXES = (*pandoc_formats.READERS, *TEXT_SUFFIXES)


@dataclass(frozen=True)
class ImportResult:
    folder: Path
    metadata: dict[str, Any]
    counts: dict[str, int]
    findings: list[Finding]


def import_source(
    source: Path, into: Path | None = None, lang: str | None = None, force: bool = False
) -> ImportResult:
    """Write the manuscript made from ``source`` into ``into`` (default: ./<slug>)."""
    if lang is not None and not LANG_PATTERN.match(lang):
        raise PipelineError(f"--lang must be a language tag such as en or fr-CA, not {lang!r}")
    check_source(source)
    with tempfile.TemporaryDirectory(prefix="pipeline-import-") as scratch:
        imported = read_source(source, Path(scratch))
        metadata, guesses = settle_metadata(imported.metadata, imported.blocks, source, lang)
        folder = into if into is not None else Path(metadata["slug"])
        markdown = ast.to_markdown(imported.blocks, source)
        write_manuscript(folder, metadata, markdown, imported.media, source, force)
    load_manuscript(folder)
    findings = [
        *imported.findings,
        *_guess_findings(folder / METADATA_FILE, guesses),
        *lint_manuscript(folder),
    ]
    return ImportResult(folder, metadata, count_blocks(imported.blocks), findings)


def check_source(source: Path) -> None:
    if not source.exists():
        raise PipelineError("file not found", source)
    if not source.is_file():
        raise PipelineError("is not a file", source)
    if source.suffix.lower() not in SUFFIXES:
        known = ", ".join(SUFFIXES)
        raise PipelineError(
            f"has an extension pipeline import does not read (it reads {known})", source
        )


def read_source(source: Path, scratch: Path) -> Imported:
    suffix = source.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        return plaintext.read(source)
    return pandoc_formats.read(source, pandoc_formats.READERS[suffix], scratch)


def count_blocks(blocks: list[ast.Node]) -> dict[str, int]:
    """How many of each kind of block the text has, for the report."""
    lists = [b for b in blocks if b["t"] in ("BulletList", "OrderedList")]
    return {
        "headings": sum(b["t"] == "Header" for b in blocks),
        "paragraphs": sum(b["t"] == "Para" for b in blocks),
        "lists": len(lists),
        "list items": sum(len(b["c"] if b["t"] == "BulletList" else b["c"][1]) for b in lists),
        "block quotations": sum(b["t"] == "BlockQuote" for b in blocks),
        "tables": len(ast.nodes(blocks, "Table")),
        "images": len(ast.nodes(blocks, "Image")),
        "footnotes": len(ast.nodes(blocks, "Note")),
    }


def _guess_findings(path: Path, guesses: dict[str, str]) -> list[Finding]:
    lines = path.read_text(encoding="utf-8").split("\n")
    found = []
    for key, message in guesses.items():
        line = next((n for n, text in enumerate(lines, 1) if text.startswith(f"{key}:")), None)
        found.append(Finding(f"import.{key}-guess", path, line, message))
    return found


def report_lines(source: Path, result: ImportResult) -> list[str]:
    """What ``pipeline import`` prints: where the manuscript went, what it holds, what to check."""
    counts = ", ".join(f"{n} {name}" for name, n in result.counts.items())
    lines = [
        f"imported {source} into {result.folder}/",
        f"  {counts}",
        f"  title: {result.metadata['title']}",
        f"  lang: {result.metadata['lang']}    slug: {result.metadata['slug']}",
    ]
    if result.findings:
        lines.append(f"for an editor's eye ({len(result.findings)}):")
        lines.extend(f"  {line}" for line in summarise(result.findings))
    else:
        lines.append("nothing for an editor's eye")
    return lines
