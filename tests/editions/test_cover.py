"""The printed cover: its size (with the spine a perfect binding adds), bleed and crop marks,
the barcode read back from a rendering of it, and the identifiers every edition carries.

The barcode is decoded by zbar (Debian's zbar-tools, ``zbarimg``) from the cover drawn by
Poppler at 300 dpi, as a scanner at a till would read the printed sheet.
"""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import lxml.etree
import pymupdf
import pytest
from click.testing import CliRunner

from pipeline.book_identifiers import bare_isbn, identifiers
from pipeline.build import build
from pipeline.cli import cli
from pipeline.document import parse
from pipeline.editions.cover import BLEED_MM, cover_pdf, spine_width_mm
from pipeline.errors import PipelineError
from pipeline.manuscript import load_manuscript
from pipeline.metadata import load_metadata
from pipeline.templates import render
from tests.conftest import ILLUSTRATED, SMALL

MM = 72 / 25.4
A5 = (148 * MM, 210 * MM)
PRINT_ISBN, PRINT_DIGITS = "978-1-4028-9462-6", "9781402894626"
EBOOK_ISBN, EBOOK_DIGITS = "978-1-4028-9463-3", "9781402894633"
OPF = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}


def manuscript_copy(source: Path, target: Path, extra: str, **print_options: object) -> Path:
    """A copy of ``source`` with ``extra`` metadata lines and ``print`` options added."""
    shutil.copytree(source, target)
    metadata = target / "metadata.yaml"
    text = metadata.read_text(encoding="utf-8").rstrip("\n") + "\n" + extra
    if print_options:
        text += "print:\n" + "".join(f"  {k}: {v}\n" for k, v in print_options.items())
    metadata.write_text(text, encoding="utf-8")
    return target


def boxes(source: Path | bytes) -> list[dict[str, pymupdf.Rect]]:
    """Each page's MediaBox, BleedBox and TrimBox as the PDF writes them, in points."""
    opened = pymupdf.open(stream=source) if isinstance(source, bytes) else pymupdf.open(source)
    with opened as pdf:
        return [
            {
                name: pymupdf.Rect(
                    [float(v) for v in pdf.xref_get_key(page.xref, key)[1].strip("[]").split()]
                )
                for name, key in (("media", "MediaBox"), ("bleed", "BleedBox"), ("trim", "TrimBox"))
            }
            for page in pdf
        ]


def trim_on_page(page: pymupdf.Page) -> pymupdf.Rect:
    """The TrimBox in PyMuPDF's page coordinates (origin at the MediaBox's top left)."""
    media, trim = (
        [float(v) for v in page.parent.xref_get_key(page.xref, key)[1].strip("[]").split()]
        for key in ("MediaBox", "TrimBox")
    )
    return pymupdf.Rect(
        trim[0] - media[0], media[3] - trim[3], trim[2] - media[0], media[3] - trim[1]
    )


def decoded_barcodes(pdf: Path, folder: Path) -> list[str]:
    """What zbarimg reads off the cover's first page drawn at 300 dpi."""
    stem = folder / "cover-300dpi"
    subprocess.run(
        ["pdftoppm", "-r", "300", "-png", "-f", "1", "-l", "1", "-singlefile", str(pdf), stem],
        check=True,
    )
    found = subprocess.run(
        ["zbarimg", "--quiet", "--raw", f"{stem}.png"], capture_output=True, text=True
    )
    return found.stdout.split()


@pytest.fixture(scope="module")
def illustrated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every edition of the illustrated fixture (which has an ISBN and a cover image)."""
    out = tmp_path_factory.mktemp("cover-illustrated")
    return {e.name: e.path for e in build(ILLUSTRATED, out_dir=out)}


@pytest.fixture(scope="module")
def own_ebook_isbn(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The illustrated fixture with an e-book ISBN of its own, perfect bound on
    thick card so that its spine has room for words."""
    folder = tmp_path_factory.mktemp("cover-ebook-isbn")
    source = manuscript_copy(
        ILLUSTRATED,
        folder / "src",
        f"isbn-epub: {EBOOK_ISBN}\n",
        binding="perfect",
        **{"paper-caliper": "1.5mm"},
    )
    return {e.name: e.path for e in build(source, ["pdf", "cover", "epub"], out_dir=folder / "b")}


