"""Run the registered checks over a manuscript and its built editions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.checks.context import CheckContext
from pipeline.checks.registry import Finding, Severity, rules_for
from pipeline.checks.subjects import CHECK_SUBJECTS
from pipeline.manuscript import load_manuscript

SUBJECTS = CHECK_SUBJECTS


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)
    rules: int = 0
    silenced: int = 0
    """Rules that would have run but the manuscript's ``checks.ignore`` list silences."""

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.WARNING]


def run_checks(
    manuscript_dir: Path,
    build_dir: Path = Path("build"),
    subjects: Iterable[str] = SUBJECTS,
    styles: Path | None = None,
) -> Report:
    context = CheckContext(load_manuscript(manuscript_dir, styles, preflight=False), build_dir)
    built = context.built
    subjects = [s for s in subjects if s in ("manuscript", "cross") or s in built]
    ignore = context.manuscript.metadata.section("checks").get("ignore", [])
    rules, silenced = rules_for(subjects, ignore)
    context.warm(_warm_up_tasks(context, {r.id for r in rules}, built))
    report = Report(checked=["manuscript", *built], rules=len(rules), silenced=silenced)
    for check in rules:
        report.findings.extend(check.run(context))
    return report


def _warm_up_tasks(context: CheckContext, rule_ids: set[str], built: list[str]):
    """The slow facts the rules that run will need, to be computed side by side; a
    validator whose rules are all silenced is not asked at all."""
    from pipeline.checks.rules.epub import epubcheck_messages
    from pipeline.checks.rules.html import nu_messages

    subjects = {rule_id.split(".", 1)[0] for rule_id in rule_ids}
    tasks = [context.document]
    if "cross" in subjects or "pdf" in subjects:
        tasks.extend(lambda name=name: context.content(name) for name in built)
    if rule_ids & {"epub.epubcheck-error", "epub.epubcheck-warning"}:
        tasks.append(lambda: epubcheck_messages(context))
    if rule_ids & {"html.nu-error", "html.nu-warning"}:
        tasks.append(lambda: nu_messages(context))
    return tasks
