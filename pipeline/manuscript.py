"""Find a manuscript's files and check them before pandoc sees them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.bibliography import bibliography_keys
from pipeline.errors import PipelineError
from pipeline.files import STYLES_DIR, read_text, resolve_inside
from pipeline.metadata import Metadata, load_metadata

METADATA_FILE = "metadata.yaml"
DEFAULT_TEXT = "text.md"
DEFAULT_BIBLIOGRAPHIES = ("references.bib", "references.json", "references.yaml")
DEFAULT_CSL = "chicago-notes.csl"
OWN_STYLES = "styles"
MAX_TEXT_BYTES = 8_000_000
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

    def style_path(self, name: str) -> Path:
        """The style file ``name`` (``screen.css``, ``templates/web.html``…): the manuscript's
        own ``styles/NAME`` when it has one, else the shared one.

        A title of a series thereby overrides the shared styles file by file.
        """
        own = self.root / OWN_STYLES / name
        if own.is_file():
            return resolve_inside(f"{OWN_STYLES}/{name}", self.root, [self.root])
        return self.styles / name

    @property
    def inputs(self) -> list[Path]:
        """Every file the build reads from the manuscript, for caching and make."""
        files = [self.metadata.path, *(t.path for t in self.texts), self.csl]
        if self.bibliography:
            files.append(self.bibliography)
        return files


def load_manuscript(root: Path, styles: Path | None = None, preflight: bool = True) -> Manuscript:
    """Locate and validate every file of the manuscript in ``root``.

    ``preflight`` stops at what pandoc would pass over in silence: a note call without a
    definition (printed as it stands) and two bibliography entries with one key (the second
    ignored). The lint turns it off to report every such place instead.
    """
    root = root.resolve()
    styles = (styles or STYLES_DIR).resolve()
    if not root.is_dir():
        raise PipelineError("is not a manuscript folder", root)
    meta_path = root / METADATA_FILE
    if not meta_path.is_file():
        raise PipelineError(f"has no {METADATA_FILE}", root)
    metadata = load_metadata(meta_path)
    paths = _text_paths(root, metadata)
    _check_size(paths)
    texts = tuple(TextFile(p, read_text(p)) for p in paths)
    bibliography = _bibliography(root, metadata)
    if preflight:
        check_note_labels(texts)
        check_unique_keys(bibliography)
    return Manuscript(
        root=root,
        metadata=metadata,
        texts=texts,
        bibliography=bibliography,
        csl=_csl(root, styles, metadata),
        styles=styles,
    )


def _check_size(paths: list[Path]) -> None:
    """Refuse a text too long to build in reasonable time, before reading it."""
    total = sum(p.stat().st_size for p in paths)
    if total > MAX_TEXT_BYTES:
        largest = max(paths, key=lambda p: p.stat().st_size)
        size, limit = total / 1_000_000, MAX_TEXT_BYTES / 1_000_000
        raise PipelineError(
            f"is {size:.1f} MB of text; the pipeline builds manuscripts of up to {limit:.0f} MB",
            largest,
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


def check_unique_keys(bibliography: Path | None) -> None:
    """Fail on two bibliography entries with the same key."""
    seen: set[str] = set()
    for key, line in bibliography_keys(bibliography):
        if key in seen:
            raise PipelineError(f"has a second entry with the key {key!r}", bibliography, line)
        seen.add(key)


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