@pytest.fixture(scope="module")
def perfect_small(tmp_path_factory: pytest.TempPathFactory):
    """The small fixture, parsed, perfect bound on paper 0.12 mm thick."""
    folder = tmp_path_factory.mktemp("cover-perfect")
    source = manuscript_copy(
        SMALL, folder / "small", "", binding="perfect", **{"paper-caliper": "0.12mm"}
    )
    return parse(load_manuscript(source))


def test_a_saddle_stitched_cover_is_outside_and_inside_two_pages_wide(illustrated):
    pages = boxes(illustrated["cover"])
    assert len(pages) == 2
    for page in pages:
        assert page["trim"].width == pytest.approx(2 * A5[0], abs=0.05)
        assert page["trim"].height == pytest.approx(A5[1], abs=0.05)


@pytest.mark.parametrize("page_count", [48, 121])
def test_the_spine_of_a_perfect_binding_is_half_the_pages_times_the_caliper(
    perfect_small, page_count
):
    leaves = -(-page_count // 2)
    spine = leaves * 0.12
    (page,) = boxes(cover_pdf(perfect_small, page_count))
    assert page["trim"].width == pytest.approx(2 * A5[0] + spine * MM, abs=0.05)
    assert page["trim"].height == pytest.approx(A5[1], abs=0.05)


def test_pages_per_inch_give_the_spine_too(tmp_path):
    source = manuscript_copy(
        SMALL, tmp_path / "s", "", binding="perfect", **{"pages-per-inch": 400}
    )
    meta = load_metadata(source / "metadata.yaml")
    assert spine_width_mm(meta, 200) == pytest.approx(12.7)
    assert spine_width_mm(meta, 100) == pytest.approx(6.35)


def test_every_page_has_three_millimetres_of_bleed_and_room_for_crop_marks(illustrated):
    for page in boxes(illustrated["cover"]):
        bleed, trim, media = page["bleed"], page["trim"], page["media"]
        assert trim.x0 - bleed.x0 == pytest.approx(BLEED_MM * MM, abs=0.05)
        assert bleed.x1 - trim.x1 == pytest.approx(BLEED_MM * MM, abs=0.05)
        assert trim.y0 - bleed.y0 == pytest.approx(BLEED_MM * MM, abs=0.05)
        assert bleed.y1 - trim.y1 == pytest.approx(BLEED_MM * MM, abs=0.05)
        assert media.contains(bleed) and media.width > bleed.width + 2 * MM


def test_crop_marks_stand_at_the_trim_lines_outside_the_bleed(illustrated):
    with pymupdf.open(illustrated["cover"]) as pdf:
        page = pdf[1]
        trim = trim_on_page(page)
        lines = [d for d in page.get_drawings() if d.get("color") is not None]
    xs = {round(item[1].x, 1) for d in lines for item in d["items"] if item[0] == "l"}
    assert round(trim.x0, 1) in xs and round(trim.x1, 1) in xs


def test_the_barcode_read_back_from_the_cover_is_the_isbn(illustrated, tmp_path):
    assert decoded_barcodes(illustrated["cover"], tmp_path) == [PRINT_DIGITS]


def test_the_isbn_is_printed_above_its_barcode(illustrated):
    with pymupdf.open(illustrated["cover"]) as pdf:
        text = pdf[0].get_text()
    assert f"ISBN {PRINT_ISBN}" in text


def test_the_back_carries_the_description_and_the_front_the_cover_image(illustrated):
    with pymupdf.open(illustrated["cover"]) as pdf:
        page = pdf[0]
        trim = trim_on_page(page)
        middle = trim.x0 + trim.width / 2
        back = page.get_text(clip=pymupdf.Rect(page.rect.x0, page.rect.y0, middle, page.rect.y1))
        images = [page.get_image_rects(xref)[0] for xref, *_ in page.get_images()]
    assert "Short notes on how a small press sets" in " ".join(back.split())
    fronts = [r for r in images if r.x0 >= middle - 1]
    assert fronts and fronts[0].width >= A5[0] - 1


def test_a_cover_without_an_image_is_typographic_with_the_title_on_the_spine(own_ebook_isbn):
    path = own_ebook_isbn["cover"]
    with pymupdf.open(path) as pdf:
        (page,) = list(pdf)
        trim = trim_on_page(page)
        spine = pymupdf.Rect(trim.x0 + A5[0], trim.y0, trim.x1 - A5[0], trim.y1)
        lines = [
            line
            for block in page.get_text("dict", clip=spine)["blocks"]
            for line in block.get("lines", [])
        ]
    assert spine.width > 0
    words = " ".join(span["text"] for line in lines for span in line["spans"])
    assert "The Workshop by the Canal" in words
    assert all(line["dir"] == pytest.approx((0, 1)) for line in lines)


def test_a_spine_too_narrow_for_words_is_left_bare(perfect_small, caplog):
    with caplog.at_level("WARNING"):
        (page,) = boxes(cover_pdf(perfect_small, 20))
    assert "too narrow for its title" in caplog.text
    assert page["trim"].width == pytest.approx(2 * A5[0] + 10 * 0.12 * MM, abs=0.05)


def test_a_bad_isbn_is_an_error_naming_the_file_and_line(tmp_path):
    source = manuscript_copy(SMALL, tmp_path / "s", "isbn: 978-1-4028-9462-7\n")
    with pytest.raises(PipelineError) as error:
        load_metadata(source / "metadata.yaml")
    line = (
        source.joinpath("metadata.yaml").read_text().splitlines().index("isbn: 978-1-4028-9462-7")
        + 1
    )
    assert error.value.line == line
    assert error.value.path == source / "metadata.yaml"
    assert "check digit" in error.value.message
    result = CliRunner().invoke(cli, ["build", str(source), "--output-dir", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert f"metadata.yaml:{line}:" in result.output


@pytest.mark.parametrize("key", ["isbn", "isbn-epub"])
def test_an_isbn_of_the_wrong_length_is_an_error(tmp_path, key):
    source = manuscript_copy(SMALL, tmp_path / "s", f"{key}: 978-1-4028\n")
    with pytest.raises(PipelineError, match=f"'{key}'.*13 digits"):
        load_metadata(source / "metadata.yaml")


def test_an_unknown_binding_is_an_error_naming_its_line(tmp_path):
    source = manuscript_copy(SMALL, tmp_path / "s", "", binding="spiral")
    document = parse(load_manuscript(source))
    with pytest.raises(PipelineError, match=r"'print\.binding' must be saddle or perfect") as error:
        cover_pdf(document, 24)
    assert error.value.line == len(source.joinpath("metadata.yaml").read_text().splitlines())


def test_the_cover_is_the_same_bytes_when_built_again(perfect_small, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert cover_pdf(perfect_small, 64) == cover_pdf(perfect_small, 64)


def epub_identifiers(path: Path) -> tuple[str, list[str]]:
    with zipfile.ZipFile(path) as archive:
        opf = lxml.etree.fromstring(archive.read("EPUB/content.opf"))
    identifier = opf.xpath("//dc:identifier/text()", namespaces=OPF)[0]
    return identifier, opf.xpath("//dc:source/text()", namespaces=OPF)


def pdf_info(path: Path) -> dict[str, str]:
    """The ISBN and e-book identifier in the PDF's document information."""
    with pymupdf.open(path) as pdf:
        kind, reference = pdf.xref_get_key(-1, "Info")
        assert kind == "xref"
        info = int(reference.split()[0])
        return {key: pdf.xref_get_key(info, key)[1] for key in ("ISBN", "EbookIdentifier")}


def print_colophon(path: Path) -> str:
    with pymupdf.open(path) as pdf:
        return " ".join(pdf[1].get_text().split())


def test_the_identifiers_agree_across_colophon_epub_cover_and_barcode(illustrated, tmp_path):
    assert f"ISBN {PRINT_ISBN}" in print_colophon(illustrated["pdf"])
    assert epub_identifiers(illustrated["epub"]) == (f"urn:isbn:{PRINT_DIGITS}", [])
    info = pdf_info(illustrated["cover"])
    assert info["ISBN"] == PRINT_ISBN
    assert info["EbookIdentifier"] == f"urn:isbn:{PRINT_DIGITS}"
    assert decoded_barcodes(illustrated["cover"], tmp_path) == [PRINT_DIGITS]


def test_an_ebook_isbn_of_its_own_identifies_the_epub_and_the_print_isbn_is_its_source(
    own_ebook_isbn, tmp_path
):
    assert epub_identifiers(own_ebook_isbn["epub"]) == (
        f"urn:isbn:{EBOOK_DIGITS}",
        [f"urn:isbn:{PRINT_DIGITS}"],
    )
    info = pdf_info(own_ebook_isbn["cover"])
    assert info["ISBN"] == PRINT_ISBN
    assert info["EbookIdentifier"] == f"urn:isbn:{EBOOK_DIGITS}"
    assert decoded_barcodes(own_ebook_isbn["cover"], tmp_path) == [PRINT_DIGITS]


def test_the_colophon_prints_both_identifiers_when_the_pipeline_gives_them(own_ebook_isbn):
    """The print colophon's template, given ``identifiers``, prints the print ISBN and the
    e-book's own, the very one the EPUB carries."""
    source = own_ebook_isbn["epub"].parent.parent / "src"
    manuscript = load_manuscript(source)
    fields = ("edition", "publisher", "date", "series", "rights", "identifier")
    markup = render(
        manuscript,
        "print-colophon.html",
        title=manuscript.metadata.title,
        authors="",
        isbn=manuscript.metadata.get("isbn"),
        identifiers=identifiers(manuscript.metadata),
        **dict.fromkeys(fields, ""),
    )
    assert f"ISBN {PRINT_ISBN} (print)" in markup
    assert f"ISBN {EBOOK_ISBN} (e-book)" in markup
    epub_id, _ = epub_identifiers(own_ebook_isbn["epub"])
    assert epub_id == f"urn:isbn:{bare_isbn(EBOOK_ISBN)}"


def test_an_isbn_10_is_printed_as_its_978_barcode(tmp_path):
    source = manuscript_copy(SMALL, tmp_path / "s", "isbn: 0-306-40615-2\n")
    document = parse(load_manuscript(source))
    pdf = tmp_path / "cover.pdf"
    pdf.write_bytes(cover_pdf(document, 8))
    assert identifiers(document.metadata).print_isbn.ean13 == "9780306406157"
    assert decoded_barcodes(pdf, tmp_path) == ["9780306406157"]
    with pymupdf.open(pdf) as opened:
        assert "ISBN 0-306-40615-2" in opened[0].get_text()


def test_a_right_to_left_book_has_its_front_on_the_left(tmp_path):
    """Bound on the right, an Arabic pamphlet's cover sheet has the front panel on the left
    and the back (with the description) on the right."""
    folder = tmp_path / "ar"
    folder.mkdir()
    (folder / "metadata.yaml").write_text(
        "title: الإعلان العالمي لحقوق الإنسان\nlang: ar\ndescription: نص الوصف\n",
        encoding="utf-8",
    )
    (folder / "text.md").write_text("لما كان الاعتراف بالكرامة المتأصلة.\n", encoding="utf-8")
    out = tmp_path / "out"
    build(folder, formats=["cover"], out_dir=out)
    with pymupdf.open(next(out.glob("*-cover.pdf"))) as pdf:
        page = pdf[0]
        trim = trim_on_page(page)
        middle = trim.x0 + trim.width / 2
        left = page.get_text(clip=pymupdf.Rect(page.rect.x0, page.rect.y0, middle, page.rect.y1))
        right = page.get_text(clip=pymupdf.Rect(middle, page.rect.y0, page.rect.x1, page.rect.y1))
    assert "الإعلان" in left and "الوصف" not in left
    assert "الوصف" in right and "الإعلان" not in right
