"""A series: several manuscripts in one repository, built with one command, each into its
own folder ``build/<slug>/``.

The titles are those ``series.yaml`` lists, or else every folder of ``manuscripts/`` that
holds a ``metadata.yaml``. They share the styles (the project's ``styles/``, or the folder
``series.yaml`` names); a title overrides any of them file by file with its own ``styles/``
folder (see ``Manuscript.style_path``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from pipeline.build import BuiltEdition, build
from pipeline.editions import FORMATS
from pipeline.errors import PipelineError
from pipeline.files import read_text
from pipeline.manuscript import METADATA_FILE, load_manuscript

SERIES_FILE = "series.yaml"
MANUSCRIPTS_FOLDER = "manuscripts"
KEYS = ("styles", "manuscripts")


@dataclass(frozen=True)
class Series:
    root: Path
    titles: tuple[Path, ...]
    styles: Path | None = None


@dataclass(frozen=True)
class BuiltTitle:
    manuscript: Path
    slug: str
    editions: list[BuiltEdition]


def load_series(location: Path) -> Series:
    """The series a ``series.yaml`` describes, or the one a folder holds: its ``series.yaml``
    if it has one, else every ``manuscripts/*/`` folder with a metadata file."""
    if location.is_dir():
        if not (location / SERIES_FILE).is_file():
            return Series(location, _found_titles(location))
        location = location / SERIES_FILE
    if not location.is_file():
        raise PipelineError("is neither a series file nor a folder", location)
    return _read_series_file(location)


def _found_titles(root: Path) -> tuple[Path, ...]:
    titles = tuple(sorted(p.parent for p in (root / MANUSCRIPTS_FOLDER).glob(f"*/{METADATA_FILE}")))
    if not titles:
        raise PipelineError(
            f"has no {SERIES_FILE} and no {MANUSCRIPTS_FOLDER}/*/{METADATA_FILE}", root
        )
    return titles


def _read_series_file(path: Path) -> Series:
    try:
        node = yaml.compose(read_text(path), Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        raise PipelineError("is not valid YAML", path) from None
    if node is None:
        return Series(path.parent, _found_titles(path.parent))
    if not isinstance(node, yaml.MappingNode):
        raise PipelineError("must be a map of keys to values", path, _line(node))
    values = {}
    for key_node, value_node in node.value:
        key = key_node.value
        if key not in KEYS:
            known = ", ".join(KEYS)
            raise PipelineError(
                f"has an unknown key {key!r} (known: {known})", path, _line(key_node)
            )
        values[key] = value_node
    root = path.parent
    styles = _styles(values.get("styles"), root, path)
    listed = values.get("manuscripts")
    titles = _listed_titles(listed, root, path) if listed else _found_titles(root)
    return Series(root, titles, styles)


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _styles(node: yaml.Node | None, root: Path, path: Path) -> Path | None:
    if node is None:
        return None
    if not isinstance(node, yaml.ScalarNode) or not node.value:
        raise PipelineError("'styles' must name a folder", path, _line(node))
    folder = (root / node.value).resolve()
    if not folder.is_dir():
        raise PipelineError(
            f"'styles' names {node.value!r}, which is not a folder", path, _line(node)
        )
    return folder


def _listed_titles(node: yaml.Node, root: Path, path: Path) -> tuple[Path, ...]:
    if not isinstance(node, yaml.SequenceNode):
        raise PipelineError("'manuscripts' must be a list of folders", path, _line(node))
    titles = []
    for item in node.value:
        if not isinstance(item, yaml.ScalarNode) or not item.value:
            raise PipelineError("'manuscripts' must be a list of folders", path, _line(item))
        folder = root / item.value
        if not (folder / METADATA_FILE).is_file():
            raise PipelineError(
                f"lists {item.value!r}, which has no {METADATA_FILE}", path, _line(item)
            )
        titles.append(folder)
    return tuple(titles)


def chosen_titles(series: Series, only: Iterable[Path] = ()) -> tuple[Path, ...]:
    """The series' titles, or those of them named in ``only``."""
    wanted = {folder.resolve() for folder in only}
    if not wanted:
        return series.titles
    unknown = wanted - {title.resolve() for title in series.titles}
    if unknown:
        raise PipelineError("is not a title of this series", sorted(unknown)[0])
    return tuple(title for title in series.titles if title.resolve() in wanted)


def build_series(
    series: Series,
    out_dir: Path = Path("build"),
    formats: Iterable[str] = FORMATS,
    only: Iterable[Path] = (),
    progress: Callable[[str], None] = lambda message: None,
    warn: Callable[[str], None] = lambda message: None,
) -> list[BuiltTitle]:
    """Build each chosen title into ``out_dir/<slug>/``; check every title first, so that a
    bad one stops the series before anything is written."""
    titles = chosen_titles(series, only)
    slugs = [load_manuscript(title, series.styles).slug for title in titles]
    _check_unique(titles, slugs)
    built = []
    for title, slug in zip(titles, slugs, strict=True):
        progress(f"building {slug}")
        editions = build(title, formats, out_dir / slug, series.styles, warn=warn)
        built.append(BuiltTitle(title, slug, editions))
    return built


def _check_unique(titles: tuple[Path, ...], slugs: list[str]) -> None:
    seen: dict[str, Path] = {}
    for title, slug in zip(titles, slugs, strict=True):
        if slug in seen:
            raise PipelineError(
                f"has the slug {slug!r}, as {seen[slug]} has; give one a 'slug' in metadata.yaml",
                title,
            )
        seen[slug] = title
