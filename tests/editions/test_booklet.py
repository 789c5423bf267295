"""The booklet: the print edition's pages imposed two-up for saddle stitching.

Each half of each sheet side is read with pymupdf and compared with the print edition's
pages: the first side must carry the last page and page 1, the next the last but one and
page 3 on its back 2 and the last but two, and so on, blanks making up a multiple of four.
The options are tested on the seed's pages imposed directly: signatures, creep measured on
the words' positions, sheet marks outside the pages, right-edge binding for Hebrew.
"""

import re
import subprocess
from pathlib import Path

import pymupdf
import pytest
from click.testing import CliRunner
from PIL import Image

from pipeline.build import build
from pipeline.checks.extract import comparable
from pipeline.checks.rules.booklet import half_texts
from pipeline.cli import cli

MM = 72 / 25.4
A4_LANDSCAPE = (297 * MM, 210 * MM)


def page_texts(path: Path) -> list[str]:
    with pymupdf.open(path) as pdf:
        return [comparable(page.get_text()) for page in pdf]


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


def signature_order(pages: int, size: int) -> list[tuple[int, int]]:
    """(left, right) page numbers, 1-based, of each side when the booklet is imposed in
    signatures of ``size`` pages (the last one shorter), each folded on its own."""
    sides = []
    for start in range(0, pages, size):
        count = min(size, pages - start)
        sides.extend((left + start, right + start) for left, right in saddle_order(count))
    return sides


def test_signature_order_of_a_long_text():
    assert signature_order(24, 8)[:6] == [(8, 1), (2, 7), (6, 3), (4, 5), (16, 9), (10, 15)]
    assert signature_order(20, 8)[-2:] == [(20, 17), (18, 19)]


def word_lefts(path: Path) -> list[tuple[float, float]]:
    """The left edge of the leftmost word of each half of each side."""
    lefts = []
    with pymupdf.open(path) as pdf:
        for side in pdf:
            middle = side.rect.width / 2
            words = side.get_text("words")
            left = [w[0] for w in words if w[2] <= middle]
            right = [w[0] for w in words if w[0] >= middle]
            lefts.append((min(left, default=-1), min(right, default=-1)))
    return lefts


@pytest.fixture(scope="module")
def imposed(seed_editions, tmp_path_factory) -> dict[str, Path]:
    """The seed's pages imposed with the options: plain, creep, signatures, marks."""
    from pipeline.editions.booklet import Imposition, impose
    from pipeline.layout.pagesize import parse_sheet_size

    data = seed_editions["pdf"].read_bytes()
    a4, a3 = parse_sheet_size("A4"), parse_sheet_size("A3")
    plans = {
        "plain": Imposition(a4),
        "creep": Imposition(a4, caliper_mm=0.4),
        "signatures": Imposition(a4, signature_pages=8, caliper_mm=0.4),
        "marks": Imposition(a3, marks=True),
        "marks-again": Imposition(a3, marks=True),
    }
    out = tmp_path_factory.mktemp("imposed")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "1700000000")
        for name, plan in plans.items():
            (out / f"{name}.pdf").write_bytes(impose(data, plan))
    return {name: out / f"{name}.pdf" for name in plans}


def test_signatures_follow_each_other(imposed, seed_editions):
    """22 pages in signatures of 8: three nests of two sheets, the last two pages blank."""
    pages = page_texts(seed_editions["pdf"])
    halves = half_texts(imposed["signatures"])
    order = signature_order(24, 8)
    assert len(halves) == len(order) == 12
    for (left, right), (left_text, right_text) in zip(order, halves, strict=True):
        assert left_text == (pages[left - 1] if left <= len(pages) else "")
        assert right_text == (pages[right - 1] if right <= len(pages) else "")


def test_creep_moves_inner_sheets_towards_the_fold(imposed):
    """Sheet k from the outside of its signature: its pages k × 0.4 mm nearer the fold."""
    plain, creep = word_lefts(imposed["plain"]), word_lefts(imposed["creep"])
    pairs = zip(plain, creep, strict=True)
    for side, ((left, right), (creep_left, creep_right)) in enumerate(pairs):
        sheet = side // 2
        assert creep_left - left == pytest.approx(sheet * 0.4 * MM, abs=0.05)
        if right > 0:
            assert right - creep_right == pytest.approx(sheet * 0.4 * MM, abs=0.05)
    assert len(plain) == 12  # six sheets: the innermost moved by 2 mm
    # In signatures of 8, page 6 is on the second sheet of the first: 0.4 mm, not 1.2 mm.
    signatures = word_lefts(imposed["signatures"])
    assert half_texts(imposed["signatures"])[2][0] == half_texts(imposed["plain"])[5][0]
    assert signatures[2][0] - plain[5][0] == pytest.approx(0.4 * MM, abs=0.05)


def test_sheet_marks_crop_and_fold_outside_the_pages(imposed):
    with pymupdf.open(imposed["marks"]) as pdf, pymupdf.open(imposed["plain"]) as plain:
        assert not plain[0].get_drawings()
        side = pdf[0]
        width, height = side.rect.width, side.rect.height
        page_w, page_h = 148 * MM, 210 * MM
        left, top = (width - 2 * page_w) / 2, (height - page_h) / 2
        lines = [d["rect"] for d in side.get_drawings()]
    assert lines
    for rect in lines:
        inside = rect.x0 > left + 1 and rect.x1 < width - left - 1
        inside = inside and rect.y0 > top + 1 and rect.y1 < height - top - 1
        assert not inside, rect
    fold = [r for r in lines if abs(r.x0 - width / 2) < 1 and abs(r.x1 - width / 2) < 1]
    assert {r.y0 < top for r in fold} == {True, False}
    crops = [r for r in lines if abs(r.x0 - left) < 0.5 and r.width < 1]
    assert crops, "no crop mark in line with the outer edge of the left page"


def test_imposition_with_options_is_reproducible(imposed):
    assert imposed["marks"].read_bytes() == imposed["marks-again"].read_bytes()


def test_right_to_left_text_is_bound_on_the_right(small_copy):
    text = (small_copy / "metadata.yaml").read_text(encoding="utf-8")
    (small_copy / "metadata.yaml").write_text(text.replace("lang: en", "lang: he"), "utf-8")
    built = {e.name: e.path for e in build(small_copy, ["pdf", "booklet"], small_copy / "out")}
    pages = page_texts(built["pdf"])
    assert half_texts(built["booklet"]) == [(pages[0], pages[3]), (pages[2], pages[1])]
    from tests.checks.helpers import fired

    assert fired(small_copy, "booklet", build_dir=small_copy / "out") == {}


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ("  signature-pages: 6\n", r"metadata.yaml:6: 'print.signature-pages' must be a multi"),
        ("  paper-caliper: 3mm\n", r"metadata.yaml:6: 'print.paper-caliper' must be the paper's"),
        ("  paper-caliper: thin\n", r"metadata.yaml:6: 'print.paper-caliper' must be the paper's"),
        ("  sheet-marks: true\n", r"metadata.yaml:6: 'print.sheet-marks' needs 8 mm of spare"),
    ],
)
def test_bad_booklet_options_name_their_line(options, message, small_copy, tmp_path):
    with (small_copy / "metadata.yaml").open("a", encoding="utf-8") as meta:
        meta.write("print:\n" + options)
    result = CliRunner().invoke(
        cli, ["build", str(small_copy), "--format", "booklet", "-o", str(tmp_path), "--quiet"]
    )
    assert result.exit_code == 2, result.output
    assert re.search(message, result.output), result.output
