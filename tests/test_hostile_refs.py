"""References that would read outside the manuscript or reach the network: symbolic links,
an SVG image's own references and scripts, the raw HTML attributes that fetch, and what
WeasyPrint would embed. Each is refused with one sentence or removed with a warning."""

from __future__ import annotations

import base64
import os
import re
import struct
import zipfile
import zlib
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from pipeline.cli import INTERNAL_ERROR, PipelineGroup, cli
from pipeline.document import parse
from pipeline.errors import PipelineError
from pipeline.manuscript import load_manuscript
from tests.checks.helpers import manuscript


def build(folder: Path, out: Path, *formats: str):
    flags = [arg for name in formats for arg in ("--format", name)]
    return CliRunner().invoke(cli, ["build", str(folder), "-o", str(out), "-q", *flags])


def one_error(result) -> str:
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    assert "Traceback" not in result.output
    return lines[0]


def png() -> bytes:
    """A 1 × 1 green PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x00\xff\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


# Symbolic links ---------------------------------------------------------------------------


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A file outside the manuscript folder that no build may read."""
    path = tmp_path / "secret.txt"
    path.write_text("SECRET-WORDS\n", encoding="utf-8")
    return path


LINKED = {
    "text": ("text.md", "", "text.md"),
    "numbered text": ("01-start.md", "", "01-start.md"),
    "metadata": ("metadata.yaml", "", "metadata.yaml"),
    "bibliography": ("references.bib", "", "references.bib"),
    "named bibliography": ("works.bib", "bibliography: works.bib\n", "'bibliography'"),
    "citation style": ("mine.csl", "csl: mine.csl\n", "'csl'"),
    "screen stylesheet": ("styles/screen.css", "", "styles/screen.css"),
    "print stylesheet": ("styles/print.css", "", "styles/print.css"),
    "template": ("styles/templates/web.html", "", "styles/templates/web.html"),
}


@pytest.mark.parametrize("case", LINKED, ids=list(LINKED))
def test_a_link_leading_out_of_the_folder_is_refused_by_name(case, secret, tmp_path):
    name, meta, named = LINKED[case]
    folder = manuscript(tmp_path / "m", "Some text.\n", meta="title: T\n" + meta)
    link = folder / name
    link.parent.mkdir(parents=True, exist_ok=True)
    link.unlink(missing_ok=True)
    os.symlink(secret, link)
    line = one_error(build(folder, tmp_path / "out", "html", "pdf"))
    assert named in line
    assert "symbolic link" in line and "outside the manuscript folder" in line
    assert "SECRET-WORDS" not in line
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").glob("t*"))


@pytest.mark.parametrize("kind", ["png", "svg"])
def test_an_image_linked_out_of_the_folder_is_refused_with_its_line(kind, secret, tmp_path):
    folder = manuscript(tmp_path / "m", f"Text.\n\n![A picture](pictures/p.{kind})\n")
    (folder / "pictures").mkdir()
    os.symlink(secret, folder / "pictures" / f"p.{kind}")
    line = one_error(build(folder, tmp_path / "out", "html"))
    assert f"text.md:3: image refers to 'pictures/p.{kind}', a symbolic link" in line


def test_a_folder_linked_out_of_the_manuscript_is_refused(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "p.png").write_bytes(png())
    folder = manuscript(tmp_path / "m", "Text.\n\n![A picture](pictures/p.png)\n")
    os.symlink(outside, folder / "pictures")
    line = one_error(build(folder, tmp_path / "out", "html"))
    assert "text.md:3: image refers to 'pictures/p.png', a symbolic link" in line


def test_links_inside_the_folder_are_followed(tmp_path):
    folder = manuscript(tmp_path / "m", "")
    (folder / "drafts").mkdir()
    (folder / "drafts" / "v2.md").write_text("The linked draft.\n\n![Green](i.png)\n")
    (folder / "text.md").unlink()
    os.symlink("drafts/v2.md", folder / "text.md")
    (folder / "drafts" / "dot.png").write_bytes(png())
    os.symlink("drafts/dot.png", folder / "i.png")
    result = build(folder, tmp_path / "out", "html", "epub")
    assert result.exit_code == 0, result.output
    page = (tmp_path / "out" / "t.html").read_text(encoding="utf-8")
    assert "The linked draft." in page
    assert base64.b64encode(png()).decode() in page


