"""Unchanged editions are kept; a style change rebuilds only the editions that read it."""

import shutil

from pipeline.build import build
from tests.conftest import ROOT, SMALL


def written(manuscript, out, styles) -> set[str]:
    messages: list[str] = []
    build(manuscript, out_dir=out, styles=styles, progress=messages.append)
    return {m.split()[2].lower() for m in messages if m.startswith("writing the")}


def test_style_changes_rebuild_only_their_editions(tmp_path):
    styles = tmp_path / "styles"
    shutil.copytree(ROOT / "styles", styles)
    out = tmp_path / "out"
    assert written(SMALL, out, styles) == {"pdf", "booklet", "cover", "epub", "html"}
    assert written(SMALL, out, styles) == set()

    with (styles / "print.css").open("a") as css:
        css.write("\nh2 { color: #222; }\n")
    assert written(SMALL, out, styles) == {"pdf", "booklet", "cover"}

    with (styles / "epub.css").open("a") as css:
        css.write("\nh1 { color: #222; }\n")
    assert written(SMALL, out, styles) == {"epub"}

    with (styles / "screen.css").open("a") as css:
        css.write("\nh2 { color: #222; }\n")
    assert written(SMALL, out, styles) == {"html"}


def test_a_print_change_that_moves_pages_rebuilds_the_epub_page_list(tmp_path):
    styles = tmp_path / "styles"
    shutil.copytree(ROOT / "styles", styles)
    out = tmp_path / "out"
    written(SMALL, out, styles)
    with (styles / "print.css").open("a") as css:
        css.write("\nmain p { font-size: 24pt; }\n")
    assert written(SMALL, out, styles) == {"pdf", "booklet", "cover", "epub"}


def test_a_changed_or_missing_output_is_rebuilt(tmp_path):
    out = tmp_path / "out"
    written(SMALL, out, None)
    (out / "small-pamphlet.html").write_text("tampered")
    (out / "small-pamphlet.epub").unlink()
    assert written(SMALL, out, None) == {"html", "epub"}
