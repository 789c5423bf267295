"""The importer's lint: typography and images an editor should look at in text.md."""

from __future__ import annotations

from pathlib import Path

from pipeline.importers.findings import Finding, lint_text, summarise


def rules(tmp_path: Path, source: str) -> list[tuple[str, int | None]]:
    path = tmp_path / "text.md"
    path.write_text(source, encoding="utf-8")
    return [(f.rule, f.line) for f in lint_text(path, source)]


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
        ("text.straight-quotes", 1),
        ("text.hyphen-as-dash", 3),
        ("text.three-dots", 5),
        ("text.straight-quotes", 7),
    ]


def test_images_without_alt_text_or_outside_the_folder(tmp_path):
    source = "![](images/none.png)\n\n![Alt](../secret.png)\n\n![Alt](https://example.org/a.png)\n"
    assert rules(tmp_path, source) == [
        ("text.image-alt", 1),
        ("text.image-file", 1),
        ("text.image-file", 3),
        ("text.image-file", 5),
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
