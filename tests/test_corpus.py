"""Real texts by other people, built and checked as their authors wrote them.

Each folder of tests/corpus/ holds one openly licensed Markdown text with YAML front matter
(and the bibliography and images it uses), with a SOURCE.md recording where it came from;
the seed manuscript is checked beside them. Every text must build every edition, pass
EPUBCheck without an error or a warning and the Nu HTML Checker without an error, carry the
same notes and bibliography in every edition, and leave `pipeline check` without an error.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.checks.extract import comparable, read_epub, read_html, read_pdf
from tests.conftest import SEED

CORPUS = Path(__file__).resolve().parent / "corpus"
NOT_TEXTS = {"SOURCE.md", "README.md"}
BUILD_TIMEOUT_S = 600
VALIDATOR_RULES = {"epub.epubcheck-error", "epub.epubcheck-warning", "html.nu-error"}


def text_of(folder: Path) -> Path:
    """The one Markdown text of a corpus folder."""
    (text,) = [p for p in sorted(folder.glob("*.md")) if p.name not in NOT_TEXTS]
    return text


def targets() -> dict[str, Path]:
    found = {"seed": SEED}
    for folder in sorted(p for p in CORPUS.iterdir() if p.is_dir()):
        found[folder.name] = text_of(folder)
    return found


TARGETS = targets()


def pipeline(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *arguments],
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT_S,
        check=False,
    )


def first_line(output: str) -> str:
    lines = [line for line in output.splitlines() if line.strip() and "…" not in line]
    return next((line for line in lines if "error" in line.lower()), lines[0] if lines else "")


def edition_files(out: Path) -> dict[str, Path]:
    files = {
        "pdf": [p for p in out.glob("*.pdf") if not p.stem.endswith(("-booklet", "-cover"))],
        "epub": list(out.glob("*.epub")),
        "html": list(out.glob("*.html")),
    }
    assert all(len(paths) == 1 for paths in files.values()), files
    return {kind: paths[0] for kind, paths in files.items()}


def findings(report: dict) -> list[str]:
    return [
        f"{f['rule']} ({f['severity']}) {f['place']}: {f['message']}"
        for f in report["findings"]
        if f["severity"] == "error" or f["rule"] in VALIDATOR_RULES
    ]


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_the_text_builds_and_checks_clean(name, tmp_path):
    target = TARGETS[name]
    out = tmp_path / "build"
    built = pipeline("build", str(target), "--output-dir", str(out))
    assert built.returncode == 0, (
        f"{name}: pipeline build exited {built.returncode}: {first_line(built.stderr)}"
    )

    checked = pipeline("check", str(target), "--build-dir", str(out), "--json")
    assert checked.returncode in (0, 1), f"{name}: pipeline check: {first_line(checked.stderr)}"
    report = json.loads(checked.stdout)
    validators = [f for f in findings(report) if f.split(" ", 1)[0] in VALIDATOR_RULES]
    assert validators == [], f"{name}: the validators report {validators[0]}"

    editions = {kind: reader(path) for kind, path, reader in readers(edition_files(out))}
    notes = {kind: [comparable(n) for n in content.notes] for kind, content in editions.items()}
    assert notes["pdf"] == notes["epub"] == notes["html"], f"{name}: the notes differ"
    entries = {k: [comparable(e) for e in c.bibliography] for k, c in editions.items()}
    assert entries["pdf"] == entries["epub"] == entries["html"], f"{name}: bibliographies differ"

    errors = findings(report)
    assert errors == [], f"{name}: pipeline check reports {len(errors)} errors, first {errors[0]}"
    assert report["errors"] == 0


def readers(files: dict[str, Path]):
    chosen = {"pdf": read_pdf, "epub": read_epub, "html": read_html}
    return [(kind, path, chosen[kind]) for kind, path in files.items()]


def test_the_corpus_covers_what_it_promises():
    """At least eight texts by different authors in three languages, each with its source
    recorded, among them one with 30 notes or more, and bibliographies in notes, author-date
    and numeric styles."""
    folders = [p for p in CORPUS.iterdir() if p.is_dir()]
    assert len(folders) >= 8
    for folder in folders:
        source = (folder / "SOURCE.md").read_text(encoding="utf-8")
        for field in ("Repository", "Commit", "Author", "Licence", "What was added"):
            assert f"**{field}" in source, f"{folder.name}/SOURCE.md has no {field}"
    texts = {p.name: text_of(p).read_text(encoding="utf-8") for p in folders}
    languages = {"en"} | {
        line.split(":", 1)[1].strip()
        for text in texts.values()
        for line in text.split("\n---", 1)[0].splitlines()
        if line.startswith("lang:")
    }
    assert len(languages) >= 3, languages
    assert max(text.count("\n[^") for text in texts.values()) >= 30
    styles = {
        next(
            (line.split(":", 1)[1].strip() for line in t.splitlines() if line.startswith("csl:")),
            "chicago-notes",
        )
        for t in texts.values()
        if "\nbibliography:" in t.split("\n---", 1)[0]
    }
    assert {"chicago-notes", "apa", "ieee"} <= styles, styles
