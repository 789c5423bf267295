"""The Makefile, as users run it: builds, no-op rebuilds, parallel builds."""

import shutil
import subprocess
from pathlib import Path

from pipeline.checks.extract import read_epub, read_html
from tests.conftest import FIXTURES, ROOT, SMALL


def make(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["make", "--no-print-directory", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_make_builds_then_does_nothing(tmp_path):
    out = tmp_path / "build"
    first = make(f"MANUSCRIPT={SMALL}", f"BUILD={out}")
    assert first.returncode == 0, first.stderr
    assert sorted(p.name for p in out.glob("small-pamphlet*")) == [
        "small-pamphlet-booklet.pdf",
        "small-pamphlet-cover.pdf",
        "small-pamphlet.epub",
        "small-pamphlet.html",
        "small-pamphlet.pdf",
    ]
    again = make(f"MANUSCRIPT={SMALL}", f"BUILD={out}")
    assert again.returncode == 0
    assert "pipeline build" not in again.stdout


def test_make_rebuilds_after_an_edit(tmp_path):
    manuscript = tmp_path / "m"
    shutil.copytree(SMALL, manuscript)
    out = tmp_path / "build"
    assert make(f"MANUSCRIPT={manuscript}", f"BUILD={out}", "html").returncode == 0
    text = manuscript / "text.md"
    text.write_text(text.read_text().replace("A last paragraph", "A final paragraph"))
    result = make(f"MANUSCRIPT={manuscript}", f"BUILD={out}", "html")
    assert result.returncode == 0 and "pipeline build" in result.stdout
    assert "A final paragraph" in (out / "small-pamphlet.html").read_text()


def test_two_manuscripts_built_in_parallel(tmp_path):
    second = tmp_path / "second"
    shutil.copytree(SMALL, second)
    meta = second / "metadata.yaml"
    meta.write_text(meta.read_text().replace("slug: small-pamphlet", "slug: second-pamphlet"))
    out = tmp_path / "build"
    commands = [
        ["make", "-j4", f"MANUSCRIPT={folder}", f"BUILD={out}"] for folder in (SMALL, second)
    ]
    running = [subprocess.Popen(c, cwd=ROOT, stdout=subprocess.PIPE) for c in commands]
    assert [p.wait(timeout=600) for p in running] == [0, 0]
    for slug in ("small-pamphlet", "second-pamphlet"):
        assert len(read_html(out / f"{slug}.html").notes) == 4
        assert len(read_epub(out / f"{slug}.epub").notes) == 4
        assert (out / f"{slug}.pdf").read_bytes().startswith(b"%PDF")


def test_makefile_deletes_targets_on_error():
    assert ".DELETE_ON_ERROR:" in (Path(ROOT) / "Makefile").read_text()


def test_make_builds_a_single_file_and_follows_its_bibliography(tmp_path):
    folder = tmp_path / "essay"
    shutil.copytree(FIXTURES / "single-file", folder)
    essay, out = folder / "essay.md", tmp_path / "build"
    first = make(f"MANUSCRIPT={essay}", f"BUILD={out}", "html", "epub")
    assert first.returncode == 0, first.stderr
    built = {p.name for p in out.glob("on-folding-a-sheet*")}
    assert {f"on-folding-a-sheet{suffix}" for suffix in (".pdf", ".epub", ".html")} <= built
    assert len(read_html(out / "on-folding-a-sheet.html").notes) == 4
    again = make(f"MANUSCRIPT={essay}", f"BUILD={out}", "html")
    assert again.returncode == 0 and "pipeline build" not in again.stdout
    bib = folder / "essay.bib"
    bib.write_text(bib.read_text().replace("year = {1972}", "year = {1974}"))
    edited = make(f"MANUSCRIPT={essay}", f"BUILD={out}", "html")
    assert edited.returncode == 0 and "pipeline build" in edited.stdout
    assert "1974" in (out / "on-folding-a-sheet.html").read_text()
    essay.write_text(essay.read_text().replace("gains a book", "gains a pamphlet"))
    assert "pipeline build" in make(f"MANUSCRIPT={essay}", f"BUILD={out}", "html").stdout
    assert "gains a pamphlet" in (out / "on-folding-a-sheet.html").read_text()


def test_make_builds_a_folder_whose_text_has_front_matter(tmp_path):
    out = tmp_path / "build"
    result = make(f"MANUSCRIPT={FIXTURES / 'front-matter-folder'}", f"BUILD={out}", "html")
    assert result.returncode == 0, result.stderr
    assert len(read_html(out / "notes-from-the-bindery.html").notes) == 2
