"""The faces the editions set a manuscript in, chosen from ``styles/scripts.yaml`` by its
language and the scripts its text uses, and the characters none of them can draw.

What each face covers is asked of fontconfig, which WeasyPrint's text layout (Pango) uses
too, so a character found missing here is one the print edition would draw as a box. A
text in one script asks about its own faces only: one short ``fc-list`` call. A character
left over is looked up once (which installed families have it?), and only the faces of the
first script that names one of them are asked about.
"""

from __future__ import annotations

import bisect
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from lxml.html import HtmlElement
from markupsafe import Markup

from pipeline.languages import LANGUAGES, Language, language_of, read_data
from pipeline.manuscript import Manuscript
from pipeline.places import Locator
from pipeline.templates import render

SCRIPTS = "scripts.yaml"
FACES_TEMPLATE = "faces.css"
STYLE_FILES = (SCRIPTS, LANGUAGES, f"templates/{FACES_TEMPLATE}")
"""The style files the faces follow from, for the editions' cache keys."""
FALLBACK_SCRIPT = "latin"
ITALIC = "italic"
"""A script whose emphasis is not italic is never slanted."""

MATH_TAG = "math"
SHOWN_METADATA = ("title", "subtitle", "publisher", "series", "rights", "description", "date")
IGNORED_CATEGORIES = {"Cc", "Cf", "Zl", "Zp", "Cs"}
"""Characters no face draws: controls, format characters (joiners, bidi controls), line
and paragraph separators and lone surrogates. Those that should not be in a text at all
are reported where the text is read."""


@dataclass(frozen=True)
class Script:
    name: str
    faces: tuple[str, ...]
    packages: tuple[str, ...]
    emphasis: str = ITALIC
    cased: bool = True
    joined: bool = False
    screen: tuple[str, ...] = ()


@dataclass(frozen=True)
class Typefaces:
    """The faces of one manuscript, in the order the editions name them."""

    language: Language
    script: Script
    faces: tuple[str, ...]
    missing: frozenset[str]

    @property
    def slanted(self) -> bool:
        """Whether the text's own script is set in italics for emphasis."""
        return self.script.emphasis == ITALIC

    @property
    def primary(self) -> str:
        """The face the text is mainly set in, for the colophon."""
        return self.faces[0]

    def css_families(self, screen: bool = False) -> str:
        """The families as a CSS ``font-family`` value; on ``screen``, with the faces a
        reader's device may have in their stead."""
        faces = [*self.faces, *(self.script.screen if screen else ())]
        return ", ".join(f'"{face}"' for face in faces) + ", serif"


def faces_css(
    manuscript: Manuscript, faces: Typefaces, print_edition: bool = False, screen: bool = False
) -> str:
    """The rules that set the text in its faces, to follow an edition's style sheet."""
    return render(
        manuscript,
        FACES_TEMPLATE,
        families=Markup(faces.css_families(screen)),
        slanted=faces.slanted,
        cased=faces.script.cased,
        joined=faces.script.joined,
        hyphenate=faces.language.hyphenate,
        justify=faces.language.justify,
        print=print_edition,
    )


def visible_text(manuscript: Manuscript, body: HtmlElement) -> str:
    """The text the editions set in the faces: the body with its notes and bibliography,
    and the metadata on the title page, but not formulas, which are drawn from their own
    font."""
    parts = []
    for element in body.iter():
        if element.text and not _in_math(element):
            parts.append(element.text)
        parent = element.getparent()
        if element.tail and not (parent is not None and _in_math(parent)):
            parts.append(element.tail)
    meta = manuscript.metadata
    parts.extend(str(meta.get(key) or "") for key in SHOWN_METADATA)
    parts.extend(meta.authors)
    return "".join(parts)


def _in_math(element: HtmlElement) -> bool:
    """Whether the element is a formula or inside one."""
    return element.tag == MATH_TAG or any(a.tag == MATH_TAG for a in element.iterancestors())


def missing_glyphs(faces: Typefaces, locator: Locator) -> list[str]:
    """One warning for each character no face of scripts.yaml has, at its first place."""
    warnings = []
    for char in sorted(faces.missing):
        described = f"the character {char!r} (U+{ord(char):04X} {unicodedata.name(char, '')})"
        other = installed_face(char)
        outcome = (
            f"it is set in {other}, which styles/{SCRIPTS} does not name"
            if other
            else "no installed face has it either: it prints as an empty box"
        )
        warnings.append(
            f"{locator.where(char)}: no typeface of the book has {described}; {outcome}"
        )
    return warnings


