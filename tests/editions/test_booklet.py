"""The booklet: the print edition's pages imposed two-up for saddle stitching.

Each half of each sheet side is read with pymupdf and compared with the print edition's
pages: the first side must carry the last page and page 1, the next the last but one and
page 3 on its back 2 and the last but two, and so on, blanks making up a multiple of four.
"""

import subprocess
from pathlib import Path

import pymupdf
import pytest
from click.testing import CliRunner
from PIL import Image

from pipeline.build import build
from pipeline.checks.extract import comparable
from pipeline.cli import cli

MM = 72 / 25.4
A4_LANDSCAPE = (297 * MM, 210 * MM)


def page_texts(path: Path) -> list[str]:
    with pymupdf.open(path) as pdf:
        return [comparable(page.get_text()) for page in pdf]


def half_texts(path: Path) -> list[tuple[str, str]]:
    """(left half, right half) of every sheet side."""
    halves = []
    with pymupdf.open(path) as pdf:
        for side in pdf:
            middle = side.rect.width / 2
            left = pymupdf.Rect(0, 0, middle, side.rect.height)
            right = pymupdf.Rect(middle, 0, side.rect.width, side.rect.height)
            halves.append(
                (comparable(side.get_text(clip=left)), comparable(side.get_text(clip=right)))
            )
    return halves


def saddle_order(pages: int) -> list[tuple[int, int]]:
    """(left, right) page numbers of each sheet side, 1-based, for a padded page count."""
    sides = []
    for sheet in range(pages // 4):
        sides.append((pages - 2 * sheet, 2 * sheet + 1))
        sides.append((2 * sheet + 2, pages - 2 * sheet - 1))
    return sides


def assert_imposed(booklet: Path, source: Path) -> None:
    pages = page_texts(source)
    padded = -(-len(pages) // 4) * 4
    halves = half_texts(booklet)
    assert len(halves) == padded // 2
    for (left, right), (left_text, right_text) in zip(saddle_order(padded), halves, strict=True):
        assert left_text == (pages[left - 1] if left <= len(pages) else "")
        assert right_text == (pages[right - 1] if right <= len(pages) else "")


def sheet_size(path: Path) -> tuple[float, float]:
    with pymupdf.open(path) as pdf:
        sizes = {(round(p.rect.width, 1), round(p.rect.height, 1)) for p in pdf}
    assert len(sizes) == 1
    return sizes.pop()


def test_first_side_carries_the_last_page_and_page_one(small_editions):
    pages = page_texts(small_editions["pdf"])
    assert len(pages) == 4 and all(pages)
    (left, right), (back_left, back_right) = half_texts(small_editions["booklet"])
    assert (left, right) == (pages[3], pages[0])
    assert (back_left, back_right) == (pages[1], pages[2])


@pytest.mark.parametrize("edition", ["seed", "long-note"])
def test_every_side_in_saddle_stitch_order(edition, seed_editions, long_note_editions):
    editions = seed_editions if edition == "seed" else long_note_editions
    assert_imposed(editions["booklet"], editions["pdf"])


def test_a5_pages_go_on_a4_sheets(seed_editions, small_editions):
    for editions in (seed_editions, small_editions):
        width, height = sheet_size(editions["booklet"])
        assert (width, height) == pytest.approx(A4_LANDSCAPE, abs=0.2)


@pytest.mark.parametrize(
    ("size", "sheet_mm"),
    [("A6", (210, 148)), ("'120mm 190mm'", (240, 190)), ("Letter", (431.8, 279.4))],
)
def test_sheet_follows_the_page_size(size, sheet_mm, small_copy):
    with (small_copy / "metadata.yaml").open("a", encoding="utf-8") as meta:
        meta.write(f"print:\n  page-size: {size}\n")
    built = {e.name: e.path for e in build(small_copy, ["pdf", "booklet"], small_copy / "out")}
    assert sheet_size(built["booklet"]) == pytest.approx(
        (sheet_mm[0] * MM, sheet_mm[1] * MM), abs=0.2
    )
    assert_imposed(built["booklet"], built["pdf"])


def test_named_sheet_holds_the_pages_centred(small_copy):
    with (small_copy / "metadata.yaml").open("a", encoding="utf-8") as meta:
        meta.write("print:\n  booklet-sheet: A3\n")
    built = {e.name: e.path for e in build(small_copy, ["pdf", "booklet"], small_copy / "out")}
    assert sheet_size(built["booklet"]) == pytest.approx((420 * MM, 297 * MM), abs=0.2)
    with pymupdf.open(built["booklet"]) as pdf:
        words = pdf[0].get_text("words")
    assert min(w[0] for w in words) > (420 - 2 * 148) / 2 * MM


def test_booklet_alone_lays_the_pages_out_itself(small_copy, tmp_path, small_editions):
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli, ["build", str(small_copy), "--format", "booklet", "-o", str(out), "--quiet"]
    )
    assert result.exit_code == 0, result.output
    written = [p.name for p in out.iterdir() if not p.name.startswith(".")]
    assert written == ["small-pamphlet-booklet.pdf"]
    assert half_texts(out / "small-pamphlet-booklet.pdf") == half_texts(small_editions["booklet"])


def test_booklet_is_imposed_from_trimmed_pages(small_copy, small_editions):
    with (small_copy / "metadata.yaml").open("a", encoding="utf-8") as meta:
        meta.write("print:\n  bleed: true\n  crop-marks: true\n")
    built = {e.name: e.path for e in build(small_copy, ["pdf", "booklet"], small_copy / "out")}
    assert sheet_size(built["booklet"]) == pytest.approx(A4_LANDSCAPE, abs=0.2)
    assert half_texts(built["booklet"]) == half_texts(small_editions["booklet"])
    trimmed, plain = (
        render_first_side(built["booklet"]),
        render_first_side(small_editions["booklet"]),
    )
    assert trimmed.size == plain.size
    pairs = zip(trimmed.tobytes(), plain.tobytes(), strict=True)
    differing = sum(1 for a, b in pairs if abs(a - b) > 64)
    assert differing < 0.001 * trimmed.size[0] * trimmed.size[1]


def render_first_side(path: Path) -> Image.Image:
    """The booklet's first sheet side as a grey image, rendered by pdftoppm at 72 dpi."""
    prefix = path.parent / f"side-{path.stem}"
    subprocess.run(
        ["pdftoppm", "-r", "72", "-gray", "-png", "-f", "1", "-l", "1", str(path), str(prefix)],
        check=True,
    )
    with Image.open(next(path.parent.glob(f"{prefix.name}*.png"))) as image:
        return image.convert("L")
