"""A series: two titles built with one command, and with make -j, each into build/<slug>/;
the second title's own styles/screen.css overrides the shared one for it alone."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.build import build
from pipeline.cli import cli
from pipeline.errors import PipelineError
from pipeline.files import STYLES_DIR
from pipeline.manuscript import load_manuscript
from pipeline.series import build_series, load_series
from tests.conftest import FIXTURES, ROOT

SERIES = FIXTURES / "series"
ALPHA, BETA = SERIES / "alpha", SERIES / "beta"
OVERRIDE_COLOUR = "#f1f5fb"


@pytest.fixture(scope="module")
def series_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("series-build")
    build_series(load_series(SERIES / "series.yaml"), out, ["pdf", "html"])
    return out


def test_style_path_prefers_the_titles_own_file() -> None:
    beta = load_manuscript(BETA)
    assert beta.style_path("screen.css") == (BETA / "styles" / "screen.css").resolve()
    assert beta.style_path("print.css") == STYLES_DIR / "print.css"
    assert load_manuscript(ALPHA).style_path("screen.css") == STYLES_DIR / "screen.css"


def test_each_title_builds_into_its_own_folder(series_build: Path) -> None:
    written = sorted(str(p.relative_to(series_build)) for p in series_build.glob("*/[!.]*"))
    assert written == [
        "series-alpha/series-alpha.html",
        "series-alpha/series-alpha.pdf",
        "series-beta/series-beta.html",
        "series-beta/series-beta.pdf",
    ]


def test_the_override_changes_only_its_own_title(series_build: Path, tmp_path: Path) -> None:
    alpha = (series_build / "series-alpha" / "series-alpha.html").read_text(encoding="utf-8")
    beta = (series_build / "series-beta" / "series-beta.html").read_text(encoding="utf-8")
    shared = (STYLES_DIR / "screen.css").read_text(encoding="utf-8")
    assert OVERRIDE_COLOUR in beta and shared not in beta
    assert shared in alpha and OVERRIDE_COLOUR not in alpha
    alone = build(ALPHA, ["html"], tmp_path)[0].path
    assert alone.read_text(encoding="utf-8") == alpha


def test_a_folder_without_series_file_holds_its_titles_in_manuscripts(tmp_path: Path) -> None:
    for title in (ALPHA, BETA):
        shutil.copytree(title, tmp_path / "manuscripts" / title.name)
    series = load_series(tmp_path)
    assert [title.name for title in series.titles] == ["alpha", "beta"]


@pytest.mark.parametrize(
    ("series_yaml", "message", "line"),
    [
        ("manuscripts: [alpha]\ncolour: blue\n", "unknown key 'colour'", 2),
        ("manuscripts:\n  - alpha\n  - gamma\n", "lists 'gamma', which has no metadata.yaml", 3),
        ("manuscripts: alpha\n", "'manuscripts' must be a list of folders", 1),
        ("manuscripts: [alpha]\nstyles: nowhere\n", "'styles' names 'nowhere'", 2),
    ],
)
def test_a_bad_series_file_names_the_key_and_line(
    tmp_path: Path, series_yaml: str, message: str, line: int
) -> None:
    shutil.copytree(ALPHA, tmp_path / "alpha")
    (tmp_path / "series.yaml").write_text(series_yaml, encoding="utf-8")
    with pytest.raises(PipelineError) as caught:
        load_series(tmp_path)
    assert message in str(caught.value)
    assert caught.value.line == line


def test_two_titles_with_one_slug_stop_the_series(tmp_path: Path) -> None:
    for name in ("one", "two"):
        shutil.copytree(ALPHA, tmp_path / "manuscripts" / name)
    with pytest.raises(PipelineError, match="has the slug 'series-alpha'"):
        build_series(load_series(tmp_path), tmp_path / "build", ["html"])
    assert not (tmp_path / "build").exists()


def test_series_commands(tmp_path: Path) -> None:
    runner = CliRunner()
    listed = runner.invoke(cli, ["series", "list", str(SERIES)])
    assert listed.exit_code == 0, listed.output
    assert listed.output.split() == [str(SERIES / "alpha"), str(SERIES / "beta")]
    out = tmp_path / "build"
    built = runner.invoke(
        cli, ["series", "build", str(SERIES), "-f", "html", "-o", str(out), "--only", str(BETA)]
    )
    assert built.exit_code == 0, built.output
    assert [p.name for p in out.iterdir()] == ["series-beta"]


def test_make_builds_the_series_side_by_side(tmp_path: Path) -> None:
    out = tmp_path / "build"
    make = ["make", "-j2", "-o", ".venv/.installed", "series", f"SERIES={SERIES}", f"BUILD={out}"]
    first = subprocess.run(
        [*make, "SERIES_FLAGS=-f html"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert first.returncode == 0, first.stdout + first.stderr
    assert (out / "series-alpha" / "series-alpha.html").is_file()
    assert (out / "series-beta" / "series-beta.html").is_file()
    again = subprocess.run(
        [*make, "SERIES_FLAGS=-f html"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert again.returncode == 0 and "series build" not in again.stdout, again.stdout
