"""Sort the messages pandoc writes with ``--log`` into refusals and warnings.

Pandoc reports a message as JSON with a ``type`` and, for most, the source file and line.
What loses the author's text or points nowhere (a citation key with no entry, a note label
defined twice) stops the build with the file and line; the rest is passed on as a warning
naming the place, so the build goes on and ``--strict`` can still refuse it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pipeline.errors import PipelineError
from pipeline.manuscript import Manuscript
from pipeline.places import Locator

Message = dict[str, Any]

CITATION_NOT_FOUND = re.compile(r"citation (\S+) not found")
POSITION = re.compile(r" at (?:\S+ )?line \d+(?:,? column \d+)?")
MISSING_FILE = frozenset(
    {"CouldNotFetchResource", "CouldNotLoadIncludeFile", "CouldNotParseIncludeFile"}
)
"""A file the text refers to that is not there."""
IGNORED = frozenset({"DuplicateIdentifier"})
"""Duplicate ids are found in the output instead (``pipeline.identifiers``), where the
ids of raw HTML, which pandoc does not report, are seen too."""
RAW_FORMATS = {"tex": "LaTeX", "latex": "LaTeX", "context": "ConTeXt", "typst": "Typst"}
NOT_RENDERED = {"BlockNotRendered": "block", "InlineNotRendered": "inline"}


def interpret(manuscript: Manuscript, messages: Iterable[Message]) -> tuple[str, ...]:
    """The warnings among ``messages``; raise PipelineError on the first refusal."""
    locator = Locator(manuscript)
    warnings: list[str] = []
    for message in messages:
        kind = message.get("type", "")
        if kind in IGNORED:
            continue
        if kind in NOT_RENDERED:
            warnings.append(_not_rendered(locator, message))
        elif message.get("verbosity") == "WARNING":
            warning = _warning(manuscript, locator, message)
            if warning:
                warnings.append(warning)
    return tuple(warnings)


def _warning(manuscript: Manuscript, locator: Locator, message: Message) -> str | None:
    kind = message.get("type", "")
    path, line = _position(manuscript, message)
    if kind == "CiteprocWarning":
        missing = CITATION_NOT_FOUND.search(message.get("message", ""))
        if missing:
            raise _missing_citation(manuscript, missing.group(1))
    elif kind == "DuplicateNoteReference":
        label = message.get("contents", "")
        raise PipelineError(
            f"footnote [^{label}] is defined a second time; pandoc would keep only one text",
            path,
            line,
        )
    elif kind in MISSING_FILE:
        raise PipelineError(f"pandoc: {_pretty(message)}", path, line)
    elif kind == "NoteDefinedButNotUsed":
        return _at(path, line, f"footnote [^{message.get('key', '')}] is defined but never called")
    elif kind == "UnclosedDiv":
        return _at(path, line, "a div opened here (::: or <div>) is never closed")
    elif kind == "CouldNotConvertTeXMath":
        tex = message.get("contents", "")
        place, number = locator.find(tex.split("\n")[0].strip())
        return _at(place, number, f"the TeX math '{tex}' cannot be converted; it is shown as TeX")
    return _at(path, line, f"pandoc: {_pretty(message)}")


def _not_rendered(locator: Locator, message: Message) -> str:
    """A raw LaTeX, ConTeXt or Typst block or inline, which no edition can show."""
    contents = message.get("contents") or {}
    raw_format, raw = (contents.get("c") or ["", ""])[:2]
    name = RAW_FORMATS.get(raw_format, f"raw {raw_format}")
    first = next((part for part in raw.split("\n") if part.strip()), raw).strip()
    place, line = locator.find(first)
    what = NOT_RENDERED[message["type"]]
    shown = first if len(first) <= 40 else first[:39] + "…"
    return _at(place, line, f"removed a {name} {what} ('{shown}'), which no edition shows")


def _missing_citation(manuscript: Manuscript, key: str) -> PipelineError:
    pattern = re.compile(rf"@{re.escape(key)}(?![\w:.#$%&\-+?<>~/])")
    path, line = manuscript.texts[0].path, None
    for text in manuscript.texts:
        found = next(
            (n for n, s in enumerate(text.source.split("\n"), start=1) if pattern.search(s)), None
        )
        if found:
            path, line = text.path, found
            break
    where = manuscript.bibliography.name if manuscript.bibliography else "any bibliography"
    return PipelineError(f"cites @{key}, which is not in {where}", path, line)


def _position(manuscript: Manuscript, message: Message) -> tuple[Path, int | None]:
    """The file and line a message names (the opening of a div left open), mapped to the
    text file it came from when the manuscript has several."""
    where = message.get("openpos") or message.get("pos") or message
    source, line = where.get("source"), where.get("line")
    if not source:
        return manuscript.texts[0].path, None
    path = Path(source)
    if not path.is_absolute():
        path = manuscript.root / path
    return path, line if isinstance(line, int) else None


def _pretty(message: Message) -> str:
    """Pandoc's own sentence, on one line, without the position the warning names anyway."""
    text = str(message.get("pretty") or message.get("type")).split("\n")[0]
    return " ".join(POSITION.sub("", text).split())


def _at(path: Path, line: int | None, text: str) -> str:
    return f"{path}:{line}: {text}" if line else f"{path}: {text}"
