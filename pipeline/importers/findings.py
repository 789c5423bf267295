"""What an imported manuscript leaves for an editor to look at.

Each finding names a rule, a file and a line. The importer adds the guesses it made
(headings, note markers, the language); ``lint_manuscript`` adds what the manuscript lint of
``pipeline check`` finds in the folder it wrote.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Finding:
    rule: str
    path: Path
    line: int | None
    message: str

    def __str__(self) -> str:
        place = str(self.path) if self.line is None else f"{self.path}:{self.line}"
        return f"{place}: {self.message} [{self.rule}]"


def lint_manuscript(folder: Path) -> list[Finding]:
    """The manuscript lint rules' findings for ``folder``, as importer findings."""
    from pipeline.checks.run import run_checks

    report = run_checks(folder, folder / "build", ["manuscript"])
    return [_from_check(folder, f.rule, f.place, f.message) for f in report.findings]


def _from_check(folder: Path, rule: str, place: str, message: str) -> Finding:
    name, _, line = place.partition(":")
    return Finding(rule, folder / name, int(line) if line.isdigit() else None, message)


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
