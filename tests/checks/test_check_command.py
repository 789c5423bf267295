"""`pipeline check` end to end: the table, the JSON and the exit codes."""

import json
import shutil

from click.testing import CliRunner

from pipeline.cli import cli
from tests.checks.helpers import manuscript
from tests.conftest import FIXTURES


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_clean_manuscript_exits_0(tmp_path):
    folder = manuscript(tmp_path / "m", "# One\n\nClean text.\n")
    result = run("check", str(folder), "--only", "manuscript")
    assert result.exit_code == 0, result.output
    assert "0 errors, 0 warnings" in result.output


def test_errors_exit_1_and_json_lists_them(tmp_path):
    folder = manuscript(tmp_path / "m", "Cites [@ghost] and calls[^x].\n")
    result = run("check", str(folder), "--only", "manuscript", "--json")
    assert result.exit_code == 1
    report = json.loads(result.output)
    rules = {finding["rule"] for finding in report["findings"]}
    assert rules == {"manuscript.unknown-citation", "manuscript.undefined-note"}
    assert report["errors"] == 2 and report["warnings"] == 0


def test_warnings_alone_exit_0_with_a_table(tmp_path):
    folder = manuscript(tmp_path / "raw", "")
    shutil.copy(FIXTURES / "source" / "communist-fractions-1922-3.txt", folder / "text.md")
    result = run("check", str(folder), "--only", "manuscript")
    assert result.exit_code == 0
    assert "manuscript.hyphen-as-dash" in result.output
    assert "text.md:5" in result.output


def test_bad_input_exits_2(tmp_path):
    result = run("check", str(tmp_path / "missing"))
    assert result.exit_code == 2
    assert result.output.startswith("error: ")


def test_usage_error_exits_2(tmp_path):
    result = run("check", "--only", "nonsense")
    assert result.exit_code == 2
