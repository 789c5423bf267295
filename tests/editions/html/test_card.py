"""The web page's social card: written beside the page and named in og:image when the
metadata says where the page will stand."""

import shutil

import lxml.html
import pymupdf

from pipeline.build import build
from tests.conftest import SMALL


def og(page_path) -> dict[str, str]:
    head = lxml.html.parse(str(page_path)).getroot().find("head")
    return {m.get("property"): m.get("content") for m in head.iter("meta") if m.get("property")}


def test_with_base_url_the_typographic_card_stands_beside_the_page(tmp_path):
    manuscript = shutil.copytree(SMALL, tmp_path / "small")
    with (manuscript / "metadata.yaml").open("a", encoding="utf-8") as metadata:
        metadata.write("base-url: https://example.org/pamphlets/\n")
    page = build(manuscript, ["html"], tmp_path / "out")[0].path
    card = tmp_path / "out" / "small-pamphlet-card.png"
    properties = og(page)
    assert properties["og:image"] == "https://example.org/pamphlets/small-pamphlet-card.png"
    assert (properties["og:image:width"], properties["og:image:height"]) == ("1600", "2400")
    pixmap = pymupdf.Pixmap(str(card))
    assert (pixmap.width, pixmap.height) == (1600, 2400)


def test_without_base_url_there_is_no_card(tmp_path):
    page = build(SMALL, ["html"], tmp_path / "out")[0].path
    assert "og:image" not in og(page)
    assert not list((tmp_path / "out").glob("*-card.*"))
