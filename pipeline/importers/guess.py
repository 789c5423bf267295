"""The imported manuscript's metadata: what the source says, filled in by guesses.

The language given on the command line wins, then the one the source declares, then the one
its words suggest. A title missing from the source is made from the file name. Each guess
is returned with a note for the editor.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

from pipeline.importers import pandoc_ast as ast
from pipeline.importers.language import guess_language
from pipeline.metadata import LANG_PATTERN, slugify

KEY_ORDER = ("title", "subtitle", "author", "lang", "date", "description", "keywords", "slug")
DEFAULT_LANG = "en"


def settle_metadata(
    found: dict[str, Any], blocks: list[ast.Node], source: Path, lang: str | None
) -> tuple[dict[str, Any], dict[str, str]]:
    """The metadata to write, in a readable key order, and a note per guessed key."""
    values = {key: value for key, value in found.items() if key in KEY_ORDER and value}
    guesses: dict[str, str] = {}
    if not values.get("title"):
        values["title"] = title_from_file_name(source)
        guesses["title"] = f"title “{values['title']}” was made from the file name"
    declared = values.get("lang")
    if lang:
        values["lang"] = lang
    elif declared and LANG_PATTERN.match(declared):
        values["lang"] = declared
    else:
        guessed = guess_language(ast.plain_text(blocks))
        values["lang"] = guessed or DEFAULT_LANG
        guesses["lang"] = (
            f"lang {guessed} was guessed from the commonest words"
            if guessed
            else f"the language could not be told from the words; lang is {DEFAULT_LANG}"
        )
    values["slug"] = make_slug(values["title"], source)
    return {key: values[key] for key in KEY_ORDER if key in values}, guesses


def title_from_file_name(source: Path) -> str:
    words = re.sub(r"[-_.]+", " ", source.stem).split()
    return " ".join(words).capitalize() if words else "Untitled"


def make_slug(title: str, source: Path) -> str:
    """A slug from the title's letters, accents dropped; the file name's when none are left."""
    for text in (title, source.stem):
        ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        slug = slugify(ascii_text)
        if slug != "manuscript" or re.search(r"[A-Za-z0-9]", ascii_text):
            return slug
    return "manuscript"
