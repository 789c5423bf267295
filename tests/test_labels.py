"""The words the pipeline writes itself, in each language the shared labels cover, and the
citation style's terms in the manuscript's language."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path
from string import Formatter

import lxml.etree
import lxml.html
import pymupdf
import pytest
import yaml

from pipeline.build import build
from pipeline.document import parse
from pipeline.labels import ALIASES, FALLBACK, LABELS, candidates, load_labels
from pipeline.layout.markup import XREF_PAGE
from pipeline.layout.markup import body as print_body
from pipeline.manuscript import load_manuscript
from tests.conftest import ROOT

LABELS_DIR = ROOT / "styles" / LABELS
ENGLISH = yaml.safe_load((LABELS_DIR / f"{FALLBACK}.yaml").read_text(encoding="utf-8"))
LANGUAGES = (
    "fr", "de", "es", "it", "pt", "ru", "tr", "ar", "fa", "hi", "bn",
    "zh-Hans", "zh-Hant", "ja", "ko", "he", "ur", "th", "vi", "el",
)  # fmt: skip
LANGUAGE_FILES = sorted(p for p in LABELS_DIR.glob("*.yaml") if p.stem not in (FALLBACK, ALIASES))
ALIKE = {
    "list_separator",
    "summary_separator",
    "cover_isbn",
    "colophon_isbn",
    "colophon_ebook_isbn",
    "pages",
    "colophon",
    "note",
    "xref_page",
}
"""The words a language may write as English does ("Note 1", "ISBN …"); any other word the
same as in English is a word left untranslated."""
NS = {
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "opf": "http://www.idpf.org/2007/opf",
}


def placeholders(label: str) -> list[str]:
    return sorted(field for _, field, _, _ in Formatter().parse(label) if field is not None)


def words(path: Path) -> dict[str, str]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), path
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()), path
    return data


@pytest.mark.parametrize("path", LANGUAGE_FILES, ids=lambda p: p.stem)
def test_a_language_file_has_english_keys_only_and_keeps_their_placeholders(path):
    translated = words(path)
    assert set(translated) <= set(ENGLISH), set(translated) - set(ENGLISH)
    for key, label in translated.items():
        assert placeholders(label) == placeholders(ENGLISH[key]), (key, label)


@pytest.mark.parametrize("tag", LANGUAGES)
def test_each_shipped_language_has_every_english_word(tag):
    translated = words(LABELS_DIR / f"{tag}.yaml")
    assert set(translated) == set(ENGLISH)
    same = {key for key, label in translated.items() if label == ENGLISH[key]}
    assert same <= ALIKE, same


def test_the_typeface_line_names_the_face_it_is_given():
    assert ENGLISH["typeface"] == "Set in {typeface}."


@pytest.mark.parametrize(
    ("lang", "tag", "contents"),
    [
        ("zh", "zh-Hans", "目录"),
        ("zh-CN", "zh-Hans", "目录"),
        ("zh-SG", "zh-Hans", "目录"),
        ("zh-Hans-CN", "zh-Hans", "目录"),
        ("zh-TW", "zh-Hant", "目錄"),
        ("zh-HK", "zh-Hant", "目錄"),
        ("zh-MO", "zh-Hant", "目錄"),
        ("zh-hant-tw", "zh-Hant", "目錄"),
        ("pt-BR", "pt", "Índice"),
        ("fr-CA", "fr", "Table des matières"),
    ],
)
def test_a_tag_finds_the_file_of_its_language_and_script(small_copy, lang, tag, contents):
    labels = load_labels(load_manuscript(small_copy), lang)
    assert (labels.lang, labels.fell_back) == (tag, False)
    assert labels["contents"] == contents


def test_the_script_a_tag_implies_comes_from_the_aliases_file():
    aliases = {"zh": "zh-Hans", "zh-TW": "zh-Hant"}
    assert candidates("zh", aliases) == ["zh", "zh-Hans"]
    assert candidates("zh-TW", aliases) == ["zh-TW", "zh-Hant", "zh"]
    assert candidates("zh-TW") == ["zh-TW", "zh"]
    assert candidates("zh-Hant-TW", aliases) == ["zh-Hant-TW", "zh-Hant", "zh"]
    assert candidates("en-GB", aliases) == ["en-GB", "en"]


def test_a_manuscripts_own_aliases_override_the_shared_ones(small_copy):
    own = small_copy / "styles" / LABELS
    own.mkdir(parents=True)
    (own / f"{ALIASES}.yaml").write_text("zh: zh-Hant\n", encoding="utf-8")
    assert load_labels(load_manuscript(small_copy), "zh").lang == "zh-Hant"


# A tiny manuscript: two sections, notes, a repeated citation (ibid), an edited volume,
# an undated book and an article in a numbered issue, so that the citation style writes
# its terms; no reference-section-title, so the bibliography's heading is the label's.
TEXT = """# Première partie {#premiere}

