"""Each edition and cross-edition rule fires when a built edition is broken on purpose."""

import shutil
import zipfile
from pathlib import Path

import pymupdf
import pytest

from pipeline.build import build
from pipeline.checks.registry import all_rules
from tests.checks.helpers import fired
from tests.conftest import SMALL

SLUG = "small-pamphlet"


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("pristine")
    build(SMALL, out_dir=out)
    return out


@pytest.fixture
def built(pristine, tmp_path) -> Path:
    """A private copy of the small fixture's editions, for a test to break."""
    out = tmp_path / "build"
    shutil.copytree(pristine, out)
    return out


def edit_text(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def edit_epub(path: Path, member_suffix: str, old: str, new: str) -> None:
    with zipfile.ZipFile(path) as archive:
        members = [(info, archive.read(info.filename)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w") as archive:
        for info, data in members:
            if info.filename.endswith(member_suffix):
                text = data.decode("utf-8")
                assert old in text, old
                data = text.replace(old, new, 1).encode("utf-8")
            archive.writestr(info, data)


def edit_pdf(path: Path, change) -> None:
    with pymupdf.open(path) as pdf:
        change(pdf)
        pdf.save(path.with_suffix(".tmp.pdf"))
    path.with_suffix(".tmp.pdf").replace(path)


def html(out: Path) -> Path:
    return out / f"{SLUG}.html"


def epub(out: Path) -> Path:
    return out / f"{SLUG}.epub"


def pdf(out: Path) -> Path:
    return out / f"{SLUG}.pdf"


def add_helvetica(document) -> None:
    document[1].insert_text((60, 100), "Stray words", fontname="helv", fontsize=10)


def add_stray_note(document) -> None:
    page = document[2]  # the first text page, after the title page and the colophon
    page.insert_text((48, page.rect.height - 60), "9. A note nobody calls.", fontname="helv")


def drop_structure(document) -> None:
    document.xref_set_key(document.pdf_catalog(), "StructTreeRoot", "null")


def redact_note_word(document) -> None:
    for page in document:
        for hit in page.search_for("written by hand"):
            page.add_redact_annot(hit)
        page.apply_redactions()


def enlarge_page(document) -> None:
    document[1].set_mediabox(pymupdf.Rect(0, 0, 595, 842))


def text_in_margin(document) -> None:
    page = document[1]
    page.insert_text((page.rect.width - 25, 200), "overrun", fontname="helv", fontsize=8)


def booklet(out: Path) -> Path:
    return out / f"{SLUG}-booklet.pdf"


BREAKAGES = {
    "cross.note-text": (
        lambda out: edit_text(html(out), "The first note, written by hand.", "A changed note."),
        "html note 1",
    ),
    "cross.note-count": (
        lambda out: edit_epub(
            epub(out), "opening.xhtml", 'epub:type="footnote"', 'data-x="footnote"'
        ),
        "epub",
    ),
    "cross.bibliography": (
        lambda out: edit_text(html(out), "London: Penguin, 1976.", "London: Verso, 1976."),
        "html",
    ),
    "cross.headings": (
        lambda out: edit_text(html(out), ">The second section</h2>", ">Another</h2>"),
        "html",
    ),
    "cross.word-count": (
        lambda out: edit_text(html(out), "</main>", "<p>" + "padding words " * 20 + "</p></main>"),
        "html",
    ),
    "html.internal-links": (
        lambda out: edit_text(html(out), "</main>", '<p><a href="#nowhere">x</a></p></main>'),
        "line",
    ),
    "html.note-links": (
        lambda out: edit_text(html(out), 'href="#fnref2"', 'href="#elsewhere"'),
        "line",
    ),
    "html.nu-error": (
        lambda out: edit_text(
            html(out), "</main>", "<p><div>block in a paragraph</div></p></main>"
        ),
        "line",
    ),
    "html.image-alt": (
        lambda out: edit_text(html(out), "</main>", '<p><img src="x.png"></p></main>'),
        "line",
    ),
    "epub.epubcheck-error": (
        lambda out: edit_epub(
            epub(out), "chapter-01.xhtml", "</blockquote>", "<bogus/></blockquote>"
        ),
        "chapter-01.xhtml",
    ),
    "epub.footnote-backlinks": (
        lambda out: edit_epub(epub(out), "chapter-01.xhtml", 'href="#fnref2"', 'href="#gone"'),
        "chapter-01.xhtml",
    ),
    "epub.nav-headings": (
        lambda out: edit_epub(epub(out), "nav.xhtml", ">The second section<", ">Renamed<"),
        "nav.xhtml",
    ),
    "pdf.fonts-embedded": (lambda out: edit_pdf(pdf(out), add_helvetica), "Helvetica"),
    "pdf.font-family": (lambda out: edit_pdf(pdf(out), add_helvetica), "Helvetica"),
    "pdf.tagged": (lambda out: edit_pdf(pdf(out), drop_structure), "catalog"),
    "pdf.bookmarks": (lambda out: edit_pdf(pdf(out), lambda d: d.set_toc([])), "outline"),
    "pdf.note-on-call-page": (lambda out: edit_pdf(pdf(out), add_stray_note), "page 3"),
    "pdf.note-text": (lambda out: edit_pdf(pdf(out), redact_note_word), "note 1"),
    "pdf.page-size": (lambda out: edit_pdf(pdf(out), enlarge_page), "page 2"),
    "pdf.text-block": (lambda out: edit_pdf(pdf(out), text_in_margin), "page 2"),
    "booklet.page-count": (
        lambda out: edit_pdf(booklet(out), lambda d: d.delete_page(0)),
        "booklet",
    ),
}


@pytest.mark.parametrize("rule_id", BREAKAGES)
def test_rule_fires_on_a_broken_edition(rule_id, built):
    assert rule_id not in fired(SMALL, rule_id.split(".")[0], build_dir=built)
    breaker, place = BREAKAGES[rule_id]
    breaker(built)
    places = fired(SMALL, rule_id.split(".")[0], build_dir=built).get(rule_id, [])
    assert any(place in p for p in places), places


def test_every_edition_rule_has_a_breakage():
    edition_rules = {
        rid
        for rid, r in all_rules().items()
        if r.subject in ("pdf", "booklet", "epub", "html", "cross")
    }
    untested = edition_rules - set(BREAKAGES) - UNTESTED_HERE
    assert not untested


UNTESTED_HERE = {
    "epub.epubcheck-warning",
    "html.nu-warning",
    "epub.accessibility-metadata",
    "epub.page-list",
}


def test_numbered_lists_do_not_count_as_extra_words(tmp_path):
    from tests.checks.helpers import manuscript

    items = "".join(f"{n}.  Item number {n} of the list.\n" for n in range(1, 40))
    folder = manuscript(tmp_path / "m", f"# A list\n\n{items}\nAnd a closing line.\n")
    build(folder, ["pdf", "html"], tmp_path / "out")
    assert "cross.word-count" not in fired(folder, "cross", build_dir=tmp_path / "out")
