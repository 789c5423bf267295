"""pipeline proof: the contact sheet of the seed's PDF, and the check report with a
thumbnail of the page a broken PDF has a problem on."""

from __future__ import annotations

import base64
import math
import re
import shutil
from pathlib import Path

import pymupdf
import pytest
from click.testing import CliRunner

from pipeline import contact_sheet as sheet
from pipeline.cli import cli
from pipeline.contact_sheet import facing_pages
from pipeline.proof import THUMBNAIL_DPI, proof
from tests.conftest import SEED

SEED_SLUG = "communist-fractions-1922-3"
SMALL_SLUG = "small-pamphlet"
CHARIS = "/usr/share/fonts/truetype/charis/CharisSIL-Regular.ttf"


@pytest.fixture(scope="module")
def seed_proof(seed_editions: dict[str, Path], tmp_path_factory: pytest.TempPathFactory):
    """The proof of the seed, from a private copy of its PDF."""
    out = tmp_path_factory.mktemp("seed-proof")
    shutil.copy(seed_editions["pdf"], out)
    return proof(SEED, out), out


def test_a_book_bound_on_the_right_opens_its_spreads_the_other_way() -> None:
    assert facing_pages(5, right_to_left=True) == [(1, None), (3, 2), (5, 4)]


def test_facing_pages_put_page_one_alone_on_the_right() -> None:
    assert facing_pages(1) == [(None, 1)]
    assert facing_pages(5) == [(None, 1), (2, 3), (4, 5)]
    assert facing_pages(6) == [(None, 1), (2, 3), (4, 5), (6, None)]


def test_contact_sheet_has_a_cell_for_every_page_and_spread(seed_proof) -> None:
    made, out = seed_proof
    assert made.sheet == out / f"{SEED_SLUG}-proof.png"
    with pymupdf.open(out / f"{SEED_SLUG}.pdf") as pdf:
        pages = len(pdf)
        first = pdf[0].rect
    assert made.page_count == pages
    thumb_height = round(sheet.THUMB_WIDTH * first.height / first.width)
    row = thumb_height + sheet.LABEL_HEIGHT + sheet.GAP
    page_rows = math.ceil(pages / sheet.COLUMNS)
    spread_rows = math.ceil((pages // 2 + 1) / sheet.SPREADS_PER_ROW)
    grid = sheet.COLUMNS * sheet.THUMB_WIDTH + (sheet.COLUMNS - 1) * sheet.GAP
    spreads = (
        2 * sheet.SPREADS_PER_ROW * sheet.THUMB_WIDTH + (sheet.SPREADS_PER_ROW - 1) * sheet.GAP
    )
    width = math.ceil(2 * sheet.MARGIN + max(grid, spreads))
    height = math.ceil(
        2 * sheet.MARGIN
        + 2 * sheet.HEADING_HEIGHT
        + sheet.BAND_GAP
        + (page_rows + spread_rows) * row
        - sheet.GAP
    )
    png = pymupdf.Pixmap(str(made.sheet))
    assert (png.width, png.height) == (width * sheet.SCALE, height * sheet.SCALE)


def test_first_spread_shows_page_one_on_the_right_only(seed_proof) -> None:
    made, out = seed_proof
    with pymupdf.open(out / f"{SEED_SLUG}.pdf") as pdf:
        layout = sheet.layout_for(pdf)
    png = pymupdf.Pixmap(str(made.sheet))
    cell = layout.spread_cell(0)
    middle_y = int((cell.y0 + cell.y1) / 2 * sheet.SCALE)
    left_x = int((cell.x0 + 4) * sheet.SCALE)
    right_x = int((cell.x1 - 4) * sheet.SCALE)
    background = [c * 255 for c in sheet.BACKGROUND]
    left = png.pixel(left_x, middle_y)
    assert all(abs(a - b) <= 2 for a, b in zip(left, background, strict=True)), left
    assert png.pixel(right_x, middle_y) == (255, 255, 255)


def test_proof_builds_a_missing_pdf_and_shows_the_broken_page(
    small_copy: Path, tmp_path: Path
) -> None:
    out = tmp_path / "build"
    first = proof(small_copy, out)
    pdf_path = out / f"{SMALL_SLUG}.pdf"
    assert pdf_path.is_file()
    assert first.pages_with_problems == ()
    assert "<img" not in first.report.read_text(encoding="utf-8")

    with pymupdf.open(pdf_path) as pdf:
        page = pdf[2]
        foot = (48, page.rect.height - 60)
        page.insert_text(foot, "9. A note nobody calls.", fontname="Charis", fontfile=CHARIS)
        pdf.save(out / "broken.pdf")
    (out / "broken.pdf").replace(pdf_path)

    broken = proof(small_copy, out)
    assert broken.pages_with_problems == (3,)
    report = broken.report.read_text(encoding="utf-8")
    assert "pdf.note-on-call-page" in report
    images = re.findall(r'<img src="data:image/png;base64,([^"]+)" alt="PDF page (\d+)"', report)
    assert {page for _data, page in images} == {"3"}
    with pymupdf.open(pdf_path) as pdf:
        expected = pdf[2].get_pixmap(dpi=THUMBNAIL_DPI, alpha=False).tobytes("png")
    assert base64.b64decode(images[0][0]) == expected
    assert not re.search(r"<script|<link|src=\"(?!data:)", report)


def test_proof_command_names_what_it_wrote(small_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "build"
    result = CliRunner().invoke(cli, ["proof", str(small_copy), "--build-dir", str(out)])
    assert result.exit_code == 0, result.output
    assert f"{SMALL_SLUG}-proof.png" in result.output
    assert (out / f"{SMALL_SLUG}-report.html").is_file()
    assert (out / f"{SMALL_SLUG}-proof.png").read_bytes().startswith(b"\x89PNG")
