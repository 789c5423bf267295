"""Sample sources for the importers, made once per session from Markdown by real pandoc."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.importers.support import FIXTURES, pandoc, tiny_png

SAMPLE_METADATA = [
    "--metadata=title:A Test Pamphlet",
    "--metadata=author:Ada Writer",
    "--metadata=lang:fr-FR",
]


@pytest.fixture(scope="session")
def samples(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """sample.docx and sample.odt from ``fixtures/import/sample.md``, and sample.html,
    each with the image it shows."""
    folder = tmp_path_factory.mktemp("import-samples")
    (folder / "dot.png").write_bytes(tiny_png())
    shutil.copy(FIXTURES / "sample.md", folder)
    shutil.copy(FIXTURES / "sample.html", folder)
    for suffix in ("docx", "odt"):
        pandoc(*SAMPLE_METADATA, "sample.md", "-o", f"sample.{suffix}", cwd=folder)
    return {suffix: folder / f"sample.{suffix}" for suffix in ("docx", "odt", "html")}
