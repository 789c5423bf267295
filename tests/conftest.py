"""Shared fixtures: the seed manuscript built once per session, and small fixture copies."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline.build import build

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "manuscript"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SMALL = FIXTURES / "small"


@pytest.fixture(scope="session")
def seed_editions(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every edition of the seed manuscript, built once for the whole session."""
    out = tmp_path_factory.mktemp("seed-build")
    return {edition.name: edition.path for edition in build(SEED, out_dir=out)}


@pytest.fixture(scope="session")
def small_editions(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("small-build")
    return {edition.name: edition.path for edition in build(SMALL, out_dir=out)}


@pytest.fixture
def small_copy(tmp_path: Path) -> Path:
    """A private copy of the small fixture manuscript that a test may break."""
    target = tmp_path / "small"
    shutil.copytree(SMALL, target)
    return target
