"""PDF/X for a print shop: the small fixture built as PDF/X-4 with bleed and as PDF/X-1a
without, read back with pikepdf; and the rules that check them, made to fire on copies
broken with pikepdf and on the illustrated fixture's RGB pictures."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner

from pipeline.build import build
from pipeline.cli import cli
from pipeline.layout import pdfx
from tests.checks.helpers import fired
from tests.conftest import ILLUSTRATED, SMALL

MM = 72 / 25.4
A5 = (148 * MM, 210 * MM)
PDFX_RULES = {"pdf.output-intent", "pdf.pdfx-version", "pdf.page-boxes", "pdf.pdfx-colour"}


def manuscript_with(folder: Path, source: Path, print_options: str) -> Path:
    shutil.copytree(source, folder)
    with (folder / "metadata.yaml").open("a", encoding="utf-8") as meta:
        meta.write("print:\n" + print_options)
    return folder


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Manuscript folders, each with its editions in ``build/``."""
    root = tmp_path_factory.mktemp("pdfx")
    options = {
        "x4": (SMALL, "  pdf-variant: pdf/x-4\n  bleed: true\n"),
        "x1a": (SMALL, "  pdf-variant: pdf/x-1a\n"),
        "x1a-pictures": (ILLUSTRATED, "  pdf-variant: pdf/x-1a\n"),
    }
    folders = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "1700000000")
        for name, (source, print_options) in options.items():
            folder = manuscript_with(root / name, source, print_options)
            build(folder, ["pdf", "booklet"], out_dir=folder / "build")
            folders[name] = folder
        again = manuscript_with(root / "x4-again", SMALL, options["x4"][1])
        build(again, ["pdf"], out_dir=again / "build")
        folders["x4-again"] = again
    return folders


def pdf_of(folder: Path) -> Path:
    (path,) = [p for p in (folder / "build").glob("*.pdf") if "booklet" not in p.name]
    return path


@pytest.fixture(scope="module")
def x4(builds):
    with pikepdf.open(pdf_of(builds["x4"])) as pdf:
        yield pdf


@pytest.fixture(scope="module")
def x1a(builds):
    with pikepdf.open(pdf_of(builds["x1a"])) as pdf:
        yield pdf


@pytest.mark.parametrize("variant", ["x4", "x1a"])
def test_output_intent_carries_a_cmyk_profile(variant, request):
    pdf = request.getfixturevalue(variant)
    (intent,) = pdf.Root.OutputIntents
    assert intent.S == "/GTS_PDFX"
    assert str(intent.OutputConditionIdentifier) == "Custom"
    profile = intent.DestOutputProfile
    assert profile.N == 4
    data = profile.read_bytes()
    assert data == pdfx.CMYK_PROFILE.read_bytes()
    assert (data[12:16], data[16:20]) == (b"prtr", b"CMYK")


def test_x4_declares_its_version(x4):
    assert x4.pdf_version == "1.6"
    assert str(x4.docinfo.GTS_PDFXVersion) == "PDF/X-4"
    assert x4.docinfo.Trapped == "/False"
    xmp = x4.Root.Metadata.read_bytes()
    assert b"<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>" in xmp
    assert b"<xmp:ModifyDate>2023-11-14T22:13:20Z</xmp:ModifyDate>" in xmp


def test_x1a_declares_its_version_and_conformance(x1a):
    assert x1a.pdf_version == "1.4"
    assert str(x1a.docinfo.GTS_PDFXVersion) == "PDF/X-1a:2003"
    assert str(x1a.docinfo.GTS_PDFXConformance) == "PDF/X-1a:2003"
    assert x1a.docinfo.Trapped == "/False"
    streams = [o for o in x1a.objects if isinstance(o, pikepdf.Stream)]
    assert "/ObjStm" not in {str(o.get("/Type")) for o in streams}  # PDF 1.5, not in X-1a


def boxes(pdf) -> list[tuple[list[float], list[float]]]:
    return [([float(v) for v in p.TrimBox], [float(v) for v in p.BleedBox]) for p in pdf.pages]


def test_every_page_has_its_trim_box_and_a_bleed_box_3mm_outside(x4):
    assert len(x4.pages) == 4
    for trim, bleed in boxes(x4):
        assert (trim[2] - trim[0], trim[3] - trim[1]) == pytest.approx(A5, abs=0.1)
        outside = [trim[0] - bleed[0], trim[1] - bleed[1], bleed[2] - trim[2], bleed[3] - trim[3]]
        assert outside == pytest.approx([3 * MM] * 4, abs=0.01)


def test_without_bleed_the_bleed_box_is_the_trim_box(x1a):
    for trim, bleed in boxes(x1a):
        assert (trim[2] - trim[0], trim[3] - trim[1]) == pytest.approx(A5, abs=0.1)
        assert bleed == pytest.approx(trim, abs=0.001)


def font_files(pdf) -> dict[str, bool]:
    """Every font's name and whether its program is embedded."""
    found = {}
    for page in pdf.pages:
        for font in page.Resources.Font.values():
            described = font.DescendantFonts[0] if "/DescendantFonts" in font else font
            descriptor = described.FontDescriptor
            embedded = any(f"/FontFile{n}" in descriptor for n in ("", "2", "3"))
            found[str(font.BaseFont)] = embedded
    return found


@pytest.mark.parametrize("variant", ["x4", "x1a"])
def test_every_font_is_embedded(variant, request):
    fonts = font_files(request.getfixturevalue(variant))
    assert fonts and all(fonts.values()), fonts


