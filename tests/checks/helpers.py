"""Helpers for the check tests: make a manuscript, run chosen rules, collect rule ids."""

from __future__ import annotations

from pathlib import Path

from pipeline.checks.run import run_checks


def manuscript(folder: Path, text: str, bib: str = "", meta: str = "title: T\n") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "metadata.yaml").write_text(meta, encoding="utf-8")
    (folder / "text.md").write_text(text, encoding="utf-8")
    if bib:
        (folder / "references.bib").write_text(bib, encoding="utf-8")
    return folder


def fired(folder: Path, *subjects: str, build_dir: Path | None = None) -> dict[str, list[str]]:
    """Rule id → the places it reported, for the given subjects."""
    report = run_checks(folder, build_dir or folder / "build", subjects)
    found: dict[str, list[str]] = {}
    for finding in report.findings:
        found.setdefault(finding.rule, []).append(f"{finding.place}: {finding.message}")
    return found
