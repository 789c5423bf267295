"""Find a manuscript's files and check them before pandoc sees them.

A manuscript comes in three forms: a folder with ``metadata.yaml`` and its text files; a
folder whose ``text.md`` opens with YAML front matter instead; and one Markdown file with
front matter, as pandoc takes it. The front matter holds the keys of ``metadata.yaml``,
validated the same way, with errors naming the Markdown file and its line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from pipeline import characters
from pipeline.bibliography import bibliography_keys
from pipeline.errors import PipelineError
from pipeline.files import STYLES_DIR, confined, read_text, resolve_inside
from pipeline.metadata import Metadata, load_metadata, metadata_from_front_matter

METADATA_FILE = "metadata.yaml"
DEFAULT_TEXT = "text.md"
DEFAULT_BIBLIOGRAPHIES = ("references.bib", "references.json", "references.yaml")
DEFAULT_CSL = "chicago-notes.csl"
OWN_STYLES = "styles"
MAX_TEXT_BYTES = 8_000_000
NUMBERED_TEXT = re.compile(r"^\d+-.*\.md$")
MARKDOWN_SUFFIXES = (".md", ".markdown")
FRONT_MATTER_OPEN = "---"
FRONT_MATTER_CLOSE = ("---", "...")
NOT_IN_FRONT_MATTER = {
    "text": "lists the text files in metadata.yaml; a text with front matter is the text itself",
    "reference-section-title": (
        "cannot be set in front matter, where pandoc would print it as a second heading over"
        " the bibliography; set it in metadata.yaml"
    ),
}
"""Keys front matter may not hold, and why: pandoc reads the front matter too."""
CITATION_IN_VALUE = re.compile(r"(?<![\w@])@(\{[^}]*\}|\w[\w:.#$%&\-+?<>~/]*\w|\w)")

NOTE_DEFINITION = re.compile(r"^ {0,3}\[\^([^\]\s]+)\]:")
NOTE_REFERENCE = re.compile(r"\[\^([^\]\s]+)\](?!:)")
FENCE = re.compile(r"^ {0,3}(```|~~~)")
NOTE_CONTINUATION = re.compile(r"^(?: {4}|\t)")
"""A line indented as a footnote's further paragraphs are."""
NOTE_CODE = re.compile(r"^(?: {8}|\t\t| {4}\t)")
"""A line indented as code inside a footnote."""
HTML_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)
CODE_SPAN = re.compile(r"`[^`]*`")


@dataclass(frozen=True)
class TextFile:
    """A text file as the build reads it: ``source`` lacks the characters no edition can
    carry (``pipeline.characters``), and ``cleaned`` says whether it thereby differs from the
    file."""

    path: Path
    source: str
    cleaned: bool = False


@dataclass(frozen=True)
class FrontMatter:
    """The YAML block at the top of a Markdown text: ``source`` begins on line
    ``first_line``; ``last_line`` is the line ``---`` or ``...`` that closes it, or None."""

    source: str
    first_line: int
    last_line: int | None

    @property
    def closed(self) -> bool:
        return self.last_line is not None


@dataclass(frozen=True)
class Located:
    """Where a manuscript's metadata and texts are, before the texts are read."""

    root: Path
    metadata: Metadata
    text_paths: list[Path]
    default_bibliography: bool
    """Whether a references.bib (.json, .yaml) in the folder is used when none is named."""
    read: dict[Path, str] = field(default_factory=dict)
    """Texts already read while finding the metadata."""


@dataclass(frozen=True)
class Manuscript:
    """A manuscript (a folder, or one Markdown file with front matter) whose files exist
    and whose metadata is valid; ``root`` is its folder."""

    root: Path
    metadata: Metadata
    texts: tuple[TextFile, ...]
    bibliography: Path | None
    csl: Path
    styles: Path
    warnings: tuple[str, ...] = ()
    """What reading the texts removed (``pipeline.characters``), one sentence a line."""

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
            return confined(own, [self.root])
        return self.styles / name

    @property
    def inputs(self) -> list[Path]:
        """Every file the build reads from the manuscript, for caching and make."""
        files = [self.metadata.path, *(t.path for t in self.texts), self.csl]
        if self.bibliography:
            files.append(self.bibliography)
        return list(dict.fromkeys(files))


