"""Every step runs under a time limit and pandoc under a memory ceiling: markup that would
keep pandoc or the layout busy for minutes stops the build with one sentence naming the
step and the manuscript, and leaves the editions of the last good build as they were."""

from __future__ import annotations

import hashlib
from pathlib import Path

from click.testing import CliRunner

from pipeline.cli import cli
from tests.checks.helpers import manuscript

SLOW_FOR_PANDOC = "Some text.\n\n" + "[" * 5000 + "x\n"
"""Five thousand brackets never closed: this pandoc (3.9) works on them for minutes."""
HUNGRY_FOR_PANDOC = "Some text.\n\n" + "<div>" * 20000 + "\n"
"""Twenty thousand divs never closed: pandoc's memory grows past a few hundred MiB."""


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.glob("t*")}


def one_error(result) -> str:
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    return lines[0]


def test_pandoc_past_the_time_limit_stops_the_build_and_keeps_the_editions(tmp_path):
    folder = manuscript(tmp_path / "m", "A good first version.\n")
    out = tmp_path / "out"
    assert (
        run("build", str(folder), "-o", str(out), "-q", "-f", "html", "-f", "epub").exit_code == 0
    )
    before = digests(out)
    (folder / "text.md").write_text(SLOW_FOR_PANDOC, encoding="utf-8")
    result = run("build", str(folder), "-o", str(out), "-q", "--time-limit", "2")
    line = one_error(result)
    assert f"error: pandoc gave up after 2 s on {folder / 'text.md'}:" in line
    assert "--time-limit" in line
    assert digests(out) == before
    assert not list(out.glob(".*.part"))


def test_the_layout_past_the_time_limit_stops_the_build(tmp_path):
    paragraphs = "\n\n".join(
        f"Paragraph {n} of a long text, set line by line." for n in range(3000)
    )
    folder = manuscript(tmp_path / "m", paragraphs + "\n")
    out = tmp_path / "out"
    result = run("build", str(folder), "-o", str(out), "-q", "-f", "pdf", "--time-limit", "2")
    line = one_error(result)
    assert f"error: the print layout gave up after 2 s on {folder / 'text.md'}:" in line
    assert not list(out.glob("t*")) and not list(out.glob(".*.part"))


def test_pandoc_past_the_memory_ceiling_stops_the_build(tmp_path):
    folder = manuscript(tmp_path / "m", HUNGRY_FOR_PANDOC)
    out = tmp_path / "out"
    result = run("build", str(folder), "-o", str(out), "-q", "-f", "html", "--memory-limit", "300")
    line = one_error(result)
    assert f"error: pandoc ran out of memory on {folder / 'text.md'}:" in line
    assert "300 MiB (--memory-limit)" in line
    assert not list(out.glob("t*"))


def test_the_check_command_has_the_time_limit_too(tmp_path):
    folder = manuscript(tmp_path / "m", SLOW_FOR_PANDOC)
    build_dir = str(tmp_path / "build")
    result = run("check", str(folder), "-b", build_dir, "--only", "cross", "--time-limit", "2")
    line = one_error(result)
    assert "pandoc gave up after 2 s" in line


def test_a_manuscript_within_the_limits_builds_under_them(tmp_path):
    folder = manuscript(tmp_path / "m", "A short text.[^n]\n\n[^n]: A note.\n")
    out = tmp_path / "out"
    args = ("--time-limit", "60", "--memory-limit", "1024")
    result = run("build", str(folder), "-o", str(out), "-q", "-f", "pdf", "-f", "html", *args)
    assert result.exit_code == 0, result.output
    assert (out / "t.pdf").is_file() and (out / "t.html").is_file()
