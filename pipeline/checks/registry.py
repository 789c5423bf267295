"""The check registry: small named rules, each with an id, a severity and a subject.

A rule is a function that takes the CheckContext and yields ``(place, message)`` pairs; the
registry turns them into Findings. Rules register themselves with the ``rule`` decorator when
their module in ``pipeline.checks.rules`` is imported, like a linter's rules; a manuscript
silences rules by id with ``checks: ignore:`` in its metadata.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipeline.checks.context import CheckContext


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: Severity
    subject: str
    place: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {
            "rule": self.rule,
            "severity": str(self.severity),
            "subject": self.subject,
            "place": self.place,
            "message": self.message,
        }


RuleFunction = Callable[["CheckContext"], Iterable[tuple[str, str]]]


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    subject: str
    summary: str
    function: RuleFunction

    def run(self, context: CheckContext) -> list[Finding]:
        return [
            Finding(self.id, self.severity, self.subject, place, message)
            for place, message in self.function(context)
        ]


RULES: dict[str, Rule] = {}


def rule(rule_id: str, severity: Severity, summary: str) -> Callable[[RuleFunction], RuleFunction]:
    """Register a check under ``rule_id``; its subject is the part before the dot."""

    def register(function: RuleFunction) -> RuleFunction:
        if rule_id in RULES:
            raise ValueError(f"check {rule_id} is registered twice")
        subject = rule_id.split(".", 1)[0]
        RULES[rule_id] = Rule(rule_id, severity, subject, summary, function)
        return function

    return register


def all_rules() -> dict[str, Rule]:
    """Every rule, after importing each module of ``pipeline.checks.rules``."""
    from pipeline.checks import rules

    for module in pkgutil.iter_modules(rules.__path__, f"{rules.__name__}."):
        importlib.import_module(module.name)
    return dict(RULES)


def rules_for(subjects: Iterable[str], ignore: Iterable[str] = ()) -> tuple[list[Rule], int]:
    """The rules of the given subjects that are not ignored, and how many were ignored."""
    wanted, ignored = set(subjects), set(ignore)
    chosen = [r for r in all_rules().values() if r.subject in wanted]
    kept = [r for r in chosen if r.id not in ignored]
    return kept, len(chosen) - len(kept)
