"""Where an import is written, and what it will not overwrite."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.importers.support import invoke

TEXT = "A Small Title\n\nSome text of the small source.\n"


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "small.txt"
    path.write_text(TEXT, encoding="utf-8")
    return path


def test_default_folder_is_the_slug_in_the_current_folder(source, tmp_path, monkeypatch):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    result = invoke("import", str(source))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (work / "a-small-title").iterdir()) == [
        "metadata.yaml",
        "references.bib",
        "text.md",
    ]
    assert "into a-small-title/" in result.output


def test_non_empty_folder_is_refused_without_force(source, tmp_path):
    target = tmp_path / "out"
    target.mkdir()
    (target / "text.md").write_text("An editor's work.\n")
    result = invoke("import", str(source), "--into", str(target))
    assert result.exit_code == 2
    assert result.output.strip() == (
        f"error: {target}: is not empty; use --force to replace its metadata.yaml, "
        "text.md and images/"
    )
    assert [p.name for p in target.iterdir()] == ["text.md"]
    assert (target / "text.md").read_text() == "An editor's work.\n"


def test_force_replaces_the_text_and_images_but_keeps_the_bibliography(source, tmp_path):
    target = tmp_path / "out"
    (target / "images").mkdir(parents=True)
    (target / "images" / "old.png").write_bytes(b"old")
    (target / "text.md").write_text("Old text.\n")
    (target / "references.bib").write_text("@book{kept, title={Kept}}\n")
    result = invoke("import", str(source), "--into", str(target), "--force")
    assert result.exit_code == 0, result.output
    assert (target / "text.md").read_text() == "Some text of the small source.\n"
    assert (target / "references.bib").read_text() == "@book{kept, title={Kept}}\n"
    assert not (target / "images").exists()
    assert sorted(p.name for p in target.iterdir()) == [
        "metadata.yaml",
        "references.bib",
        "text.md",
    ]


def unreadable_sources(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    corrupt = tmp_path / "corrupt.docx"
    corrupt.write_bytes(b"PK\x03\x04 this is not a whole archive")
    broken_odt = tmp_path / "broken.odt"
    broken_odt.write_text("plain words")
    unknown = tmp_path / "notes.rtf"
    unknown.write_text("{\\rtf1 text}")
    return {
        "missing": (tmp_path / "missing.docx", "missing.docx: file not found"),
        "unknown extension": (unknown, "notes.rtf: has an extension pipeline import does not"),
        "corrupt docx": (corrupt, "corrupt.docx: cannot be read as a DOCX document ("),
        "corrupt odt": (broken_odt, "broken.odt: cannot be read as an ODT document ("),
        "folder": (tmp_path, f"{tmp_path}: is not a file"),
    }


@pytest.mark.parametrize(
    "case", ["missing", "unknown extension", "corrupt docx", "corrupt odt", "folder"]
)
def test_unreadable_source_is_one_sentence_and_exit_2(case, tmp_path):
    path, expected = unreadable_sources(tmp_path)[case]
    target = tmp_path / "out"
    result = invoke("import", str(path), "--into", str(target))
    assert result.exit_code == 2
    message = result.output.strip()
    assert message.startswith("error: ") and expected in message
    assert len(message.splitlines()) == 1 and "Traceback" not in message
    assert not target.exists()


def test_bad_lang_option_is_refused(source, tmp_path):
    result = invoke("import", str(source), "--into", str(tmp_path / "out"), "--lang", "en_GB")
    assert result.exit_code == 2
    assert "--lang must be a language tag such as en or fr-CA, not 'en_GB'" in result.output
