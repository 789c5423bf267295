"""Print a check report: a table for people, JSON for CI."""

from __future__ import annotations

import json

from rich.console import Console
from rich.table import Table

from pipeline.checks.run import Report


def as_json(report: Report) -> str:
    return json.dumps(
        {
            "checked": report.checked,
            "rules": report.rules,
            "silenced": report.silenced,
            "errors": len(report.errors),
            "warnings": len(report.warnings),
            "findings": [finding.as_dict() for finding in report.findings],
        },
        indent=2,
        ensure_ascii=False,
    )


def print_table(report: Report, console: Console) -> None:
    if report.findings:
        table = Table(show_lines=False, header_style="bold")
        for column in ("rule", "edition", "place", "message"):
            table.add_column(column, overflow="fold")
        for finding in sorted(report.findings, key=lambda f: (f.severity != "error", f.rule)):
            style = "red" if finding.severity == "error" else "yellow"
            table.add_row(
                f"[{style}]{finding.rule}[/{style}]",
                finding.subject,
                finding.place,
                finding.message,
            )
        console.print(table)
    silenced = f", {report.silenced} silenced" if report.silenced else ""
    console.print(
        f"{report.rules} checks on {', '.join(report.checked)}: "
        f"{len(report.errors)} errors, {len(report.warnings)} warnings{silenced}"
    )
