"""``pipeline new``: a manuscript folder that builds and checks cleanly from the start.

The files come from the package data in ``pipeline/scaffold/``, so a new manuscript works
wherever the pipeline is installed. ``metadata.yaml`` is a template filled in with the title,
author, language, date and slug; it lists every key ``pipeline.metadata`` declares, the ones
a first build does not need switched off as comments. The other files are copied as they are.
A language with a sample in ``scaffold/texts/`` (listed in ``texts/samples.yaml``) gets that
sample's ``text.md`` and ``references.bib`` and, without ``--title``, its title; any other
language gets the English sample.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shlex
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from string import Template

import yaml

from pipeline.errors import PipelineError
from pipeline.files import atomic_write
from pipeline.metadata import LANG_PATTERN, slugify

METADATA = "metadata.yaml"
FILES: dict[str, str] = {
    METADATA: METADATA,
    "text.md": "text.md",
    "references.bib": "references.bib",
    "Makefile": "Makefile",
    "gitignore": ".gitignore",
}
"""Each scaffold file and the name it gets in the new folder (package data skips dotfiles)."""
SAMPLE_FILES = ("text.md", "references.bib")
"""The files a language's sample replaces."""
SAMPLES = "samples.yaml"
DEFAULT_AUTHOR = "Your Name"
DEFAULT_LANG = "en"
ENGLISH = "en"
COMMENT_COLUMN = 46
TRAILING_COMMENT = re.compile(r"^(.*?\S) {2,}(# .*)$")
"""A key and its value, then two or more spaces and the explanation."""


@dataclass(frozen=True)
class Sample:
    """The sample text of one language: a folder of ``scaffold/texts/`` and its title."""

    tag: str
    folder: str
    title: str


@dataclass(frozen=True)
class NewManuscript:
    folder: Path
    title: str
    slug: str
    files: tuple[str, ...]
    lang: str = DEFAULT_LANG
    sample: Sample | None = None
    """The language's sample text, or None for the English one."""

    @property
    def english_instead(self) -> bool:
        """The language is not English and has no sample: the text is the English one."""
        return self.sample is None and primary(self.lang) != ENGLISH


def scaffold_dir() -> Traversable:
    return files("pipeline").joinpath("scaffold")


def samples_dir() -> Traversable:
    return scaffold_dir().joinpath("texts")


@lru_cache(maxsize=1)
def sample_index() -> dict[str, dict | str]:
    """``texts/samples.yaml`` by lower-case tag: an entry, or the tag it stands for."""
    entries = yaml.safe_load(samples_dir().joinpath(SAMPLES).read_text(encoding="utf-8"))
    return {str(tag).lower(): value for tag, value in entries.items()}


def sample_for(lang: str) -> Sample | None:
    """The sample for a tag: the tag itself, then without its last subtags (zh-Hant-TW,
    zh-Hant, zh); None when there is none, or for English."""
    subtags = lang.split("-")
    if subtags[0].lower() == ENGLISH:
        return None
    index = sample_index()
    for count in range(len(subtags), 0, -1):
        tag = "-".join(subtags[:count]).lower()
        entry = index.get(tag)
        while isinstance(entry, str):
            tag = entry.lower()
            entry = index.get(tag)
        if isinstance(entry, dict):
            return Sample(tag, str(entry["folder"]), str(entry["title"]))
    return None


def primary(lang: str) -> str:
    return lang.split("-")[0].lower()


def create(
    folder: Path,
    title: str | None = None,
    author: str | None = None,
    lang: str = DEFAULT_LANG,
    today: dt.date | None = None,
) -> NewManuscript:
    """Write a new manuscript into ``folder``, which must be new or empty."""
    check_empty(folder)
    if not LANG_PATTERN.match(lang):
        raise PipelineError(f"--lang must be a language tag such as en or en-GB, not {lang!r}")
    sample = sample_for(lang)
    named = title is not None
    if title is not None:
        title = one_line(title)
    else:
        title = sample.title if sample else title_from_name(folder)
    author = one_line(author) if author is not None else DEFAULT_AUTHOR
    if not title:
        raise PipelineError("--title must not be empty")
    if not author:
        raise PipelineError("--author must not be empty")
    slug = slug_for(title if named else "", folder)
    metadata = render_metadata(title, author, lang, slug, today or dt.date.today())
    folder.mkdir(parents=True, exist_ok=True)
    for name, target in FILES.items():
        data = metadata.encode("utf-8") if name == METADATA else file_data(name, sample)
        atomic_write(folder / target, data)
    return NewManuscript(folder, title, slug, tuple(FILES.values()), lang, sample)


def file_data(name: str, sample: Sample | None) -> bytes:
    """A scaffold file: the language's own sample of it if it has one."""
    if sample is not None and name in SAMPLE_FILES:
        return samples_dir().joinpath(sample.folder, name).read_bytes()
    return scaffold_dir().joinpath(name).read_bytes()


def slug_for(title: str, folder: Path) -> str:
    """The slug of the title the author gave; without one, or when it has no Latin letters
    or digits (الإعلان, 世界人权宣言), the slug of the folder's name."""
    if re.search(r"[a-z0-9]", title.lower()):
        return slugify(title)
    return slugify(folder.resolve().name)


def check_empty(folder: Path) -> None:
    if folder.exists() and not folder.is_dir():
        raise PipelineError("exists and is not a folder", folder)
    if folder.is_dir() and any(folder.iterdir()):
        raise PipelineError(
            "is not empty; pipeline new writes only into a new or empty folder", folder
        )


def one_line(text: str) -> str:
    return " ".join(text.split())


def title_from_name(folder: Path) -> str:
    """ "my-first-pamphlet" becomes "My first pamphlet"."""
    words = folder.resolve().name.replace("-", " ").replace("_", " ").split()
    title = " ".join(words)
    return title[:1].upper() + title[1:] if title else "Untitled"


def render_metadata(title: str, author: str, lang: str, slug: str, today: dt.date) -> str:
    """Fill in the metadata template; values go in as YAML double-quoted strings."""
    template = Template(scaffold_dir().joinpath(METADATA).read_text(encoding="utf-8"))
    filled = template.substitute(
        title=yaml_string(title),
        author=yaml_string(author),
        author_text=author,
        lang=lang,
        date=today.isoformat(),
        year=today.year,
        slug=slug,
    )
    return align_comments(filled)


def align_comments(text: str, column: int = COMMENT_COLUMN) -> str:
    """Line up the explanations after the keys again once the values are filled in."""
    lines = []
    for line in text.split("\n"):
        match = TRAILING_COMMENT.match(line)
        if match:
            key, comment = match.groups()
            line = f"{key.ljust(column - 1)} {comment}"
        lines.append(line)
    return "\n".join(lines)


def yaml_string(text: str) -> str:
    """A JSON string is a valid YAML double-quoted scalar, with every escape it needs."""
    return json.dumps(text, ensure_ascii=False)


def next_steps(result: NewManuscript) -> list[str]:
    """What to do with the new folder, for the command to print."""
    lines = [f"Created {result.folder}/ for “{result.title}”: {', '.join(result.files)}."]
    if result.sample is not None:
        lines.append(
            f"text.md is a sample in {result.lang}, from the Universal Declaration of Human Rights."
        )
    elif result.english_instead:
        lines.append(f"There is no sample text in {result.lang}: text.md is the English sample.")
    return [
        *lines,
        "Next:",
        f"  cd {shlex.quote(str(result.folder))}",
        "  make          build every edition into build/",
        "  make check    build, then check the manuscript and the editions",
        "Write in text.md; metadata.yaml explains each of its keys.",
    ]
