"""Shared fixtures: the seed manuscript built once per session, and small fixture copies."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from pipeline.build import build
from pipeline.checks.validators import client as validator_server

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "manuscript"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SMALL = FIXTURES / "small"
ILLUSTRATED = FIXTURES / "illustrated"
FIXTURE_MANUSCRIPTS = tuple(sorted(p.parent.name for p in FIXTURES.glob("*/metadata.yaml")))


@pytest.fixture(scope="session", autouse=True)
def validator_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A validator server of the session's own, in a folder of its own (also for the
    commands tests run as subprocesses), stopped at the end: a test run leaves no JVM."""
    folder = tmp_path_factory.mktemp("validators")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PIPELINE_VALIDATOR_DIR", str(folder))
        patch.delenv("PIPELINE_VALIDATOR_IDLE", raising=False)
        try:
            yield folder
        finally:
            validator_server.stop()


@pytest.fixture(scope="session")
def seed_editions(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every edition of the seed manuscript, built once for the whole session."""
    out = tmp_path_factory.mktemp("seed-build")
    return {edition.name: edition.path for edition in build(SEED, out_dir=out)}


@pytest.fixture(scope="session")
def small_editions(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("small-build")
    return {edition.name: edition.path for edition in build(SMALL, out_dir=out)}


@pytest.fixture(scope="session")
def long_note_editions(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The print edition and booklet of the long-note fixture: a note longer than its page,
    a Cyrillic word, a table of contents and every colophon field."""
    out = tmp_path_factory.mktemp("long-note-build")
    editions = build(FIXTURES / "long-note", ["pdf", "booklet"], out_dir=out)
    return {edition.name: edition.path for edition in editions}


@pytest.fixture
def small_copy(tmp_path: Path) -> Path:
    """A private copy of the small fixture manuscript that a test may break."""
    target = tmp_path / "small"
    shutil.copytree(SMALL, target)
    return target


@pytest.fixture(scope="session")
def epub_builds(
    seed_editions: dict[str, Path],
    small_editions: dict[str, Path],
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, Path]:
    """The EPUB of the seed, of every fixture manuscript, and of the illustrated fixture cut
    at its level-2 headings. Fixtures other than the small one are built as EPUB alone, so
    that the EPUB lays out the print pages for its page list itself."""
    out = tmp_path_factory.mktemp("epub-builds")
    epubs = {"seed": seed_editions["epub"], "small": small_editions["epub"]}
    for name in FIXTURE_MANUSCRIPTS:
        if name not in epubs:
            epubs[name] = build(FIXTURES / name, ["epub"], out / name)[0].path
    split = out / "illustrated-split-source"
    shutil.copytree(ILLUSTRATED, split)
    with (split / "metadata.yaml").open("a", encoding="utf-8") as metadata:
        metadata.write("epub:\n  split-level: 2\n")
    epubs["illustrated-split"] = build(split, ["epub"], out / "illustrated-split")[0].path
    return epubs


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Debian Chromium for every browser test: Playwright's sync API allows
    one instance at a time in a process."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