Un paragraphe qui cite un ouvrage [@lenin-cw33, 264] et encore [@lenin-cw33, 265].

Un autre paragraphe [@carr-interregnum, 12] avec une note.[^a] Voir la [suite](#suite).

[^a]: Le texte de la note [@doe-article].

# Deuxième partie {#suite}

Fin du texte [@carr-interregnum].
"""
REFERENCES = """@incollection{lenin-cw33,
  author = {Lenin, V. I.}, title = {Political Report}, booktitle = {Collected Works},
  editor = {Smith, John}, volume = {33}, publisher = {Progress Publishers},
  location = {Moscow}, date = {1965},
}
@book{carr-interregnum,
  author = {Carr, E. H.}, title = {The Interregnum}, publisher = {Macmillan},
  location = {London},
}
@article{doe-article,
  author = {Doe, Jane}, title = {Un article}, journaltitle = {International Review},
  number = {9}, date = {1977},
}
"""


def tiny_manuscript(folder: Path, lang: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "metadata.yaml").write_text(
        f"title: Un petit pamphlet\nauthor:\n  - Ada Écrivain\n  - Jean Dupont\nlang: {lang}\n"
        "slug: tiny\nbibliography: references.bib\ncsl: chicago-notes\nprint:\n  toc: true\n",
        encoding="utf-8",
    )
    (folder / "text.md").write_text(TEXT, encoding="utf-8")
    (folder / "references.bib").write_text(REFERENCES, encoding="utf-8")
    return folder


_BUILDS: dict[str, dict[str, Path]] = {}


def built(lang: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every edition of the tiny manuscript in ``lang``, built once for this module."""
    if lang not in _BUILDS:
        root = tmp_path_factory.mktemp(f"labels-{lang}")
        manuscript = tiny_manuscript(root / "manuscript", lang)
        editions = build(manuscript, out_dir=root / "build")
        _BUILDS[lang] = {edition.name: edition.path for edition in editions}
    return _BUILDS[lang]


@pytest.fixture(scope="module", params=["fr", "ja"])
def editions(request, tmp_path_factory) -> tuple[str, dict[str, Path]]:
    """Every edition of the tiny manuscript, in French and in Japanese."""
    return request.param, built(request.param, tmp_path_factory)


@pytest.fixture(scope="module")
def french(tmp_path_factory) -> dict[str, Path]:
    return built("fr", tmp_path_factory)


def expected(lang: str) -> dict[str, str]:
    return words(LABELS_DIR / f"{lang}.yaml")


def pdf_text(path: Path) -> str:
    with pymupdf.open(path) as pdf:
        return "\n".join(page.get_text() for page in pdf)


def test_the_web_page_is_in_the_manuscripts_language(editions):
    lang, files = editions
    want = expected(lang)
    page = lxml.html.fromstring(files["html"].read_bytes())
    assert page.get("lang") == lang
    assert page.xpath("string(//h2[@id='contents-title'])") == want["contents"]
    assert page.xpath("string(//h2[@id='bibliography-title'])") == want["bibliography"]
    assert page.xpath("string(//a[@class='skip-link'])") == want["skip_to_text"]
    call = page.xpath("//a[@role='doc-noteref']")[0]
    assert call.get("aria-label") == want["note"].format(number=1)
    back = page.xpath("//aside[@role='doc-footnote']//a[@role='doc-backlink']")[0]
    assert back.get("aria-label") == want["back_to_note"].format(number=1)
    cited = " ".join(page.xpath("//span[@class='cited-in']")[0].text_content().split())
    prefix = want["cited_in_notes"].split("{notes}")[0].replace("\u00a0", " ").strip()
    assert cited.startswith(prefix), cited
    authors = page.xpath("string(//header//p[@class='author'])")
    assert authors == want["list_separator"].join(["Ada Écrivain", "Jean Dupont"])


def test_the_epub_navigation_and_landmarks_are_in_the_manuscripts_language(editions):
    lang, files = editions
    want = expected(lang)
    with zipfile.ZipFile(io.BytesIO(files["epub"].read_bytes())) as archive:
        nav = lxml.etree.fromstring(archive.read("EPUB/nav.xhtml"))
        opf = lxml.etree.fromstring(archive.read("EPUB/content.opf"))
        bibliography = lxml.etree.fromstring(archive.read("EPUB/text/bibliography.xhtml"))
        chapter = lxml.etree.fromstring(archive.read("EPUB/text/chapter-01.xhtml"))
    assert nav.xpath("string(//x:h1[@id='toc-title'])", namespaces=NS) == want["contents"]
    marks = nav.xpath("//x:nav[@epub:type='landmarks']//x:a/text()", namespaces=NS)
    assert marks == [
        want["cover"],
        want["title_page"],
        want["contents"],
        want["start_of_text"],
        want["bibliography"],
    ]
    assert (
        nav.xpath("string(//x:nav[@epub:type='landmarks']/x:h2)", namespaces=NS)
        == (want["landmarks"])
    )
    guide = opf.xpath("//opf:guide/opf:reference/@title", namespaces=NS)
    assert guide == marks
    assert bibliography.xpath("string(//x:h1)", namespaces=NS) == want["bibliography"]
    back = chapter.xpath("//x:aside//x:a[@role='doc-backlink']", namespaces=NS)[0]
    assert back.get("aria-label") == want["back_to_note"].format(number=1)
    summary = opf.xpath(
        "string(//opf:meta[@property='schema:accessibilitySummary'])", namespaces=NS
    )
    assert summary.startswith(want["summary_reflowable"])


def test_the_print_editions_headings_and_colophon_are_in_the_manuscripts_language(editions):
    lang, files = editions
    want = expected(lang)
    for name in ("pdf", "booklet"):
        text = pdf_text(files[name])
        assert want["contents"] in text, name
        assert want["bibliography"] in text, name
        assert want["typeface"].split("{typeface}")[0].strip() in text, name
        assert "Contents" not in text and "Bibliography" not in text, name
    assert "Un petit pamphlet" in pdf_text(files["cover"])


def test_a_french_manuscript_gets_the_citation_styles_french_terms(french):
    page = lxml.html.fromstring(french["html"].read_bytes())
    notes = [
        " ".join(n.text_content().split()) for n in page.xpath("//aside[@role='doc-footnote']")
    ]
    assert "éd. par John Smith" in notes[0] and "vol. 33" in notes[0]
    assert notes[1].startswith("2 Ibid.")
    assert "s. d." in notes[2]
    assert "« Un article »" in notes[3].replace("\u202f", " ").replace("\u00a0", " ")
    entries = " ".join(page.xpath("string(//section[@id='bibliography'])").split())
    assert "édité par John Smith" in entries


def test_a_german_manuscript_gets_the_citation_styles_german_terms(tmp_path):
    document = parse(load_manuscript(tiny_manuscript(tmp_path / "de", "de")))
    notes = [note.text for note in document.notes]
    assert "hg. von John Smith" in notes[0] and "Bd. 33" in notes[0]
    assert notes[1].startswith("Ebd.")
    assert "o. J." in notes[2]
    assert "Nr. 9" in notes[3]


def test_a_cross_reference_carries_the_words_round_its_page_number(tmp_path):
    manuscript = tiny_manuscript(tmp_path / "fr", "fr")
    tree = lxml.html.fromstring(print_body(parse(load_manuscript(manuscript))))
    link = tree.xpath("//a[contains(@class, 'xref')]")[0]
    before, after = words(LABELS_DIR / "fr.yaml")["xref_page"].split("{page}")
    assert (link.get(XREF_PAGE[0]), link.get(XREF_PAGE[1])) == (before, after)


def test_a_label_may_be_left_out_and_comes_from_english(tmp_path, small_copy):
    styles = tmp_path / "styles"
    shutil.copytree(ROOT / "styles", styles)
    (styles / LABELS / "fr.yaml").write_text("contents: Sommaire\n", encoding="utf-8")
    labels = load_labels(load_manuscript(small_copy, styles), "fr")
    assert labels["contents"] == "Sommaire"
    assert labels["bibliography"] == ENGLISH["bibliography"]
