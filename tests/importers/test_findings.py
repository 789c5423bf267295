"""The importer's findings: the manuscript lint run on the folder it wrote."""

from __future__ import annotations

from pathlib import Path

from pipeline.importers.findings import Finding, lint_manuscript, summarise


def rules(tmp_path: Path, source: str) -> list[tuple[str, int | None]]:
    (tmp_path / "metadata.yaml").write_text("title: Imported\n", encoding="utf-8")
    (tmp_path / "text.md").write_text(source, encoding="utf-8")
    return sorted((f.rule, f.line) for f in lint_manuscript(tmp_path))


def test_clean_text_has_no_findings(tmp_path):
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "a.png").write_bytes(b"png")
    source = (
        '# A heading\n\nIt’s “quoted” – and dashed… [a link](https://example.org "t").\n\n'
        "- a list item\n- well-formed compound-words\n\n![An image](images/a.png)\n\n"
        '```\nsay "code" - is - code...\n```\n'
    )
    assert rules(tmp_path, source) == []


def test_straight_quotes_hyphen_dashes_and_three_dots(tmp_path):
    source = 'He said "no".\n\nA pause - then more.\n\nAnd so...\n\nIt\'s here.\n'
    assert rules(tmp_path, source) == [
        ("manuscript.hyphen-as-dash", 3),
        ("manuscript.straight-quote", 1),
        ("manuscript.straight-quote", 7),
        ("manuscript.three-dots", 5),
    ]


def test_images_without_alt_text_or_outside_the_folder(tmp_path):
    source = "![](images/none.png)\n\n![Alt](../secret.png)\n\n![Alt](https://example.org/a.png)\n"
    assert rules(tmp_path, source) == [
        ("manuscript.image-alt", 1),
        ("manuscript.image-file", 1),
        ("manuscript.image-file", 3),
        ("manuscript.remote-image", 5),
    ]


def test_summary_caps_each_rule():
    findings = [Finding("text.x", Path("t.md"), n, "m") for n in range(1, 9)]
    findings.append(Finding("text.y", Path("t.md"), None, "other"))
    lines = summarise(findings, per_rule=3)
    assert lines == [
        "t.md:1: m [text.x]",
        "t.md:2: m [text.x]",
        "t.md:3: m [text.x]",
        "t.md: other [text.y]",
        "… and 5 more [text.x]",
    ]
