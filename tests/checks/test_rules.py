"""Every registered rule has a fixture folder under tests/checks/rules/, named by its id,
and checking that fixture reports the rule (and no rule of its subject it does not expect).

A folder holds ``expect.yaml``: ``reports``, a regular expression that one of the rule's
findings, written ``place: message``, matches from its start, and ``also``, the other rules
of the same subject the fixture makes fire (usually none). Beside it, a manuscript rule's
folder holds a tiny manuscript (``metadata.yaml``, ``text.md``, maybe ``references.bib``);
an edition or cross-edition rule's folder holds ``break.yaml``, which says how to break the
built editions of tests/fixtures/small (see breakage.py).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from shutil import ignore_patterns
from typing import Any

import pytest
import yaml

from pipeline.build import build
from pipeline.checks.registry import all_rules
from tests.checks.breakage import apply_breakage
from tests.checks.helpers import fired
from tests.conftest import ROOT, SMALL

RULE_FIXTURES = Path(__file__).resolve().parent / "rules"


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every edition of the small fixture, built once for this module."""
    out = tmp_path_factory.mktemp("pristine")
    build(SMALL, out_dir=out)
    return out


def expectation(folder: Path) -> dict[str, Any]:
    expect = yaml.safe_load((folder / "expect.yaml").read_text(encoding="utf-8"))
    assert set(expect) <= {"reports", "also"}, f"{folder}/expect.yaml: {sorted(expect)}"
    return {"reports": expect["reports"], "also": set(expect.get("also") or [])}


def findings_of(rule_id: str, folder: Path, request: pytest.FixtureRequest, tmp_path: Path):
    """What the rule's subject reports on the fixture; an edition breakage must also leave
    the subject clean before it breaks anything."""
    subject = rule_id.split(".", 1)[0]
    if (folder / "break.yaml").is_file():
        built = tmp_path / "build"
        shutil.copytree(request.getfixturevalue("pristine"), built)
        assert fired(SMALL, subject, build_dir=built) == {}
        apply_breakage(folder / "break.yaml", built)
        return fired(SMALL, subject, build_dir=built)
    assert (folder / "metadata.yaml").is_file(), f"{folder}: no break.yaml and no manuscript"
    manuscript = shutil.copytree(folder, tmp_path / "m", ignore=ignore_patterns("expect.yaml"))
    return fired(manuscript, subject)


@pytest.mark.parametrize("rule_id", sorted(all_rules()))
def test_rule_fires_on_its_fixture(rule_id, request, tmp_path):
    folder = RULE_FIXTURES / rule_id
    assert folder.is_dir(), f"rule {rule_id} has no fixture folder {folder}"
    expect = expectation(folder)
    found = findings_of(rule_id, folder, request, tmp_path)
    assert set(found) == {rule_id} | expect["also"], found
    assert any(re.match(expect["reports"], f) for f in found[rule_id]), found[rule_id]


def test_every_fixture_folder_names_a_rule():
    folders = {path.name for path in RULE_FIXTURES.iterdir() if path.is_dir()}
    assert folders - set(all_rules()) == set()


def test_the_commands_guide_lists_every_rule():
    guide = (ROOT / "docs" / "commands.md").read_text(encoding="utf-8")
    assert [rule_id for rule_id in all_rules() if f"| `{rule_id}` |" not in guide] == []