# SVG images -------------------------------------------------------------------------------

HOSTILE_SVG = """<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY words "drawn words">]>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     width="120" height="60" onload="alert('loaded')">
  <style>@import url(http://127.0.0.1:9/a.css); rect {{ fill: url(file://{secret}) }}</style>
  <script>alert('script')</script>
  <foreignObject width="10" height="10"><p xmlns="http://www.w3.org/1999/xhtml">HTML</p></foreignObject>
  <image href="file://{secret}" width="10" height="10"/>
  <image xlink:href="../secret.txt" width="10" height="10"/>
  <image href="https://127.0.0.1:9/remote.png" width="10" height="10"/>
  <use href="//127.0.0.1:9/defs.svg#shape"/>
  <feImage href="{secret}"/>
  <rect width="60" height="60" style="stroke: u\\72l(https://127.0.0.1:9/s.svg)"/>
  <image href="dot.png" width="60" height="60" x="60"/>
  <text x="5" y="50">&words;</text>
</svg>
"""
FORBIDDEN = (
    b"secret.txt",
    b"127.0.0.1",
    b"alert(",
    b"<script",
    b"foreignObject",
    b"onload",
    b"SECRET-WORDS",
    b"@import",
)


@pytest.fixture
def hostile_svg(secret: Path, tmp_path: Path) -> Path:
    folder = manuscript(tmp_path / "m", "Text.\n\n![A drawing](drawing.svg)\n\nAfter.\n")
    (folder / "drawing.svg").write_text(HOSTILE_SVG.format(secret=secret), encoding="utf-8")
    (folder / "dot.png").write_bytes(png())
    return folder


def test_an_svg_loses_its_outside_references_and_scripts_with_warnings(hostile_svg):
    warnings = parse(load_manuscript(hostile_svg)).warnings
    prefix = "text.md:3: removed from the SVG image drawing.svg "
    for what in (
        "the onload handler on <svg>",
        "an @import in <style>",
        "the <script> element",
        "the <foreignObject> element",
        "(<image>), which lies outside the manuscript folder",
        "the reference to ../secret.txt (<image>), which lies outside the manuscript folder",
        "the reference to https://127.0.0.1:9/remote.png (<image>), which is on the network",
        "the reference to //127.0.0.1:9/defs.svg#shape (<use>), which is on the network",
        "(<feImage>), which lies outside the manuscript folder",
        "url(https://127.0.0.1:9/s.svg) in the style of <rect>, which is on the network",
    ):
        assert any(prefix in warning and what in warning for warning in warnings), what


def test_every_edition_carries_the_cleaned_svg(hostile_svg, tmp_path):
    out = tmp_path / "out"
    result = build(hostile_svg, out, "pdf", "epub", "html")
    assert result.exit_code == 0, result.output
    assert "removed from the SVG image drawing.svg the <script> element" in result.output

    with zipfile.ZipFile(out / "t.epub") as epub:
        (name,) = [n for n in epub.namelist() if n.endswith(".svg")]
        in_epub = epub.read(name)
    page = (out / "t.html").read_text(encoding="utf-8")
    (encoded,) = re.findall(r"data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)", page)
    in_page = base64.b64decode(encoded)
    for svg in (in_epub, in_page):
        assert b"drawn words" in svg
        assert base64.b64encode(png()) in svg, "the folder's own image travels inside"
        for forbidden in FORBIDDEN:
            assert forbidden not in svg

    import pymupdf

    with pymupdf.open(out / "t.pdf") as pdf:
        text = "".join(page.get_text() for page in pdf)
        images = sum(len(page.get_images()) for page in pdf)
    assert "drawn words" in text and "HTML" not in text and "SECRET" not in text
    assert images >= 1, "the PNG inside the SVG is drawn"


