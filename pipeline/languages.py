"""What the pipeline knows of the manuscript's language, read from ``styles/languages.yaml``:
its script, the direction of its lines, its hyphenation and its quotation marks.

A manuscript may set ``dir: rtl`` (or ``ltr``) in its metadata to overrule the direction
its language has.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from pipeline.files import read_text
from pipeline.manuscript import Manuscript

LANGUAGES = "languages.yaml"
RTL, LTR = "rtl", "ltr"


@dataclass(frozen=True)
class Language:
    """One language tag as the editions set it."""

    tag: str
    script: str = "latin"
    direction: str = LTR
    hyphenate: bool = True
    justify: bool = True
    quotes: tuple[str, str, str, str] = ("“", "”", "‘", "’")
    spacing: str | None = None
    pandoc: str | None = None
    """The tag pandoc reads this language's words and citation locale under, if not ``tag``."""

    @property
    def primary(self) -> str:
        return self.tag.split("-")[0].lower()

    @property
    def rtl(self) -> bool:
        return self.direction == RTL


def language_of(manuscript: Manuscript) -> Language:
    """The manuscript's language, with its metadata's ``dir`` if it sets one."""
    meta = manuscript.metadata
    language = language_for(meta.lang, manuscript.style_path(LANGUAGES))
    direction = meta.values.get("dir")
    if direction in (RTL, LTR) and direction != language.direction:
        return Language(**{**language.__dict__, "direction": direction})
    return language


def language_for(tag: str, table: Path) -> Language:
    """The language a tag such as ``zh-Hant-TW`` names: its primary language's entry, with
    the variants its subtags select laid over it."""
    entries = _table(table, table.stat().st_mtime_ns)
    subtags = tag.split("-")
    entry = entries.get(subtags[0].lower())
    if not isinstance(entry, dict):
        return Language(tag)
    values = {key: value for key, value in entry.items() if key != "variants"}
    for subtag in subtags[1:]:
        values.update((entry.get("variants") or {}).get(subtag, {}))
    if "quotes" in values:
        values["quotes"] = tuple(values["quotes"])
    return Language(tag, **values)


def read_data(path: Path) -> dict:
    """A data file of the styles, read with libyaml's parser when PyYAML has it (a tenth
    of the time of the pure-Python one)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(read_text(path), Loader=loader) or {}


@lru_cache(maxsize=4)
def _table(path: Path, _stamp: int) -> dict:
    return read_data(path)