def load_manuscript(
    location: Path, styles: Path | None = None, preflight: bool = True
) -> Manuscript:
    """Locate and validate every file of the manuscript at ``location``: a folder, or one
    Markdown file with front matter.

    ``preflight`` stops at what pandoc would pass over in silence: a note call without a
    definition (printed as it stands) and two bibliography entries with one key (the second
    ignored). The lint turns it off to report every such place instead.
    """
    styles = (styles or STYLES_DIR).resolve()
    located = locate(location)
    root, metadata = located.root, located.metadata
    warnings: list[str] = []
    texts = tuple(_text(p, located.read, warnings) for p in located.text_paths)
    if metadata.path not in located.text_paths:
        check_no_front_matter(texts, metadata.path)
    bibliography = _bibliography(root, metadata, located.default_bibliography)
    if preflight:
        check_not_empty(texts, root)
        check_note_labels(texts)
        check_no_nested_notes(texts)
        check_unique_keys(bibliography)
    return Manuscript(
        root=root,
        metadata=metadata,
        texts=texts,
        bibliography=bibliography,
        csl=_csl(root, styles, metadata),
        styles=styles,
        warnings=tuple(warnings),
    )


def _text(path: Path, read: dict[Path, str], warnings: list[str]) -> TextFile:
    """The text file at ``path`` without the characters no edition can carry; a warning
    for each line that lost some."""
    source = read[path] if path in read else read_text(path)
    cleaned, removals = characters.clean(source)
    warnings.extend(characters.warnings(path, removals))
    return TextFile(path, cleaned, cleaned=bool(removals))


def locate(location: Path) -> Located:
    """Find the manuscript's metadata, validated, and its text files (checked for size)."""
    location = location.resolve()
    if location.is_file():
        return _single_file(location)
    if not location.is_dir():
        raise PipelineError("is not a manuscript folder or Markdown file", location)
    meta_path = location / METADATA_FILE
    if meta_path.is_file():
        metadata = load_metadata(_own(meta_path, location))
        paths = _text_paths(location, metadata)
        _check_size(paths)
        return Located(location, metadata, paths, default_bibliography=True)
    return _front_matter_folder(location)


def _single_file(path: Path) -> Located:
    """One Markdown file: its folder is the manuscript's root, and only the bibliography
    its front matter names is read, as pandoc does."""
    if path.suffix.lower() not in MARKDOWN_SUFFIXES:
        raise PipelineError(
            "is not a manuscript: give its folder, or a Markdown (.md) file with front matter",
            path,
        )
    _check_size([path])
    source = read_text(path)
    block = front_matter(source)
    if block is None:
        raise PipelineError(
            "has no front matter; a manuscript in one file opens with a --- block that gives"
            " at least its title",
            path,
            1,
        )
    metadata = _front_matter_metadata(block, path)
    return Located(path.parent, metadata, [path], default_bibliography=False, read={path: source})


def _front_matter_folder(root: Path) -> Located:
    """A folder without metadata.yaml whose text.md carries the metadata as front matter."""
    path = root / DEFAULT_TEXT
    missing = f"has no {METADATA_FILE} (nor a {DEFAULT_TEXT} that opens with front matter)"
    if not path.is_file():
        raise PipelineError(missing, root)
    _own(path, root)
    _check_size([path])
    source = read_text(path)
    block = front_matter(source)
    if block is None:
        raise PipelineError(missing, root)
    metadata = _front_matter_metadata(block, path)
    numbered = sorted(p.name for p in root.glob("*.md") if NUMBERED_TEXT.match(p.name))
    if numbered:
        raise PipelineError(
            f"holds the front matter, so the folder's text is {DEFAULT_TEXT} alone and"
            f" {numbered[0]} would be left out; put the metadata in {METADATA_FILE} to build"
            " the numbered files",
            path,
            1,
        )
    return Located(root, metadata, [path], default_bibliography=True, read={path: source})


