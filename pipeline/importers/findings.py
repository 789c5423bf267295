"""What an imported manuscript leaves for an editor to look at.

Each finding names a rule, a file and a line, like a linter's. The importer adds the guesses
it made (headings, note markers, the language); ``lint_text`` reads the Markdown it wrote
for typography that plain sources rarely get right.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

FENCE = re.compile(r"^ {0,3}(```|~~~)")
NOT_PROSE = re.compile(r"`[^`]*`|\]\([^)]*\)|\{[#.][^}]*\}|<[^>\s]+>")
LIST_MARKER = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
STRAIGHT_QUOTE = re.compile(r"[\"']")
HYPHEN_AS_DASH = re.compile(r"(?<=\S) - (?=\S)")
THREE_DOTS = re.compile(r"(?<!\.)\.\.\.(?!\.)")
IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]+)")
REMOTE = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)


@dataclass(frozen=True)
class Finding:
    rule: str
    path: Path
    line: int | None
    message: str

    def __str__(self) -> str:
        place = str(self.path) if self.line is None else f"{self.path}:{self.line}"
        return f"{place}: {self.message} [{self.rule}]"


def lint_text(path: Path, source: str) -> list[Finding]:
    """Typographic and image problems in a Markdown file, one finding per line and rule."""
    findings: list[Finding] = []
    for number, line in _prose_lines(source):
        findings.extend(_line_findings(path, number, line))
    return findings


def _line_findings(path: Path, number: int, line: str) -> list[Finding]:
    found: list[Finding] = []
    prose = NOT_PROSE.sub(" ", LIST_MARKER.sub("", line))

    def add(rule: str, message: str) -> None:
        found.append(Finding(rule, path, number, message))

    if STRAIGHT_QUOTE.search(prose):
        add("text.straight-quotes", "straight quotation mark or apostrophe; use ‘ ’ “ ” or ’")
    if HYPHEN_AS_DASH.search(prose):
        add("text.hyphen-as-dash", "“ - ” used as a dash; use a spaced en dash “ – ”")
    if THREE_DOTS.search(prose):
        add("text.three-dots", "three full stops; use an ellipsis “…”")
    for alt, target in IMAGE.findall(line):
        if not alt.strip():
            add("text.image-alt", f"image {target} has no alt text")
        if not _in_folder(target, path.parent):
            add("text.image-file", f"image {target[:80]} is not a file in the manuscript folder")
    return found


def _in_folder(target: str, folder: Path) -> bool:
    if REMOTE.match(target) or target.startswith("/"):
        return False
    file = (folder / target).resolve()
    return file.is_relative_to(folder.resolve()) and file.is_file()


def _prose_lines(source: str) -> list[tuple[int, str]]:
    lines: list[tuple[int, str]] = []
    fenced = False
    for number, line in enumerate(source.split("\n"), start=1):
        if FENCE.match(line):
            fenced = not fenced
        elif not fenced:
            lines.append((number, line))
    return lines


def summarise(findings: list[Finding], per_rule: int = 5) -> list[str]:
    """Lines to print: at most ``per_rule`` findings of each rule, then a count of the rest."""
    shown: Counter[str] = Counter()
    lines: list[str] = []
    for finding in findings:
        shown[finding.rule] += 1
        if shown[finding.rule] <= per_rule:
            lines.append(str(finding))
    totals = Counter(f.rule for f in findings)
    for rule, total in totals.items():
        if total > per_rule:
            lines.append(f"… and {total - per_rule} more [{rule}]")
    return lines
