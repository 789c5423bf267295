"""Typography that follows the language: French spacing, quotation marks in the lint rules,
hyphenation and emphasis in the faces' rules."""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest

from pipeline.checks.run import run_checks
from pipeline.document import parse
from pipeline.manuscript import load_manuscript
from pipeline.typefaces import faces_css
from pipeline.typography import NARROW, NO_BREAK, french, space_punctuation


def write(folder: Path, text: str, lang: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "metadata.yaml").write_text(f"title: T\nlang: {lang}\n", encoding="utf-8")
    (folder / "text.md").write_text(text, encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("typed", "set_as"),
    [
        ("Quoi ? Vraiment !", f"Quoi{NARROW}? Vraiment{NARROW}!"),
        ("Quoi? Vraiment!", f"Quoi{NARROW}? Vraiment{NARROW}!"),
        ("Il dit : « bonjour ».", f"Il dit{NO_BREAK}: «{NARROW}bonjour{NARROW}»."),
        ("«Oui» ; non", f"«{NARROW}Oui{NARROW}»{NARROW}; non"),
        ("Quoi?!", f"Quoi{NARROW}?!"),
        ("à 10:30, voir http://exemple.fr", "à 10:30, voir http://exemple.fr"),
    ],
)
def test_french_spacing(typed, set_as):
    assert french(typed) == set_as


def test_french_spacing_spares_code_and_links():
    body = lxml.html.fragment_fromstring(
        "<p>Voir <code>a ? b : c</code> et <a href='x'>x ?</a> <em>là</em>?</p>",
        create_parent="div",
    )
    space_punctuation(body, "french")
    assert body.find(".//code").text == "a ? b : c"
    assert body.find(".//a").text == "x ?"
    assert body.find(".//em").tail == f"{NARROW}?"


def test_a_french_manuscript_gets_its_spacing_in_the_document(tmp_path):
    folder = write(
        tmp_path / "fr", "Est-ce vrai ? Il a dit : «oui».[^1]\n\n[^1]: Vraiment !\n", "fr"
    )
    document = parse(load_manuscript(folder))
    text = document.body.text_content()
    assert (
        f"vrai{NARROW}?" in text and f"dit{NO_BREAK}:" in text and f"«{NARROW}oui{NARROW}»" in text
    )
    assert f"Vraiment{NARROW}!" in lxml.html.fromstring(document.notes[0].html).text_content()


def test_an_english_manuscript_keeps_its_spaces(tmp_path):
    document = parse(load_manuscript(write(tmp_path / "en", "Is it true ? Yes !\n", "en")))
    assert "true ? Yes !" in document.body.text_content()


def quote_findings(folder: Path) -> list[str]:
    report = run_checks(folder, folder / "build", ["manuscript"])
    return [f.message for f in report.findings if f.rule == "manuscript.unbalanced-quotes"]


@pytest.mark.parametrize(
    ("lang", "balanced", "unbalanced", "missing"),
    [
        ("de", "Er sagte „ja“ und ging.", "Er sagte „ja und ging.", "a closing “"),
        ("ru", "Он сказал «да» и ушёл.", "Он сказал «да и ушёл.", "a closing »"),
        ("fr", "Il a dit « oui » puis « non ».", "Il a dit oui » puis.", "an opening «"),
        ("ja", "彼は「はい」と言った。", "彼は「はいと言った。", "a closing 」"),
        ("en", "She said “yes” and left.", "She said “yes and left.", "a closing ”"),
    ],
)
def test_the_quote_rule_follows_the_language(tmp_path, lang, balanced, unbalanced, missing):
    assert quote_findings(write(tmp_path / "ok", balanced + "\n", lang)) == []
    found = quote_findings(write(tmp_path / "bad", unbalanced + "\n", lang))
    assert found == [f"quotation marks do not pair up ({missing} is missing)"]


def test_the_straight_quote_rule_names_the_languages_marks(tmp_path):
    report = run_checks(
        write(tmp_path / "de", 'Er sagte "ja".\n', "de"), tmp_path / "b", ["manuscript"]
    )
    messages = [f.message for f in report.findings if f.rule == "manuscript.straight-quote"]
    assert messages == ["straight quotation mark or apostrophe; use „ “ ‚ ‘ or ’"]


@pytest.mark.parametrize(
    ("lang", "text", "hyphenated", "slanted"),
    [
        ("en", "Words.", True, True),
        ("ru", "Слова.", True, True),
        ("zh", "文字。", False, False),
        ("ja", "文字。", False, False),
        ("ar", "كلمات.", False, False),
    ],
)
def test_hyphenation_and_emphasis_follow_the_script(tmp_path, lang, text, hyphenated, slanted):
    document = parse(load_manuscript(write(tmp_path / lang, text + "\n", lang)))
    css = faces_css(document.manuscript, document.typefaces, print_edition=True)
    assert ("hyphens: manual !important" not in css) == hyphenated
    assert ("font-style: normal !important" not in css) == slanted


CHINESE = (
    "鉴于对人类家庭所有成员的固有尊严及其平等的和不移的权利的承认，乃是世界自由、正义与和平的基础，"
    "鉴于对人权的无视和侮蔑已发展为野蛮暴行，这些暴行玷污了人类的良心，而一个人人享有言论和信仰自由"
    "并免予恐惧和匮乏的世界的来临，已被宣布为普通人民的最高愿望，鉴于为使人类不致迫不得已铤而走险对"
    "暴政和压迫进行反叛，有必要使人权受法治的保护，鉴于有必要促进各国间友好关系的发展，"
)
CLOSING = "，。、；：！？」』）》〉"


def test_chinese_lines_never_start_with_closing_punctuation(tmp_path):
    import pymupdf

    from pipeline.build import build

    folder = write(tmp_path / "zh", "# 序言\n\n" + CHINESE * 3 + "\n", "zh")
    build(folder, formats=["pdf"], out_dir=tmp_path / "out")
    pdf = next((tmp_path / "out").glob("*.pdf"))
    with pymupdf.open(pdf) as document:
        lines = [
            "".join(span["text"] for span in line["spans"]).strip()
            for page in document
            for block in page.get_text("dict")["blocks"]
            for line in block.get("lines", [])
        ]
    body = [line for line in lines if len(line) > 10]
    assert len(body) > 10
    assert [line for line in body if line[0] in CLOSING] == []