def front_matter(source: str) -> FrontMatter | None:
    """The front matter of a Markdown text as pandoc finds it: a line ``---`` at the top,
    not followed by a blank line, up to a line ``---`` or ``...``."""
    lines = source.split("\n")
    if len(lines) < 2 or lines[0].rstrip() != FRONT_MATTER_OPEN or not lines[1].strip():
        return None
    for index, line in enumerate(lines[1:], start=1):
        if line.rstrip() in FRONT_MATTER_CLOSE:
            return FrontMatter("\n".join(lines[1:index]), 2, last_line=index + 1)
    return FrontMatter("\n".join(lines[1:]), 2, last_line=None)


def _front_matter_metadata(block: FrontMatter, path: Path) -> Metadata:
    if not block.closed:
        raise PipelineError("opens front matter with --- but no line --- or ... closes it", path, 1)
    metadata = metadata_from_front_matter(block.source, path, block.first_line)
    for key, reason in NOT_IN_FRONT_MATTER.items():
        if key in metadata.values:
            raise PipelineError(f"{key!r} {reason}", path, metadata.line_of(key))
    _check_no_citations(metadata)
    return metadata


def _check_no_citations(metadata: Metadata) -> None:
    """Pandoc reads citations in front matter too and would add their works to the
    bibliography, which metadata.yaml's values never do: refuse them."""
    for key, value in metadata.values.items():
        for name, text in _strings(key, value):
            found = CITATION_IN_VALUE.search(text)
            if found:
                raise PipelineError(
                    f"{name!r} cites @{found.group(1).strip('{}')}, which pandoc would add to"
                    " the bibliography; front matter cannot hold citations",
                    metadata.path,
                    metadata.line_of(name) or metadata.line_of(key),
                )


def _strings(name: str, value: Any) -> list[tuple[str, str]]:
    if isinstance(value, str):
        return [(name, value)]
    if isinstance(value, list):
        return [(name, str(item)) for item in value]
    if isinstance(value, dict):
        return [found for key, inner in value.items() for found in _strings(f"{name}.{key}", inner)]
    return []


def check_no_front_matter(texts: tuple[TextFile, ...], metadata_path: Path) -> None:
    """Fail on a text that opens with front matter when metadata.yaml holds the metadata:
    pandoc would read that block too, and one of the two would be silently wrong."""
    for text in texts:
        if _metadata_block(text.source):
            raise PipelineError(
                f"opens with front matter, and the folder's {metadata_path.name} holds the metadata"
                " too; keep the metadata in one of the two",
                text.path,
                1,
            )


