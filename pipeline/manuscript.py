"""Find a manuscript's files and check them before pandoc sees them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import PipelineError
from pipeline.files import STYLES_DIR, read_text, resolve_inside
from pipeline.metadata import Metadata, load_metadata

METADATA_FILE = "metadata.yaml"
DEFAULT_TEXT = "text.md"
DEFAULT_BIBLIOGRAPHIES = ("references.bib", "references.json", "references.yaml")
DEFAULT_CSL = "chicago-notes.csl"
NUMBERED_TEXT = re.compile(r"^\d+-.*\.md$")

NOTE_DEFINITION = re.compile(r"^ {0,3}\[\^([^\]\s]+)\]:")
NOTE_REFERENCE = re.compile(r"\[\^([^\]\s]+)\](?!:)")
FENCE = re.compile(r"^ {0,3}(```|~~~)")
CODE_SPAN = re.compile(r"`[^`]*`")


@dataclass(frozen=True)
class TextFile:
    path: Path
    source: str


@dataclass(frozen=True)
class Manuscript:
    """A manuscript folder whose files exist and whose metadata is valid."""

    root: Path
    metadata: Metadata
    texts: tuple[TextFile, ...]
    bibliography: Path | None
    csl: Path
    styles: Path

    @property
    def slug(self) -> str:
        return self.metadata.slug

    @property
    def inputs(self) -> list[Path]:
        """Every file the build reads from the manuscript, for caching and make."""
        files = [self.metadata.path, *(t.path for t in self.texts), self.csl]
        if self.bibliography:
            files.append(self.bibliography)
        return files


def load_manuscript(
    root: Path, styles: Path | None = None, check_notes: bool = True
) -> Manuscript:
    """Locate and validate every file of the manuscript in ``root``.

    ``check_notes`` stops at a note call without a definition, which pandoc would otherwise
    print as it stands; the lint turns it off to report every such call instead.
    """
    root = root.resolve()
    styles = (styles or STYLES_DIR).resolve()
    if not root.is_dir():
        raise PipelineError("is not a manuscript folder", root)
    meta_path = root / METADATA_FILE
    if not meta_path.is_file():
        raise PipelineError(f"has no {METADATA_FILE}", root)
    metadata = load_metadata(meta_path)
    texts = tuple(TextFile(p, read_text(p)) for p in _text_paths(root, metadata))
    if check_notes:
        check_note_labels(texts)
    return Manuscript(
        root=root,
        metadata=metadata,
        texts=texts,
        bibliography=_bibliography(root, metadata),
        csl=_csl(root, styles, metadata),
        styles=styles,
    )


def _text_paths(root: Path, metadata: Metadata) -> list[Path]:
    listed = metadata.get("text")
    if listed:
        return [_inside(name, root, [root], metadata, "text") for name in listed]
    numbered = sorted(p for p in root.glob("*.md") if NUMBERED_TEXT.match(p.name))
    if numbered:
        return numbered
    if (root / DEFAULT_TEXT).is_file():
        return [root / DEFAULT_TEXT]
    raise PipelineError(f"has no {DEFAULT_TEXT} (nor numbered 01-*.md files)", root)


def _bibliography(root: Path, metadata: Metadata) -> Path | None:
    named = metadata.get("bibliography")
    if named:
        return _inside(named, root, [root], metadata, "bibliography")
    for name in DEFAULT_BIBLIOGRAPHIES:
        if (root / name).is_file():
            return root / name
    return None


def _csl(root: Path, styles: Path, metadata: Metadata) -> Path:
    named = metadata.get("csl")
    if not named:
        return _inside(DEFAULT_CSL, styles / "csl", [styles], metadata, "csl")
    in_manuscript = root / named
    if in_manuscript.is_file():
        return _inside(named, root, [root], metadata, "csl")
    candidate = named if named.endswith(".csl") else f"{named}.csl"
    return _inside(candidate, styles / "csl", [styles], metadata, "csl")


def _inside(name: str, base: Path, allowed: list[Path], metadata: Metadata, key: str) -> Path:
    line = metadata.line_of(key)
    try:
        path = resolve_inside(name, base, allowed)
    except PipelineError as exc:
        raise PipelineError(f"{key!r} {exc.message}", metadata.path, line) from None
    if not path.is_file():
        raise PipelineError(f"{key!r} names {name!r}, which does not exist", metadata.path, line)
    return path


def check_note_labels(texts: tuple[TextFile, ...]) -> None:
    """Fail on a footnote reference without a definition, which pandoc would print as-is."""
    defined: set[str] = set()
    references: list[tuple[str, Path, int]] = []
    for text in texts:
        for number, line in _prose_lines(text.source):
            definition = NOTE_DEFINITION.match(line)
            if definition:
                defined.add(definition.group(1))
                line = line[definition.end() :]
            references.extend((label, text.path, number) for label in NOTE_REFERENCE.findall(line))
    for label, path, number in references:
        if label not in defined:
            raise PipelineError(
                f"footnote [^{label}] is referenced but never defined", path, number
            )


def _prose_lines(source: str) -> list[tuple[int, str]]:
    """Number the lines of a Markdown file, leaving out fenced code blocks."""
    lines: list[tuple[int, str]] = []
    fenced = False
    for number, line in enumerate(source.split("\n"), start=1):
        if FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            lines.append((number, CODE_SPAN.sub("", line)))
    return lines
