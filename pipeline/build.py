"""The build stage: parse the manuscript once, then write each requested edition from it."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from pipeline.document import Document, parse
from pipeline.editions import FORMATS, BuildContext, registry
from pipeline.manuscript import load_manuscript


@dataclass(frozen=True)
class BuiltEdition:
    name: str
    path: Path
    size: int
    seconds: float


Progress = Callable[[str], None]


def output_path(out_dir: Path, slug: str, suffix: str) -> Path:
    return out_dir / f"{slug}{suffix}"


def build(
    manuscript_dir: Path,
    formats: Iterable[str] = FORMATS,
    out_dir: Path = Path("build"),
    styles: Path | None = None,
    progress: Progress = lambda message: None,
) -> list[BuiltEdition]:
    """Build the requested editions; raise PipelineError on bad input before writing any."""
    progress("reading the manuscript")
    manuscript = load_manuscript(manuscript_dir, styles)
    progress("parsing with pandoc")
    document = parse(manuscript)
    return write_editions(document, formats, out_dir, progress)


def write_editions(
    document: Document, formats: Iterable[str], out_dir: Path, progress: Progress
) -> list[BuiltEdition]:
    editions = registry()
    context = BuildContext()
    built = []
    for name in formats:
        edition = editions[name]
        target = output_path(out_dir, document.manuscript.slug, edition.suffix)
        progress(f"writing the {name.upper()} edition")
        start = time.perf_counter()
        edition.write(document, target, context)
        built.append(BuiltEdition(name, target, target.stat().st_size, time.perf_counter() - start))
    return built