def test_weasyprint_is_handed_the_cleaned_svg(hostile_svg):
    """The layout's fetcher is what WeasyPrint reads every image through."""
    from pipeline.fetch import sandboxed_fetcher

    fetcher = sandboxed_fetcher([hostile_svg])
    response = fetcher.fetch((hostile_svg / "drawing.svg").as_uri())
    served = response.read()
    assert response.content_type == "image/svg+xml"
    assert b"drawn words" in served
    for forbidden in FORBIDDEN:
        assert forbidden not in served


def test_svg_markup_in_a_png_file_is_cleaned_too(secret, tmp_path):
    folder = manuscript(tmp_path / "m", "Text.\n\n![A drawing](looks.png)\n")
    (folder / "looks.png").write_text(
        f'<svg xmlns="http://www.w3.org/2000/svg"><image href="file://{secret}"/></svg>'
    )
    warnings = "\n".join(parse(load_manuscript(folder)).warnings)
    assert "removed from the SVG image looks.png the reference to file://" in warnings


def test_an_entity_bomb_is_refused_not_expanded(tmp_path):
    entities = "".join(
        f'<!ENTITY e{n} "{f"&e{n - 1};" * 10}">' if n else '<!ENTITY e0 "lol">' for n in range(10)
    )
    bomb = f'<?xml version="1.0"?><!DOCTYPE svg [{entities}]>'
    bomb += '<svg xmlns="http://www.w3.org/2000/svg"><text y="20">&e9;</text></svg>'
    folder = manuscript(tmp_path / "m", "Text.\n\n![A bomb](bomb.svg)\n")
    (folder / "bomb.svg").write_text(bomb)
    line = one_error(build(folder, tmp_path / "out", "html", "epub", "pdf"))
    assert "text.md:3: image 'bomb.svg' is not a well-formed SVG image (line 1:" in line
    assert "amplification" in line


@pytest.mark.parametrize(
    "content, expected",
    [
        ("<svg xmlns='http://www.w3.org/2000/svg'><g></svg>", "is not a well-formed SVG image"),
        (
            '<!DOCTYPE svg [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
            '<svg xmlns="http://www.w3.org/2000/svg"><text>&e;</text></svg>',
            "is not a well-formed SVG image (line 1: Entity 'e' not defined)",
        ),
        ("<html><body>Not a drawing</body></html>", "is not an SVG image"),
    ],
    ids=["not well-formed", "external entity", "not svg"],
)
def test_an_svg_that_cannot_be_read_names_its_line(content, expected, tmp_path):
    folder = manuscript(tmp_path / "m", "Text.\n\n\n![A drawing](broken.svg)\n")
    (folder / "broken.svg").write_text(content)
    line = one_error(build(folder, tmp_path / "out", "html"))
    assert f"text.md:4: image 'broken.svg' {expected}" in line


# Raw HTML that fetches --------------------------------------------------------------------

FETCHING = """Text with a [plain link](https://example.org/).

<img src="dot.png" srcset="/etc/passwd 2x" alt="Green">

<video src="clip.mp4" poster="https://127.0.0.1:9/p.png"><track src="../../etc/hostname"></video>

<picture><source srcset="https://127.0.0.1:9/a.webp"><img src="dot.png" alt="Also green"></picture>

A <a ping="https://127.0.0.1:9/ping" href="https://example.org/">pinging link</a>.

An <a rel="attachment" href="https://127.0.0.1:9/file.pdf">attached file</a>.

<span style="background: u\\72l(https://127.0.0.1:9/t.png)">escaped</span>

<object data="/etc/passwd">object</object> <link rel="stylesheet" href="https://127.0.0.1:9/s.css">
"""


