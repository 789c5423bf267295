"""The words the pipeline writes itself, read from ``styles/labels/<lang>.yaml``.

The manuscript's ``lang`` picks the file: ``en-GB`` tries ``en-GB.yaml``, then ``en.yaml``.
A tag without a script subtag takes the script ``styles/labels/aliases.yaml`` gives it, so
that ``zh-TW`` tries ``zh-TW.yaml``, then ``zh-Hant.yaml``, then ``zh.yaml``. A language file
may leave words out; those come from English. A language with no file at all falls back to
English, and the editions say so in a warning. A manuscript's own ``styles/labels/``
overrides the shared files, as for every style file.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from pipeline.errors import PipelineError
from pipeline.files import read_text
from pipeline.manuscript import Manuscript

LABELS = "labels"
FALLBACK = "en"
ALIASES = "aliases"
"""``labels/aliases.yaml``: a tag without a script (``zh-TW``) -> the tag with it (``zh-Hant``)."""

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Labels:
    """One language's words, by name: ``labels["contents"]`` or, in a template,
    ``labels.contents``."""

    lang: str
    words: dict[str, str]
    fell_back: bool = False

    def __getitem__(self, name: str) -> str:
        return self.words[name]

    def format(self, name: str, **values: object) -> str:
        """The label ``name`` with its ``{placeholders}`` filled in."""
        return self.words[name].format(**values)


def candidates(lang: str, aliases: Mapping[str, str] | None = None) -> list[str]:
    """The language tags to try, most specific first: ``zh-Hant-TW``, ``zh-Hant``, ``zh``.

    A tag that names no script gets the one ``aliases`` gives its most specific form
    (``zh-TW`` -> ``zh-Hant``), tried after the tag as written and before its primary
    language: ``zh-TW``, ``zh-Hant``, ``zh``.
    """
    tags = _prefixes(canonical(lang))
    if _has_script(tags[0]):
        return tags
    known = {canonical(tag).lower(): canonical(target) for tag, target in (aliases or {}).items()}
    for index, tag in enumerate(tags):
        target = known.get(tag.lower())
        if target:
            inferred = [t for t in _prefixes(target) if t not in tags]
            return [*tags[: index + 1], *inferred, *tags[index + 1 :]]
    return tags


def canonical(tag: str) -> str:
    """A tag in the case its files are named in: ``zh-hant-tw`` -> ``zh-Hant-TW``."""
    parts = tag.split("-")
    for index, part in enumerate(parts[1:], start=1):
        if len(part) == 4 and part.isalpha():
            parts[index] = part.title()
        elif len(part) == 2 and part.isalpha():
            parts[index] = part.upper()
    return "-".join([parts[0].lower(), *parts[1:]])


def _prefixes(tag: str) -> list[str]:
    parts = tag.split("-")
    return ["-".join(parts[:n]) for n in range(len(parts), 0, -1) if parts[n - 1]]


def _has_script(tag: str) -> bool:
    parts = tag.split("-")
    return len(parts) > 1 and len(parts[1]) == 4 and parts[1].isalpha()


def label_file(manuscript: Manuscript, tag: str) -> Path:
    return manuscript.style_path(f"{LABELS}/{tag}.yaml")


def load_labels(manuscript: Manuscript, lang: str | None = None) -> Labels:
    """The labels for ``lang`` (by default the manuscript's), without a warning.

    The words are layered: the shared English file, then the manuscript's own English file
    if it has one, then the language's file; each layer may leave words out.
    """
    lang = lang or manuscript.metadata.lang
    english = [manuscript.styles / LABELS / f"{FALLBACK}.yaml", label_file(manuscript, FALLBACK)]
    for tag in candidates(lang, aliases(manuscript)):
        path = label_file(manuscript, tag)
        if path.is_file():
            return _load(_stamped([*english, path]), tag)
    return _load(_stamped(english), FALLBACK, fell_back=True)


def aliases(manuscript: Manuscript) -> dict[str, str]:
    """The script each tag without one is written in, from ``labels/aliases.yaml``."""
    path = label_file(manuscript, ALIASES)
    if not path.is_file():
        return {}
    return _aliases(path, path.stat().st_mtime_ns)


@lru_cache(maxsize=8)
def _aliases(path: Path, _stamp: int) -> dict[str, str]:
    return _read(path)


def labels_for(manuscript: Manuscript) -> Labels:
    """The manuscript's labels; a warning says when its language has no labels file."""
    labels = load_labels(manuscript)
    if labels.fell_back:
        lang = manuscript.metadata.lang
        log.warning(
            "warning: no labels for language %r (styles/%s/%s.yaml): "
            "the words the pipeline adds are in English",
            lang,
            LABELS,
            candidates(lang)[-1],
        )
    return labels


def _stamped(paths: list[Path]) -> tuple[tuple[Path, int], ...]:
    """Each file once, in order, with its modification time, so that an edited labels file
    is read again."""
    unique = dict.fromkeys(paths)
    return tuple((path, path.stat().st_mtime_ns if path.is_file() else -1) for path in unique)


@lru_cache(maxsize=32)
def _load(files: tuple[tuple[Path, int], ...], tag: str, fell_back: bool = False) -> Labels:
    words: dict[str, str] = {}
    for path, _stamp in files:
        words.update(_read(path))
    return Labels(tag, words, fell_back)


def _read(path: Path) -> dict[str, str]:
    try:
        data = yaml.safe_load(read_text(path))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", exc)
        raise PipelineError(f"is not valid YAML ({problem})", path, line) from None
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in data.items()
    ):
        raise PipelineError("must map each label's name to its words", path)
    return data