def installed_face(char: str) -> str | None:
    """An installed family that has ``char``, which fontconfig falls back on."""
    return min(installed_families(char), default=None)


@lru_cache(maxsize=1024)
def installed_families(char: str) -> frozenset[str]:
    """The installed families that have ``char``: one question to fontconfig, where asking
    each script's faces in turn would be one for each face."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return frozenset()
    listing = subprocess.run(
        [fc_list, "--format", "%{family[0]}\n", f":charset={ord(char):x}"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split("\n")
    return frozenset(name for name in listing if name)


def scripts(manuscript: Manuscript) -> dict[str, Script]:
    path = manuscript.style_path(SCRIPTS)
    return _scripts(path, path.stat().st_mtime_ns)


def typefaces(manuscript: Manuscript, text: str) -> Typefaces:
    """The faces for a manuscript in its language whose editions show ``text``."""
    table = scripts(manuscript)
    language = language_of(manuscript)
    script = table.get(language.script) or table[FALLBACK_SCRIPT]
    faces = list(script.faces)
    left = {c for c in set(text) if unicodedata.category(c) not in IGNORED_CATEGORIES}
    left = {c for c in left if not covered(faces, c)}
    for char in sorted(left):
        if char not in left:
            continue
        having = installed_families(char)
        other = next((s for s in table.values() if having.intersection(s.faces)), None)
        if other is not None:
            faces.extend(face for face in other.faces if face not in faces)
            left = {c for c in left if not covered(other.faces, c)}
    return Typefaces(language, script, tuple(faces), frozenset(left))


def covered(faces: list[str] | tuple[str, ...], char: str) -> bool:
    code = ord(char)
    return any(_covers(coverage(face), code) for face in faces)


def _covers(ranges: tuple[tuple[int, ...], tuple[int, ...]], code: int) -> bool:
    starts, ends = ranges
    index = bisect.bisect_right(starts, code) - 1
    return index >= 0 and code <= ends[index]


def ask_ahead(manuscript: Manuscript) -> None:
    """Start fontconfig's listing of the faces of the manuscript's script, so that it runs
    while pandoc does; ``coverage`` reads what it printed."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return
    table = scripts(manuscript)
    script = table.get(language_of(manuscript).script) or table[FALLBACK_SCRIPT]
    for face in script.faces:
        if face not in _coverages and face not in _asked:
            _asked[face] = subprocess.Popen(
                _coverage_command(fc_list, face),
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
            )


_asked: dict[str, subprocess.Popen] = {}
_coverages: dict[str, tuple[tuple[int, ...], tuple[int, ...]]] = {}


def coverage(face: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The code points of a face's regular style as sorted ranges (starts, ends); nothing
    for a face that is not installed."""
    if face not in _coverages:
        _coverages[face] = _coverage(face)
    return _coverages[face]


def _coverage(face: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    asked = _asked.pop(face, None)
    if asked is not None:
        listing = asked.communicate()[0]
    else:
        fc_list = shutil.which("fc-list")
        if fc_list is None:
            return (), ()
        command = _coverage_command(fc_list, face)
        listing = subprocess.run(command, capture_output=True, text=True, check=False).stdout
    styles = [line.split("\t", 1) for line in listing.splitlines() if "\t" in line]
    if not styles:
        return (), ()
    regular = [charset for style, charset in styles if style in ("Regular", "Book")]
    return parse_charset(regular[0] if regular else styles[0][1])


def _coverage_command(fc_list: str, face: str) -> list[str]:
    return [fc_list, "--format", "%{style[0]}\t%{charset}\n", f":family={face}"]


def parse_charset(charset: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """fontconfig's charset text (``20-7e a0 100-17f``) as sorted ranges."""
    pairs = []
    for item in charset.split():
        first, _, last = item.partition("-")
        pairs.append((int(first, 16), int(last or first, 16)))
    pairs.sort()
    return tuple(p[0] for p in pairs), tuple(p[1] for p in pairs)


@lru_cache(maxsize=4)
def _scripts(path: Path, _stamp: int) -> dict[str, Script]:
    data = read_data(path)
    return {
        name: Script(
            name,
            tuple(entry["faces"]),
            tuple(entry.get("packages") or ()),
            entry.get("emphasis", ITALIC),
            entry.get("cased", True),
            entry.get("joined", False),
            tuple(entry.get("screen") or ()),
        )
        for name, entry in data.items()
    }
