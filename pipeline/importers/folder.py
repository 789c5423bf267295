"""Write an imported manuscript: metadata.yaml, text.md, references.bib and images/.

A folder that already holds files is left alone unless the caller forces it; even then an
existing ``references.bib`` is kept, since nothing in the source replaces an editor's
bibliography. Every file is written atomically, and ``images/`` is swapped in whole.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from pathlib import Path
from typing import Any

import yaml

from pipeline.errors import PipelineError
from pipeline.files import atomic_write

METADATA_FILE = "metadata.yaml"
TEXT_FILE = "text.md"
BIBLIOGRAPHY_FILE = "references.bib"
IMAGES_DIR = "images"
BIBLIOGRAPHY_STUB = """\
% The bibliography of this manuscript, in BibTeX.
% Add an entry for each work the text cites, e.g. @book{carr-interregnum, ...},
% and cite it in text.md as [@carr-interregnum, 368].
"""


def check_target(folder: Path, force: bool) -> None:
    """Refuse a folder that is a file, or that holds files when ``force`` is not given."""
    if folder.exists() and not folder.is_dir():
        raise PipelineError("exists and is not a folder", folder)
    if folder.is_dir() and any(folder.iterdir()) and not force:
        raise PipelineError(
            "is not empty; use --force to replace its metadata.yaml, text.md and images/",
            folder,
        )


def write_manuscript(
    folder: Path,
    metadata: dict[str, Any],
    markdown: str,
    media: dict[str, Path],
    source: Path,
    force: bool,
) -> None:
    check_target(folder, force)
    folder.mkdir(parents=True, exist_ok=True)
    _replace_images(folder, media)
    atomic_write(folder / TEXT_FILE, markdown.encode("utf-8"))
    atomic_write(folder / METADATA_FILE, metadata_yaml(metadata, source).encode("utf-8"))
    bibliography = folder / BIBLIOGRAPHY_FILE
    if not bibliography.exists():
        atomic_write(bibliography, BIBLIOGRAPHY_STUB.encode("utf-8"))


def metadata_yaml(metadata: dict[str, Any], source: Path) -> str:
    body = yaml.safe_dump(
        metadata, allow_unicode=True, sort_keys=False, default_flow_style=False, width=1000
    )
    return f"# Imported from {source.name} by `pipeline import`: check every value.\n{body}"


def _replace_images(folder: Path, media: dict[str, Path]) -> None:
    """Put the media in a fresh images/ folder, replacing any earlier one only when done."""
    target = folder / IMAGES_DIR
    if not media and not target.exists():
        return
    staging = Path(tempfile.mkdtemp(prefix=".images.", dir=folder))
    try:
        for name, file in media.items():
            shutil.copyfile(file, staging / name)
        staging.chmod(0o755)
        old = None
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=".images-old.", dir=folder))
            target.rename(old / IMAGES_DIR)
        if media:
            staging.rename(target)
        if old is not None:
            shutil.rmtree(old)
    finally:
        with contextlib.suppress(FileNotFoundError):
            shutil.rmtree(staging)
