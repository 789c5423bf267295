"""The faces each script is set in (styles/scripts.yaml), chosen by the manuscript's language
and the scripts its text uses, and the warning for a character no face has."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pymupdf
import pytest
import yaml
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.manuscript import load_manuscript
from pipeline.typefaces import coverage, parse_charset, scripts, typefaces
from tests.conftest import ROOT

TOTO = "\U0001e290"
"""A letter of Unicode 14 that no installed face has."""
ARABIC = "لما كان الاعتراف بالكرامة المتأصلة في جميع أعضاء الأسرة البشرية"
CHINESE = "鉴于对人类家庭所有成员的固有尊严及其平等的和不移的权利的承认"
HINDI = "चूंकि मानव परिवार के सभी सदस्यों के जन्मजात गौरव"


def write(folder: Path, text: str, lang: str = "en", title: str = "A test") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "metadata.yaml").write_text(f"title: {title}\nlang: {lang}\n", encoding="utf-8")
    (folder / "text.md").write_text(text, encoding="utf-8")
    return folder


def faces_of(tmp_path: Path, text: str, lang: str) -> tuple[tuple[str, ...], frozenset[str]]:
    found = typefaces(load_manuscript(write(tmp_path / lang, text, lang)), text)
    return found.faces, found.missing


def test_parse_charset_reads_single_points_and_ranges():
    assert parse_charset("20-7e a0 100-17f") == ((0x20, 0xA0, 0x100), (0x7E, 0xA0, 0x17F))


@pytest.mark.parametrize(
    ("lang", "text", "first"),
    [
        ("en", "Plain English.", "Charis SIL"),
        ("ru", "Все люди рождаются свободными.", "Charis SIL"),
        ("el", "Ὅλοι οἱ ἄνθρωποι γεννιοῦνται ἐλεύθεροι.", "Noto Serif"),
        ("ar", ARABIC, "Amiri"),
        ("fa", ARABIC, "Amiri"),
        ("hi", HINDI, "Noto Serif Devanagari"),
        ("zh", CHINESE, "Noto Serif CJK SC"),
        ("zh-TW", CHINESE, "Noto Serif CJK TC"),
        ("zh-Hant", CHINESE, "Noto Serif CJK TC"),
        ("ja", "すべての人間は、生まれながらにして自由", "Noto Serif CJK JP"),
        ("ko", "모든 인간은 태어날 때부터 자유로우며", "Noto Serif CJK KR"),
    ],
)
def test_the_language_picks_its_scripts_face_first(tmp_path, lang, text, first):
    faces, missing = faces_of(tmp_path, text, lang)
    assert faces[0] == first
    assert missing == frozenset()


def test_a_latin_text_asks_for_other_faces_only_when_it_needs_them(tmp_path):
    assert faces_of(tmp_path, "Only Latin letters, “quoted” — and dashed.", "en")[0] == (
        "Charis SIL",
    )
    faces, missing = faces_of(tmp_path, f"Quoting {ARABIC} and {CHINESE}.", "en")
    assert faces[0] == "Charis SIL"
    assert "Amiri" in faces and "Noto Serif CJK SC" in faces
    assert "Noto Serif CJK JP" not in faces
    assert missing == frozenset()


def test_a_character_no_face_has_is_missing(tmp_path):
    missing = faces_of(tmp_path, f"The letter {TOTO} is Toto.", "en")[1]
    assert missing == {TOTO}


def test_every_face_is_installed_and_every_package_is_in_the_makefile():
    """The faces of scripts.yaml must be what make installs: a face that is gone would let
    fontconfig pick any other."""
    manuscript = load_manuscript(ROOT / "manuscript")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    packages = set(re.search(r"DEBIAN_PACKAGES :=(.*?)\n\n", makefile, re.S).group(1).split())
    for script in scripts(manuscript).values():
        assert set(script.packages) <= packages, script
        for face in script.faces:
            assert coverage(face)[0], f"{face} ({script.name}) is not installed"


def test_languages_name_scripts_that_exist():
    table = yaml.safe_load((ROOT / "styles" / "languages.yaml").read_text(encoding="utf-8"))
    named = set(yaml.safe_load((ROOT / "styles" / "scripts.yaml").read_text(encoding="utf-8")))
    for tag, entry in table.items():
        assert entry["script"] in named, tag
        for variant in (entry.get("variants") or {}).values():
            assert variant.get("script", entry["script"]) in named, tag


def build(folder: Path, out: Path, *options: str):
    return CliRunner().invoke(cli, ["build", str(folder), "--output-dir", str(out), *options])


def test_a_missing_character_is_a_warning_with_its_line_and_fatal_with_strict(tmp_path):
    folder = write(tmp_path / "toto", f"First line.\n\nThe letter {TOTO} is Toto.\n")
    result = build(folder, tmp_path / "out", "--format", "pdf")
    assert result.exit_code == 0, result.output
    assert re.search(
        r"text\.md:3: no typeface of the book has .*U\+1E290 TOTO LETTER PA", result.output
    )
    assert "empty box" in result.output
    strict = build(folder, tmp_path / "strict", "--format", "pdf", "--strict")
    assert strict.exit_code == 2
    assert "U+1E290" in strict.output
    check = CliRunner().invoke(
        cli, ["check", str(folder), "--build-dir", str(tmp_path / "out"), "--only", "pdf"]
    )
    assert check.exit_code == 1
    assert re.search(r"pdf\.missing-glyph.*U\+1E290", " ".join(check.output.split()))


@pytest.fixture(scope="module")
def arabic(tmp_path_factory) -> Path:
    folder = write(
        tmp_path_factory.mktemp("ar") / "m",
        f"# الديباجة\n\n{ARABIC}، *وبحقوقهم المتساوية الثابتة* هو أساس الحرية.\n",
        "ar",
        "الإعلان العالمي لحقوق الإنسان",
    )
    out = folder.parent / "out"
    result = build(folder, out)
    assert result.exit_code == 0, result.output
    return out


def test_the_arabic_pdf_embeds_its_face_and_slants_nothing(arabic):
    pdf = next(p for p in arabic.glob("*.pdf") if not p.stem.endswith(("-booklet", "-cover")))
    with pymupdf.open(pdf) as document:
        fonts = {font[3].split("+", 1)[-1] for page in document for font in page.get_fonts()}
        spans = [
            span
            for page in document
            for block in page.get_text("dict")["blocks"]
            for line in block.get("lines", [])
            for span in line["spans"]
        ]
    assert any(name.startswith("Amiri") for name in fonts), fonts
    assert not any("Italic" in name or "Slanted" in name or "Oblique" in name for name in fonts)
    assert any(span["font"] == "Amiri-Bold" and "بحقوقهم" in span["text"] for span in spans)
    if shutil.which("pdffonts"):
        listing = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
        rows = [line.split() for line in listing.splitlines()[2:]]
        assert rows and all(row[-5:-3] == ["yes", "yes"] for row in rows), listing


def test_the_epub_and_web_page_name_the_same_faces(arabic):
    html = next(arabic.glob("*.html")).read_text(encoding="utf-8")
    assert 'font-family: "Amiri", "Noto Naskh Arabic", serif' in html
    with zipfile.ZipFile(next(arabic.glob("*.epub"))) as epub:
        css = epub.read("EPUB/styles/epub.css").decode("utf-8")
    assert 'font-family: "Amiri", "Noto Naskh Arabic", serif' in css
    assert "font-style: normal !important" in css
