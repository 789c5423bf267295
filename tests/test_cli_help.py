"""Every command explains itself: a docstring with an example, help for every option."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from pipeline.cli import cli


def commands(group: click.Group, prefix: tuple[str, ...] = ()):
    for name, command in group.commands.items():
        path = (*prefix, name)
        yield path, command
        if isinstance(command, click.Group):
            yield from commands(command, path)


ALL = [((), cli), *commands(cli)]


@pytest.mark.parametrize("path,command", ALL, ids=[" ".join(p) or "pipeline" for p, _ in ALL])
def test_help_has_an_example_and_explains_every_option(path, command):
    result = CliRunner().invoke(cli, [*path, "--help"], prog_name="pipeline")
    assert result.exit_code == 0
    examples = [
        line.strip() for line in (command.help or "").splitlines() if "    pipeline" in line
    ]
    assert any(line.startswith(" ".join(("pipeline", *path))) for line in examples)
    undocumented = [
        param.name for param in command.params if isinstance(param, click.Option) and not param.help
    ]
    assert undocumented == []
    assert result.output.startswith(f"Usage: pipeline {' '.join(path)}".rstrip())


def test_top_level_help_walks_through_new_build_check():
    output = CliRunner().invoke(cli, ["--help"]).output
    lines = [line.strip() for line in output.splitlines()]
    assert [line.split()[1] for line in lines if line.startswith("pipeline ")][:3] == [
        "new",
        "build",
        "check",
    ]
    for name in ("build", "check", "import", "new"):
        assert any(line.startswith(f"{name} ") for line in lines)
