"""Read and validate ``metadata.yaml``, or a Markdown file's front matter, before any work
starts.

Every key is declared here with its type, so an unknown key or a value of the wrong kind is
an error that names the key and its line, not a surprise halfway through a build.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from pipeline.errors import PipelineError
from pipeline.files import read_text

TEXT, TEXT_LIST, FLAG, NUMBER, MAPPING = "text", "list of texts", "true or false", "number", "map"

FIELDS: dict[str, str] = {
    "title": TEXT,
    "subtitle": TEXT,
    "author": TEXT_LIST,
    "lang": TEXT,
    "dir": TEXT,
    "date": TEXT,
    "publisher": TEXT,
    "series": TEXT,
    "edition": TEXT,
    "rights": TEXT,
    "identifier": TEXT,
    "isbn": TEXT,
    "isbn-epub": TEXT,
    "description": TEXT,
    "keywords": TEXT_LIST,
    "slug": TEXT,
    "text": TEXT_LIST,
    "bibliography": TEXT,
    "csl": TEXT,
    "cover": TEXT,
    "reference-section-title": TEXT,
    "base-url": TEXT,
}
"""The top-level keys; ``fields()`` adds the sections of options."""

CHECKS_FIELDS: dict[str, str] = {"ignore": TEXT_LIST}


@cache
def sections() -> dict[str, dict[str, str]]:
    """Every section of options and its keys: the checks' ignore list, the print layout's
    options (``pipeline/layout/stage.py``) and those each edition declares in its module."""
    from pipeline.editions import registry
    from pipeline.layout.stage import OPTIONS

    found = {"checks": dict(CHECKS_FIELDS), "print": dict(OPTIONS)}
    for edition in registry().values():
        for section, keys in edition.options.items():
            found.setdefault(section, {}).update(keys)
    return found


def fields() -> dict[str, str]:
    """The keys a manuscript's metadata may hold: ``FIELDS`` and the sections."""
    return {**FIELDS, **dict.fromkeys(sections(), MAPPING)}


PDF_VARIANTS = ("pdf/ua-1", "pdf/a-3b", "pdf/x-4", "pdf/x-1a")
"""The PDF flavours ``print.pdf-variant`` may ask WeasyPrint for, all tagged; the PDF/X
ones are completed for a print shop by ``pipeline/layout/pdfx.py``."""

REQUIRED = ("title",)
SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
LANG_PATTERN = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


@dataclass(frozen=True)
class Metadata:
    """The validated metadata of one manuscript."""

    path: Path
    values: dict[str, Any]
    lines: dict[str, int] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    """What was passed over: front-matter keys meant for other tools, a slug made valid."""

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    def section(self, name: str) -> dict[str, Any]:
        return dict(self.values.get(name) or {})

    @property
    def title(self) -> str:
        return self.values["title"]

    @property
    def authors(self) -> list[str]:
        return list(self.values.get("author") or [])

    @property
    def lang(self) -> str:
        return self.values.get("lang", "en")

    @property
    def slug(self) -> str:
        return self.values.get("slug") or slugify(self.title)

    def line_of(self, key: str) -> int | None:
        return self.lines.get(key)


def slugify(title: str, max_words: int = 6) -> str:
    """Make a file-name stem from a title: lower case, ASCII letters and digits, hyphens."""
    words = re.findall(r"[a-z0-9]+", title.lower())
    return "-".join(words[:max_words]) or "manuscript"


def load_metadata(path: Path) -> Metadata:
    """Parse and validate a metadata file, or raise a PipelineError naming the key and line."""
    return _metadata(read_text(path), path, subject="", start=None)


def metadata_from_front_matter(source: str, path: Path, first_line: int) -> Metadata:
    """Validate the YAML ``source`` of a Markdown file's front matter, which begins on line
    ``first_line`` of ``path``: every error names ``path`` and the line in that file."""
    source = "\n" * (first_line - 1) + source
    return _metadata(source, path, "front matter ", first_line - 1, foreign=True)