def _metadata_block(source: str) -> FrontMatter | None:
    """The front matter of ``source`` if pandoc would take it for metadata: closed, and a
    map (pandoc reads any other block as ordinary text)."""
    block = front_matter(source)
    if block is None or not block.closed:
        return None
    try:
        node = yaml.compose(block.source, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    return block if isinstance(node, yaml.MappingNode) else None


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


def _own(path: Path, root: Path) -> Path:
    """``path`` as it is named, once it is known to lead to a file inside ``root``."""
    confined(path, [root])
    return path


def _text_paths(root: Path, metadata: Metadata) -> list[Path]:
    listed = metadata.get("text")
    if listed:
        return [_inside(name, root, [root], metadata, "text") for name in listed]
    numbered = sorted(p for p in root.glob("*.md") if NUMBERED_TEXT.match(p.name))
    if numbered:
        return [_own(p, root) for p in numbered]
    if (root / DEFAULT_TEXT).is_file():
        return [_own(root / DEFAULT_TEXT, root)]
    raise PipelineError(f"has no {DEFAULT_TEXT} (nor numbered 01-*.md files)", root)


def _bibliography(root: Path, metadata: Metadata, default: bool) -> Path | None:
    named = metadata.get("bibliography")
    if named:
        return _inside(named, root, [root], metadata, "bibliography")
    if not default:
        return None
    for name in DEFAULT_BIBLIOGRAPHIES:
        if (root / name).is_file():
            return _own(root / name, root)
    return None


def _csl(root: Path, styles: Path, metadata: Metadata) -> Path:
    named = metadata.get("csl")
    if not named:
        return _inside(DEFAULT_CSL, styles / "csl", [styles], metadata, "csl")
    candidate = named if named.endswith(".csl") else f"{named}.csl"
    for name in dict.fromkeys((named, candidate)):
        if (root / name).is_file():
            return _inside(name, root, [root], metadata, "csl")
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
        for number, line in _prose_lines(text.source, _body_start(text.source)):
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


def check_not_empty(texts: tuple[TextFile, ...], root: Path) -> None:
    """Fail on a manuscript whose text files hold nothing to read: no edition would have a
    page of text."""
    if any(_has_text(text) for text in texts):
        return
    if len(texts) == 1:
        raise PipelineError(
            "holds no text (only metadata, blank lines or comments); there is nothing to build",
            texts[0].path,
        )
    names = ", ".join(text.path.name for text in texts)
    raise PipelineError(
        f"has no text: its text files ({names}) hold only metadata, blank lines or comments",
        root,
    )


def _has_text(text: TextFile) -> bool:
    source = text.source.split("\n")[_body_start(text.source) - 1 :]
    return bool(HTML_COMMENT.sub("", "\n".join(source)).strip())


def check_no_nested_notes(texts: tuple[TextFile, ...]) -> None:
    """Fail on a note called inside another note's text, which pandoc prints as the label
    in brackets while the inner note's text is lost."""
    for text in texts:
        for number, label, outer in _calls_in_notes(text.source):
            raise PipelineError(
                f"footnote [^{label}] is called inside footnote [^{outer}], and a note cannot"
                " hold a note; move the call into the text or write its words into the note",
                text.path,
                number,
            )


def _calls_in_notes(source: str) -> list[tuple[int, str, str]]:
    """(line, label, label of the note it stands in) of each note call in a note's text:
    on the line defining the note, on the lines directly after it, and in the paragraphs
    after a blank line that are indented as the note's own."""
    found: list[tuple[int, str, str]] = []
    note: str | None = None
    blank = False
    for number, line in _prose_lines(source, _body_start(source)):
        definition = NOTE_DEFINITION.match(line)
        if definition:
            note, blank = definition.group(1), False
            line = line[definition.end() :]
        elif not line.strip():
            blank = True
            continue
        elif note is None or (blank and not NOTE_CONTINUATION.match(line)):
            note = None
            continue
        elif NOTE_CODE.match(line):
            continue
        blank = False
        if note is not None:
            found.extend((number, label, note) for label in NOTE_REFERENCE.findall(line))
    return found


def check_unique_keys(bibliography: Path | None) -> None:
    """Fail on two bibliography entries with the same key."""
    seen: set[str] = set()
    for key, line in bibliography_keys(bibliography):
        if key in seen:
            raise PipelineError(f"has a second entry with the key {key!r}", bibliography, line)
        seen.add(key)


def _body_start(source: str) -> int:
    """The number of the first line after the front matter (1 without front matter)."""
    block = _metadata_block(source)
    return block.last_line + 1 if block and block.last_line else 1


def _prose_lines(source: str, start: int = 1) -> list[tuple[int, str]]:
    """Number the lines of a Markdown file from line ``start``, leaving out fenced code
    blocks."""
    lines: list[tuple[int, str]] = []
    fenced = False
    for number, line in enumerate(source.split("\n"), start=1):
        if number < start:
            continue
        if FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            lines.append((number, CODE_SPAN.sub("", line)))
    return lines
