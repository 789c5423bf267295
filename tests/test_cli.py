"""End to end through Click: builds, and bad input that must leave earlier outputs alone."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import cli


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def build_small(manuscript: Path, out: Path, *formats: str):
    flags = [arg for fmt in formats for arg in ("--format", fmt)]
    return run("build", str(manuscript), "--output-dir", str(out), "--quiet", *flags)


def test_build_writes_requested_format_only(small_copy, tmp_path):
    result = build_small(small_copy, tmp_path / "out", "html")
    assert result.exit_code == 0, result.output
    assert [p.name for p in (tmp_path / "out").glob("small-pamphlet*")] == ["small-pamphlet.html"]


def test_help_lists_commands():
    result = run("--help")
    assert result.exit_code == 0 and "build" in result.output


def editions(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in out.glob("small-pamphlet*")}


BREAKAGES = {
    "missing metadata": (lambda m: (m / "metadata.yaml").unlink(), "has no metadata.yaml"),
    "malformed metadata": (
        lambda m: (m / "metadata.yaml").write_text("title: [unclosed\n"),
        "metadata.yaml:",
    ),
    "missing title": (
        lambda m: (m / "metadata.yaml").write_text("author: Somebody\n"),
        "has no 'title'",
    ),
    "unknown citation key": (
        lambda m: (m / "text.md").write_text("Text [@no-such-key].\n"),
        "text.md:1: cites @no-such-key",
    ),
    "undefined footnote": (
        lambda m: (m / "text.md").write_text("Fine.\n\nA call[^nowhere].\n"),
        "text.md:3: footnote [^nowhere]",
    ),
}


@pytest.mark.parametrize("breakage", BREAKAGES, ids=list(BREAKAGES))
def test_bad_input_exits_2_and_keeps_previous_outputs(breakage, small_copy, tmp_path):
    out = tmp_path / "out"
    assert build_small(small_copy, out, "html", "epub").exit_code == 0
    before = editions(out)

    breaker, expected = BREAKAGES[breakage]
    breaker(small_copy)
    result = build_small(small_copy, out, "html", "epub")

    assert result.exit_code == 2
    assert expected in result.output
    message = result.output.strip()
    assert message.startswith("error: ") and "Traceback" not in message
    assert len(message.splitlines()) == 1
    assert editions(out) == before


def test_slug_prints_the_file_stem(small_copy):
    result = run("slug", str(small_copy))
    assert result.exit_code == 0 and result.output.strip() == "small-pamphlet"
    meta = small_copy / "metadata.yaml"
    meta.write_text(meta.read_text().replace("slug: small-pamphlet\n", ""))
    assert run("slug", str(small_copy)).output.strip() == "a-small-pamphlet"


@pytest.mark.parametrize("tweaks", ["all", "none"])
def test_the_command_ends_with_its_exit_code_and_all_its_output(tweaks, tmp_path):
    """Through the installed command, which leaves without Python's teardown."""
    env = {**os.environ, "PIPELINE_ENGINE_TWEAKS": tweaks}
    command = str(Path(sys.executable).parent / "pipeline")
    helped = subprocess.run([command, "build", "--help"], capture_output=True, text=True, env=env)
    assert helped.returncode == 0
    assert helped.stdout.rstrip().endswith("Show this message and exit.")
    refused = subprocess.run(
        [command, "build", str(tmp_path / "nowhere"), "-q"], capture_output=True, text=True, env=env
    )
    assert refused.returncode == 2
    assert refused.stderr.strip().splitlines() == [
        f"error: {tmp_path / 'nowhere'}: is not a manuscript folder or Markdown file"
    ]
    unknown = subprocess.run([command, "--bogus"], capture_output=True, text=True, env=env)
    assert unknown.returncode == 2 and "No such option" in unknown.stderr