def _metadata(
    source: str, path: Path, subject: str, start: int | None, foreign: bool = False
) -> Metadata:
    """``subject`` opens the messages about the whole block; ``start`` is the line that
    opens it, if any, so those messages can point at it.

    Front matter (``foreign``) is shared with other tools (Jekyll's ``layout``, JOSS's
    ``tags``…): a top-level key the pipeline does not read is passed over with a warning
    there, and a ``slug`` such a tool allows is made into one the pipeline allows."""
    node = _compose(source, path, subject)
    if node is None:
        raise PipelineError(f"{subject}is empty; it needs at least a title", path, start)
    if not isinstance(node, yaml.MappingNode):
        line = node.start_mark.line + 1
        raise PipelineError(f"{subject}must be a map of keys to values", path, line)
    passed_over: list[str] | None = [] if foreign else None
    values, lines = _validate_mapping(node, fields(), path, prefix="", passed_over=passed_over)
    for key in REQUIRED:
        if not values.get(key):
            raise PipelineError(f"{subject}has no {key!r}; every manuscript needs one", path, start)
    warnings = list(passed_over or [])
    if foreign:
        warnings.extend(_foreign_slug(values, lines, path))
    _check_values(values, lines, path)
    return Metadata(path=path, values=values, lines=lines, warnings=tuple(warnings))


def _foreign_slug(values: dict[str, Any], lines: dict[str, int], path: Path) -> list[str]:
    slug = values.get("slug")
    if slug is None or SLUG_PATTERN.match(slug):
        return []
    values["slug"] = slugify(slug, max_words=12)
    return [f"{path}:{lines['slug']}: uses the slug {values['slug']!r} for {slug!r}"]