@pytest.mark.parametrize("variant", ["x4", "x1a"])
def test_text_is_set_in_black_ink_alone(variant, request):
    pdf = request.getfixturevalue(variant)
    operators = set()
    for page in pdf.pages:
        for operands, operator in pikepdf.parse_content_stream(page):
            if str(operator) in ("rg", "RG", "k", "K", "scn", "cs"):
                operators.add((str(operator), tuple(str(o) for o in operands)))
    assert ("cs", ("/DeviceCMYK",)) in operators
    assert operators <= {("cs", ("/DeviceCMYK",)), ("scn", ("0", "0", "0", "1"))}


def test_x4_colour_manages_rgb_and_x1a_does_not_need_to(x4, x1a):
    assert all("/DefaultRGB" in p.Resources.ColorSpace for p in x4.pages)
    assert not any("/DefaultRGB" in p.Resources.ColorSpace for p in x1a.pages)


def test_pdfx_builds_are_reproducible(builds):
    assert pdf_of(builds["x4"]).read_bytes() == pdf_of(builds["x4-again"]).read_bytes()


@pytest.mark.parametrize("variant", ["x4", "x1a"])
def test_pdfx_rules_pass_on_what_the_build_writes(variant, builds):
    found = fired(builds[variant], "pdf", "booklet", build_dir=builds[variant] / "build")
    assert set(found) & (PDFX_RULES | {"pdf.fonts-embedded", "booklet.page-order"}) == set()


def test_rgb_pictures_break_pdfx_1a(builds):
    found = fired(builds["x1a-pictures"], "pdf", build_dir=builds["x1a-pictures"] / "build")
    assert set(found) & PDFX_RULES == {"pdf.pdfx-colour"}
    rgb = r"page \d+: uses RGB colour, which PDF/X-1a:2003 forbids"
    assert any(re.match(rgb, f) for f in found["pdf.pdfx-colour"]), found


def broken_copy(folder: Path, tmp_path: Path, change) -> Path:
    """A copy of the manuscript and its build whose PDF ``change`` has edited."""
    copy = tmp_path / folder.name
    shutil.copytree(folder, copy)
    path = pdf_of(copy)
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        change(pdf)
        pdf.save(path)
    return copy


def drop_output_intent(pdf):
    del pdf.Root.OutputIntents


def rgb_profile_of_cmyk_intent(pdf):
    pdf.Root.OutputIntents[0].DestOutputProfile.N = 3
    pdf.Root.OutputIntents[0].DestOutputProfile.write(pdfx.RGB_PROFILE.read_bytes())


def no_default_rgb(pdf):
    for page in pdf.pages:
        if "/DefaultRGB" in page.Resources.ColorSpace:  # the pages share their resources
            del page.Resources.ColorSpace.DefaultRGB
        page.contents_add(pikepdf.Stream(pdf, b"q 1 0 0 rg 0 0 5 5 re f Q"))


def bleed_box_on_the_trim(pdf):
    pdf.pages[1].BleedBox = pdf.pages[1].TrimBox


def no_version(pdf):
    del pdf.docinfo.GTS_PDFXVersion
    pdf.docinfo.Trapped = pikepdf.Name.Unknown


def transparency(pdf):
    page = pdf.pages[0]
    page.Resources.ExtGState.half = pikepdf.Dictionary(ca=0.5)
    page.contents_add(pikepdf.Stream(pdf, b"q /half gs 0 0 0 1 k 0 0 5 5 re f Q"))


@pytest.mark.parametrize(
    ("variant", "change", "rule", "message"),
    [
        ("x4", drop_output_intent, "pdf.output-intent", "catalog: PDF/X-4 needs a GTS_PDFX"),
        ("x4", rgb_profile_of_cmyk_intent, "pdf.output-intent", "output intent: its ICC pro"),
        ("x4", no_default_rgb, "pdf.pdfx-colour", "page 1: uses device RGB colour without"),
        ("x4", bleed_box_on_the_trim, "pdf.page-boxes", "page 2: its BleedBox is not 3 mm"),
        ("x1a", no_version, "pdf.pdfx-version", "document information: /GTS_PDFXVersion is “”"),
        ("x1a", transparency, "pdf.pdfx-colour", "page 1: uses transparency, which PDF/X-1a"),
    ],
)
def test_pdfx_rules_fire_on_broken_files(variant, change, rule, message, builds, tmp_path):
    copy = broken_copy(builds[variant], tmp_path, change)
    found = fired(copy, "pdf", build_dir=copy / "build")
    assert rule in found, found
    assert any(f.startswith(message) for f in found[rule]), found[rule]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ("  pdf-variant: pdf/x-3\n", r"metadata.yaml:6: 'print.pdf-variant' must be pdf/ua-1,"),
        (
            "  pdf-variant: pdf/x-1a\n  crop-marks: true\n",
            r"metadata.yaml:7: 'print.crop-marks' draws the marks in RGB",
        ),
    ],
)
def test_bad_pdfx_options_name_their_line(options, message, tmp_path):
    folder = manuscript_with(tmp_path / "m", SMALL, options)
    result = CliRunner().invoke(
        cli, ["build", str(folder), "--format", "pdf", "-o", str(tmp_path / "o"), "--quiet"]
    )
    assert result.exit_code == 2, result.output
    assert re.search(message, result.output), result.output
