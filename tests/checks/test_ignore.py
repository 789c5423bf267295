"""A manuscript silences rules by id with ``checks: ignore:`` in its metadata: they do not
run, the report counts them, and an id that names no rule is refused."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from pipeline.checks.registry import all_rules
from pipeline.checks.run import run_checks
from pipeline.cli import cli
from tests.checks.helpers import fired

RULE_FIXTURES = Path(__file__).resolve().parent / "rules"
MANUSCRIPT_RULES = sum(1 for r in all_rules().values() if r.subject == "manuscript")


def fixture_copy(rule_id: str, tmp_path: Path, ignore: str | None = None) -> Path:
    """A copy of a rule's fixture manuscript, with ``ignore`` as its ``checks.ignore``."""
    folder = shutil.copytree(RULE_FIXTURES / rule_id, tmp_path / rule_id)
    (folder / "expect.yaml").unlink()
    if ignore is not None:
        with (folder / "metadata.yaml").open("a", encoding="utf-8") as metadata:
            metadata.write(f"checks:\n  ignore: {ignore}\n")
    return folder


def check(folder: Path, *options: str):
    return CliRunner().invoke(cli, ["check", str(folder), "--only", "manuscript", *options])


def test_a_silenced_rule_no_longer_fires(tmp_path):
    loud = fixture_copy("manuscript.straight-quote", tmp_path / "loud")
    assert "manuscript.straight-quote" in fired(loud, "manuscript")
    quiet = fixture_copy("manuscript.straight-quote", tmp_path, "[manuscript.straight-quote]")
    report = run_checks(quiet, quiet / "build", ["manuscript"])
    assert report.findings == []
    assert (report.rules, report.silenced) == (MANUSCRIPT_RULES - 1, 1)


def test_silencing_an_error_rule_changes_the_exit_code(tmp_path):
    loud = fixture_copy("manuscript.unknown-citation", tmp_path / "loud")
    assert check(loud).exit_code == 1
    quiet = fixture_copy("manuscript.unknown-citation", tmp_path, "[manuscript.unknown-citation]")
    result = check(quiet)
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("0 errors, 0 warnings, 1 silenced")


def test_json_counts_the_silenced_rules_of_the_checked_subjects(tmp_path):
    """epub.page-list would not run with --only manuscript, so it is not counted."""
    ignore = "[manuscript.straight-quote, manuscript.doubled-word, epub.page-list]"
    folder = fixture_copy("manuscript.straight-quote", tmp_path, ignore)
    result = check(folder, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["silenced"] == 2
    assert report["rules"] == MANUSCRIPT_RULES - 2
    assert report["findings"] == []


def test_nothing_silenced_is_said_only_in_json(tmp_path):
    folder = fixture_copy("manuscript.straight-quote", tmp_path)
    assert "silenced" not in check(folder).output
    assert json.loads(check(folder, "--json").output)["silenced"] == 0


def test_an_unknown_rule_id_is_an_error_with_its_line(tmp_path):
    folder = fixture_copy("manuscript.straight-quote", tmp_path, "[manuscript.straight-quotes]")
    result = check(folder)
    assert result.exit_code == 2
    metadata = folder / "metadata.yaml"
    assert result.output.startswith(f"error: {metadata}:3: 'checks.ignore' names ")
    assert "did you mean manuscript.straight-quote?" in result.output