def _compose(source: str, path: Path, subject: str = "") -> yaml.Node | None:
    try:
        return yaml.compose(source, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or "cannot be parsed"
        raise PipelineError(f"{subject}is not valid YAML ({problem})", path, line) from None
    except yaml.YAMLError:
        raise PipelineError(f"{subject}is not valid YAML", path) from None


def _validate_mapping(
    node: yaml.MappingNode,
    schema: dict[str, str],
    path: Path,
    prefix: str,
    passed_over: list[str] | None = None,
) -> tuple[dict[str, Any], dict[str, int]]:
    """The values of a mapping, checked against ``schema``; an unknown key is an error, or,
    when ``passed_over`` is a list, a warning added to it."""
    values: dict[str, Any] = {}
    lines: dict[str, int] = {}
    for key_node, value_node in node.value:
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
        line = key_node.start_mark.line + 1
        name = f"{prefix}{key}"
        if key not in schema and passed_over is not None:
            passed_over.append(f"{path}:{line}: passes over {name!r}, which the pipeline ignores")
            continue
        if key not in schema:
            known = ", ".join(sorted(schema))
            raise PipelineError(f"has an unknown key {name!r} (known keys: {known})", path, line)
        if key in values:
            raise PipelineError(f"sets {name!r} twice", path, line)
        kind = schema[key]
        if kind == MAPPING:
            if not isinstance(value_node, yaml.MappingNode):
                raise PipelineError(f"{name!r} must be a map of options", path, line)
            inner, inner_lines = _validate_mapping(value_node, sections()[key], path, f"{name}.")
            values[key] = inner
            lines.update(inner_lines)
        else:
            values[key] = _convert(value_node, kind, name, path, line)
        lines[name] = line
    return values, lines


def _as_text(value: Any) -> str | None:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return str(value).strip()
    return None


def _as_text_list(value: Any) -> list[str] | None:
    items = [value] if isinstance(value, str) else value
    if isinstance(items, list) and all(isinstance(i, str | int) for i in items):
        return [str(i).strip() for i in items]
    return None


def _as_flag(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _as_number(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


CONVERTERS = {TEXT: _as_text, TEXT_LIST: _as_text_list, FLAG: _as_flag, NUMBER: _as_number}


def _convert(node: yaml.Node, kind: str, name: str, path: Path, line: int) -> Any:
    value = yaml.SafeLoader("").construct_object(node, deep=True)
    converted = CONVERTERS[kind](value)
    if converted is None:
        raise PipelineError(f"{name!r} must be a {kind}", path, line)
    return converted


def _check_values(values: dict[str, Any], lines: dict[str, int], path: Path) -> None:
    slug = values.get("slug")
    if slug is not None and not SLUG_PATTERN.match(slug):
        raise PipelineError(
            "'slug' must use only lower-case letters, digits and hyphens", path, lines["slug"]
        )
    lang = values.get("lang")
    if lang is not None and not LANG_PATTERN.match(lang):
        raise PipelineError(
            f"'lang' must be a language tag such as en or en-GB, not {lang!r}", path, lines["lang"]
        )
    direction = values.get("dir")
    if direction is not None and direction not in ("ltr", "rtl"):
        raise PipelineError(f"'dir' must be ltr or rtl, not {direction!r}", path, lines["dir"])
    _check_isbns(values, lines, path)
    _check_print(values.get("print") or {}, lines, path)
    _check_ignored_rules(values.get("checks") or {}, lines, path)


def _check_isbns(values: dict[str, Any], lines: dict[str, int], path: Path) -> None:
    """An ISBN must have a right check digit: a typo would go on every cover and package."""
    from pipeline.book_identifiers import ISBN_KEYS, isbn_problem

    for key in ISBN_KEYS:
        if values.get(key) is None:
            continue
        problem = isbn_problem(values[key])
        if problem:
            raise PipelineError(
                f"{key!r} {values[key]!r} is not a valid ISBN ({problem})", path, lines[key]
            )


def _check_print(options: dict[str, Any], lines: dict[str, int], path: Path) -> None:
    """Page and sheet sizes must be readable, the PDF variant one WeasyPrint can write."""
    from pipeline.layout import pagesize

    sizes = {}
    for key, parse in (
        ("page-size", pagesize.parse_page_size),
        ("booklet-sheet", pagesize.parse_sheet_size),
    ):
        if key in options:
            try:
                sizes[key] = parse(options[key])
            except ValueError as exc:
                raise PipelineError(f"'print.{key}' {exc}", path, lines[f"print.{key}"]) from None
    if "booklet-sheet" in sizes:
        page = sizes.get("page-size") or pagesize.parse_page_size(pagesize.DEFAULT_PAGE_SIZE)
        if not pagesize.sheet_holds_spread(sizes["booklet-sheet"], page):
            raise PipelineError(
                f"'print.booklet-sheet' {sizes['booklet-sheet']} cannot hold two {page} pages"
                " side by side",
                path,
                lines["print.booklet-sheet"],
            )
    variant = options.get("pdf-variant")
    if variant is not None and variant.lower() not in PDF_VARIANTS:
        known = ", ".join(PDF_VARIANTS[:-1]) + " or " + PDF_VARIANTS[-1]
        raise PipelineError(
            f"'print.pdf-variant' must be {known}, not {variant!r}",
            path,
            lines["print.pdf-variant"],
        )
    if (variant or "").lower() == "pdf/x-1a" and options.get("crop-marks"):
        raise PipelineError(
            "'print.crop-marks' draws the marks in RGB through transparency, which PDF/X-1a"
            " forbids: leave them out (the print shop sets its own from the TrimBox)",
            path,
            lines["print.crop-marks"],
        )


def _check_ignored_rules(options: dict[str, Any], lines: dict[str, int], path: Path) -> None:
    """Every id in ``checks.ignore`` must name a registered check rule, so that a typo does
    not silently leave a rule running."""
    ignored = options.get("ignore")
    if not ignored:
        return
    import difflib

    from pipeline.checks.registry import all_rules

    known = all_rules()
    for rule_id in ignored:
        if rule_id not in known:
            close = difflib.get_close_matches(rule_id, known, n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            raise PipelineError(
                f"'checks.ignore' names {rule_id!r}, which is not a check rule{hint}",
                path,
                lines["checks.ignore"],
            )
