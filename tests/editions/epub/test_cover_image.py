"""The EPUB's cover image as the stores want it: a PNG or JPEG of at least 1600 × 2400
pixels in RGB, declared ``cover-image``, with alt text on the cover page; an author's image
smaller than that is a warning naming the file and its size."""

from __future__ import annotations

import json
import logging
import posixpath
import shutil
from pathlib import Path

import lxml.etree
import pymupdf
import pytest

from pipeline.build import build
from pipeline.checks.validators.client import epubcheck_report
from tests.conftest import SMALL
from tests.editions.epub.support import OPF, Epub, epubcheck_problems

XHTML = {"x": "http://www.w3.org/1999/xhtml"}
STORE_SIZE = (1600, 2400)


def with_cover_image(target: Path, width: int, height: int, kind: str) -> Path:
    """A copy of the small fixture whose ``cover`` is an image of that size and kind."""
    shutil.copytree(SMALL, target)
    (target / "images").mkdir()
    pixmap = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, width, height), False)
    pixmap.clear_with(200)
    name = f"images/cover.{kind}"
    pixmap.save(str(target / name))
    with (target / "metadata.yaml").open("a", encoding="utf-8") as metadata:
        metadata.write(f"cover: {name}\n")
    return target


class Collected(logging.Handler):
    """The warnings the editions log while a build runs."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory):
    """EPUBs of the small fixture: typographic cover (twice, for the bytes), a small PNG
    cover and a large JPEG one; with the warnings each build logged."""
    folder = tmp_path_factory.mktemp("epub-cover-image")
    small_image = with_cover_image(folder / "small-image", 400, 600, "png")
    large_image = with_cover_image(folder / "large-image", 1600, 2400, "jpg")
    built, warnings = {}, {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "1700000000")
        for name, source in [
            ("typographic", SMALL),
            ("again", SMALL),
            ("small-image", small_image),
            ("large-image", large_image),
        ]:
            said = Collected()
            logging.getLogger("pipeline").addHandler(said)
            try:
                (edition,) = build(source, ["epub"], folder / f"out-{name}")
            finally:
                logging.getLogger("pipeline").removeHandler(said)
            built[name] = Epub(edition.path)
            warnings[name] = said.messages
    return built, warnings, small_image


def cover_item(book: Epub) -> lxml.etree._Element:
    (item,) = book.manifest(properties="cover-image")
    return item


def cover_bytes(book: Epub) -> bytes:
    return book.archive[posixpath.join(book.base, cover_item(book).get("href"))]


@pytest.mark.parametrize("name", ["typographic", "large-image"])
def test_the_cover_image_is_a_raster_of_the_stores_size_in_rgb(builds, name):
    book = builds[0][name]
    item = cover_item(book)
    assert item.get("media-type") in ("image/png", "image/jpeg")
    pixmap = pymupdf.Pixmap(cover_bytes(book))
    assert pixmap.width >= STORE_SIZE[0] and pixmap.height >= STORE_SIZE[1]
    assert pixmap.colorspace.name == pymupdf.csRGB.name and not pixmap.alpha


def test_the_typographic_cover_is_a_png_drawn_from_the_template(builds):
    book = builds[0]["typographic"]
    assert cover_item(book).get("media-type") == "image/png"
    data = cover_bytes(book)
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    pixmap = pymupdf.Pixmap(data)
    assert (pixmap.width, pixmap.height) == STORE_SIZE
    ground = (0x22, 0x36, 0x4F)
    assert all(abs(a - b) <= 2 for a, b in zip(pixmap.pixel(20, 20), ground, strict=True))
    assert not book.manifest(**{"media-type": "image/svg+xml"})


def test_the_package_names_the_cover_for_older_readers_and_the_page_describes_it(builds):
    book = builds[0]["typographic"]
    item = cover_item(book)
    cover_meta = book.opf.xpath("//opf:meta[@name='cover']/@content", namespaces=OPF)
    assert cover_meta == [item.get("id")]
    page = book.xml("text/cover.xhtml")
    (image,) = page.xpath("//x:img", namespaces=XHTML)
    assert posixpath.normpath(posixpath.join("text", image.get("src"))) == item.get("href")
    assert image.get("alt") == "Cover: A Small Pamphlet, by Ada Writer"


def test_the_typographic_cover_gives_the_same_bytes_each_build(builds):
    assert cover_bytes(builds[0]["typographic"]) == cover_bytes(builds[0]["again"])
    assert builds[0]["typographic"].path.read_bytes() == builds[0]["again"].path.read_bytes()


def test_a_small_cover_image_is_a_warning_naming_the_file_and_its_size(builds):
    _, warnings, source = builds
    (warning,) = [w for w in warnings["small-image"] if "cover image" in w]
    line = (
        source.joinpath("metadata.yaml").read_text().splitlines().index("cover: images/cover.png")
        + 1
    )
    assert f"{source / 'metadata.yaml'}:{line}:" in warning
    assert "images/cover.png is 400 × 600 pixels" in warning
    assert "1600 × 2400" in warning
    assert not [w for w in warnings["large-image"] if "cover image" in w]
    assert not [w for w in warnings["typographic"] if "cover image" in w]


def test_the_accessibility_claim_stands_with_the_cover_image(builds):
    book = builds[0]["typographic"]
    conforms = book.opf.xpath("//opf:meta[@property='dcterms:conformsTo']/text()", namespaces=OPF)
    features = book.opf.xpath(
        "//opf:meta[@property='schema:accessibilityFeature']/text()", namespaces=OPF
    )
    assert conforms == ["EPUB Accessibility 1.1 - WCAG 2.1 Level AA"]
    assert "alternativeText" in features


@pytest.mark.parametrize("name", ["typographic", "small-image", "large-image"])
def test_epubcheck_finds_no_error_and_no_warning(builds, name):
    report = json.loads(epubcheck_report(builds[0][name].path))
    assert epubcheck_problems(report) == []
