"""A manuscript is untrusted: it may not read outside its folder, reach the network or
carry active content into an edition."""

import os
import shutil
import time

import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.document import parse
from pipeline.manuscript import load_manuscript


def build(manuscript, out, *extra: str):
    args = ["build", str(manuscript), "-o", str(out), "--quiet", *extra]
    return CliRunner().invoke(cli, args)


def with_text(folder, text: str):
    (folder / "text.md").write_text(text, encoding="utf-8")
    return folder


OUTSIDE = {
    "absolute path": "/etc/passwd",
    "parent folders": "../../../../../../etc/passwd",
    "file URL": "file:///etc/passwd",
}


@pytest.mark.parametrize("reference", OUTSIDE.values(), ids=list(OUTSIDE))
def test_references_outside_the_manuscript_are_refused(reference, small_copy, tmp_path):
    with_text(small_copy, f"Some text.\n\n![A picture]({reference})\n")
    start = time.perf_counter()
    result = build(small_copy, tmp_path / "out")
    assert time.perf_counter() - start < 10
    assert result.exit_code == 2
    assert f"text.md:3: image refers to '{reference}'" in result.output
    assert not list((tmp_path / "out").glob("small-pamphlet*"))


def test_an_image_on_the_network_is_linked_never_fetched(small_copy, tmp_path):
    """Port 9 on the loopback address answers nothing: a fetch would hang or fail."""
    with_text(small_copy, "Some text.\n\n![A picture](http://127.0.0.1:9/x.png)\n")
    start = time.perf_counter()
    result = build(small_copy, tmp_path / "out")
    assert time.perf_counter() - start < 10
    assert result.exit_code == 0, result.output
    assert "text.md:3: links to the image http://127.0.0.1:9/x.png instead of showing it" in (
        result.output
    )
    page = (tmp_path / "out" / "small-pamphlet.html").read_text(encoding="utf-8")
    assert '<a href="http://127.0.0.1:9/x.png" class="remote-image">A picture</a>' in page


def test_symlink_leading_out_is_refused(small_copy, tmp_path):
    (small_copy / "images").mkdir()
    os.symlink("/etc/passwd", small_copy / "images" / "innocent.png")
    with_text(small_copy, "![A picture](images/innocent.png)\n")
    result = build(small_copy, tmp_path / "out")
    assert result.exit_code == 2
    assert "outside the manuscript folder" in result.output


def test_missing_image_names_the_line(small_copy, tmp_path):
    with_text(small_copy, "Text.\n\n\n![A picture](images/none.png)\n")
    result = build(small_copy, tmp_path / "out")
    assert result.exit_code == 2
    assert "text.md:4: image 'images/none.png' does not exist" in result.output


ACTIVE = (
    'Before <script>document.title="x"</script> after.\n\n'
    '<iframe src="https://example.org"></iframe>\n\n'
    'A <a href="javascript:alert(1)">link</a> and <span onmouseover="alert(2)">text</span>.\n'
)


def test_active_content_is_removed_and_reported(small_copy):
    with_text(small_copy, ACTIVE)
    document = parse(load_manuscript(small_copy))
    markup = document.body.text_content() + str(
        [dict(e.attrib) for e in document.body.iter() if isinstance(e.tag, str)]
    )
    for forbidden in ("document.title", "javascript:", "onmouseover"):
        assert forbidden not in markup
    assert not document.body.xpath("//script | //iframe")
    assert "Before" in markup and "after." in markup
    reported = "\n".join(document.warnings)
    assert "text.md:1: removed <script> element" in reported
    assert "text.md:3: removed <iframe> element" in reported
    assert "text.md:5: removed javascript: link" in reported
    assert "text.md:5: removed onmouseover attribute on <span>" in reported


@pytest.mark.parametrize("edition", ["pdf", "epub", "html"])
def test_no_edition_carries_active_content(edition, small_copy, tmp_path):
    import zipfile

    with_text(small_copy, ACTIVE)
    result = build(small_copy, tmp_path / "out", "--format", edition)
    assert result.exit_code == 0, result.output
    path = next((tmp_path / "out").glob(f"*.{edition}"))
    if edition == "epub":
        with zipfile.ZipFile(path) as archive:
            data = b"".join(archive.read(n) for n in archive.namelist())
    else:
        data = path.read_bytes()
    for forbidden in (b"<script", b"<iframe", b"javascript:", b"onmouseover"):
        assert forbidden not in data


def test_strict_mode_refuses_active_content(small_copy, tmp_path):
    with_text(small_copy, ACTIVE)
    result = build(small_copy, tmp_path / "out", "--strict")
    assert result.exit_code == 2
    assert "not allowed with --strict" in result.output


@pytest.mark.parametrize(
    "reference, expected",
    [
        ("file:///etc/hostname", "refers to /etc/hostname, outside the allowed folders"),
        ("http://127.0.0.1:9/x.png", "refers to http://127.0.0.1:9/x.png; a build never uses"),
    ],
    ids=["file outside", "network"],
)
def test_stylesheet_references_are_sandboxed(reference, expected, small_copy, tmp_path):
    from tests.conftest import ROOT

    styles = tmp_path / "styles"
    shutil.copytree(ROOT / "styles", styles)
    with (styles / "print.css").open("a") as css:
        css.write(f'\nbody {{ background: url("{reference}"); }}\n')
    start = time.perf_counter()
    result = build(small_copy, tmp_path / "out", "--styles", str(styles), "--format", "pdf")
    assert time.perf_counter() - start < 20
    assert result.exit_code == 2
    assert expected in result.output


def test_active_content_in_a_note_is_removed_too(small_copy):
    with_text(
        small_copy,
        'A call.[^n]\n\n[^n]: A <script>alert(1)</script> note <b onclick="x()">b</b>.\n',
    )
    document = parse(load_manuscript(small_copy))
    (note,) = document.notes
    assert "<script" not in note.html and "onclick" not in note.html
    assert "alert" not in note.text and "note b." in note.text
    assert any("text.md:3: removed <script> element" in w for w in document.warnings)