def test_fetching_attributes_are_removed_with_their_lines(tmp_path):
    folder = manuscript(tmp_path / "m", FETCHING)
    (folder / "dot.png").write_bytes(png())
    (folder / "clip.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42")
    out = tmp_path / "out"
    result = build(folder, out, "pdf", "epub", "html")
    assert result.exit_code == 0, result.output
    for warning in (
        "text.md:3: removed the srcset '/etc/passwd 2x' of <img>",
        "text.md:5: removed the poster 'https://127.0.0.1:9/p.png' of <video>",
        "text.md:5: removed the src '../../etc/hostname' of <track>",
        "text.md:7: removed the srcset 'https://127.0.0.1:9/a.webp' of <source>",
        "text.md:9: removed the ping 'https://127.0.0.1:9/ping' of <a>",
        "text.md:11: removed rel=\"attachment\" from the link to 'https://127.0.0.1:9/file.pdf'",
        "text.md:13: removed style with url() on <span>",
        "text.md:15: removed <object> element",
        "text.md:15: removed <link> element",
    ):
        assert warning in result.output
    page = (out / "t.html").read_bytes()
    with zipfile.ZipFile(out / "t.epub") as epub:
        xhtml = b"".join(epub.read(n) for n in epub.namelist() if n.endswith(".xhtml"))
    for edition in (page, xhtml):
        for forbidden in (b"srcset", b"poster", b"hostname", b"ping=", b"attachment", b"passwd"):
            assert forbidden not in edition
        assert b"u\\72l" not in edition and b"s.css" not in edition
        assert b"attached file" in edition and b"escaped" in edition


def test_an_attachment_outside_the_folder_builds_instead_of_crashing(tmp_path):
    text = 'A <a rel="attachment" href="/etc/passwd">file</a> to attach.\n'
    meta = "title: T\nbase-url: https://127.0.0.1:9/site/\n"
    folder = manuscript(tmp_path / "m", text, meta=meta)
    result = build(folder, tmp_path / "out", "pdf")
    assert result.exit_code == 0, result.output
    assert "text.md:1: removed rel=\"attachment\" from the link to '/etc/passwd'" in result.output
    assert b"/EmbeddedFile" not in (tmp_path / "out" / "t.pdf").read_bytes()


def test_a_fetch_refused_while_the_pdf_is_written_is_one_sentence(tmp_path):
    """Should an attachment reach WeasyPrint after all, its refusal, which WeasyPrint raises
    as a BaseException, becomes an error naming it."""
    import lxml.html

    from pipeline.layout.stage import lay_out

    folder = manuscript(tmp_path / "m", "A paragraph.\n")
    document = parse(load_manuscript(folder))
    link = lxml.html.fragment_fromstring(
        '<p><a rel="attachment" href="https://127.0.0.1:9/x.pdf">x</a></p>'
    )
    document.body.append(link)
    with pytest.raises(PipelineError) as raised:
        lay_out(document)
    assert "refers to https://127.0.0.1:9/x.pdf; a build never uses the network" in str(
        raised.value
    )


def test_a_library_base_exception_is_an_internal_error_in_one_sentence():
    from weasyprint.urls import FatalURLFetchingError

    @click.group(cls=PipelineGroup)
    def group() -> None:
        pass

    @group.command()
    def fetch() -> None:
        raise FatalURLFetchingError('Error fetching "file:///etc/passwd"')

    result = CliRunner().invoke(group, ["fetch"])
    assert result.exit_code == INTERNAL_ERROR
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: an internal error stopped")
    assert "FatalURLFetchingError" in lines[0]


def test_entities_a_drawing_program_declares_are_expanded(tmp_path):
    drawing = (
        '<?xml version="1.0"?>\n<!DOCTYPE svg [\n<!ENTITY ns_svg "http://www.w3.org/2000/svg">\n'
        '<!ENTITY st0 "fill:#00FF00;">\n]>\n'
        '<svg xmlns="&ns_svg;" width="20" height="20"><rect style="&st0;" width="9" height="9"/>'
        "</svg>\n"
    )
    folder = manuscript(tmp_path / "m", "Text.\n\n![A square](square.svg)\n")
    (folder / "square.svg").write_text(drawing)
    result = build(folder, tmp_path / "out", "epub")
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(tmp_path / "out" / "t.epub") as epub:
        (name,) = [n for n in epub.namelist() if n.endswith(".svg")]
        carried = epub.read(name)
    assert b'style="fill:#00FF00;"' in carried and b"<!DOCTYPE" not in carried
