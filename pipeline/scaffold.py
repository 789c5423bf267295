"""``pipeline new``: a manuscript folder that builds and checks cleanly from the start.

The files come from the package data in ``pipeline/scaffold/``, so a new manuscript works
wherever the pipeline is installed. ``metadata.yaml`` is a template filled in with the title,
author, language, date and slug; it lists every key ``pipeline.metadata`` declares, the ones
a first build does not need switched off as comments. The other files are copied as they are.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shlex
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from string import Template

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
DEFAULT_AUTHOR = "Your Name"
DEFAULT_LANG = "en"
COMMENT_COLUMN = 46
TRAILING_COMMENT = re.compile(r"^(.*?\S) {2,}(# .*)$")
"""A key and its value, then two or more spaces and the explanation."""


@dataclass(frozen=True)
class NewManuscript:
    folder: Path
    title: str
    slug: str
    files: tuple[str, ...]


def scaffold_dir() -> Traversable:
    return files("pipeline").joinpath("scaffold")


def create(
    folder: Path,
    title: str | None = None,
    author: str | None = None,
    lang: str = DEFAULT_LANG,
    today: dt.date | None = None,
) -> NewManuscript:
    """Write a new manuscript into ``folder``, which must be new or empty."""
    check_empty(folder)
    title = one_line(title) if title is not None else title_from_name(folder)
    author = one_line(author) if author is not None else DEFAULT_AUTHOR
    if not title:
        raise PipelineError("--title must not be empty")
    if not author:
        raise PipelineError("--author must not be empty")
    if not LANG_PATTERN.match(lang):
        raise PipelineError(f"--lang must be a language tag such as en or en-GB, not {lang!r}")
    slug = slugify(title)
    metadata = render_metadata(title, author, lang, slug, today or dt.date.today())
    folder.mkdir(parents=True, exist_ok=True)
    source = scaffold_dir()
    for name, target in FILES.items():
        data = metadata.encode("utf-8") if name == METADATA else source.joinpath(name).read_bytes()
        atomic_write(folder / target, data)
    return NewManuscript(folder, title, slug, tuple(FILES.values()))


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
    return [
        f"Created {result.folder}/ for “{result.title}”: {', '.join(result.files)}.",
        "Next:",
        f"  cd {shlex.quote(str(result.folder))}",
        "  make          build every edition into build/",
        "  make check    build, then check the manuscript and the editions",
        "Write in text.md; metadata.yaml explains each of its keys.",
    ]
