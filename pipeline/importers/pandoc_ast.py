"""Pandoc's JSON document model: running pandoc into and out of it, and small walks over it.

Every importer produces a list of pandoc blocks; pandoc alone writes the Markdown, so the
escaping of ``*``, ``@``, ``[`` and the like is pandoc's and the text reads back as written.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from pipeline import limits
from pipeline.document import pandoc_path
from pipeline.errors import PipelineError

Node = dict[str, Any]
Visit = Callable[[Node], "Node | list[Node]"]

# Markdown as editors read it: typographic characters kept as typed, one line per paragraph,
# pipe tables where the cells allow, no raw HTML, no div or span wrappers.
MARKDOWN_WRITER = "markdown" + "".join(
    f"-{extension}"
    for extension in (
        "smart",
        "simple_tables",
        "multiline_tables",
        "raw_html",
        "raw_attribute",
        "native_divs",
        "native_spans",
        "fenced_divs",
        "bracketed_spans",
    )
)


def run_pandoc(
    args: list[str], source: Path, stdin: bytes | None = None, cwd: Path | None = None
) -> bytes:
    """Run pandoc in its sandbox, under the time and memory limits; a failure is a
    PipelineError naming ``source``."""
    result = limits.run(
        [pandoc_path(), "--sandbox", *args],
        "pandoc",
        source,
        input=stdin,
        capture_output=True,
        cwd=cwd,
        check=False,
    )
    if limits.ran_out_of_memory(result):
        raise limits.out_of_memory("pandoc", source)
    if result.returncode != 0:
        lines = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise PipelineError(lines[0] if lines else "pandoc failed", source)
    return result.stdout


@cache
def api_version() -> tuple[int, ...]:
    """The version of the JSON model this pandoc reads and writes."""
    out = run_pandoc(["--from=markdown", "--to=json"], Path("pandoc"), stdin=b"")
    return tuple(json.loads(out)["pandoc-api-version"])


def document(blocks: list[Node]) -> dict[str, Any]:
    return {"pandoc-api-version": list(api_version()), "meta": {}, "blocks": blocks}


def to_markdown(blocks: list[Node], source: Path) -> str:
    """Pandoc Markdown for ``blocks``, ending with one newline."""
    data = json.dumps(document(blocks)).encode("utf-8")
    args = ["--from=json", f"--to={MARKDOWN_WRITER}", "--wrap=none", "--markdown-headings=atx"]
    markdown = run_pandoc(args, source, stdin=data).decode("utf-8")
    return markdown.rstrip("\n") + "\n"


def walk(value: Any, visit: Visit) -> Any:
    """Rebuild ``value`` bottom-up, passing every node to ``visit``.

    ``visit`` returns the node to keep, or a list of nodes to put in its place (an empty
    list removes it; a list of its children unwraps it).
    """
    if isinstance(value, list):
        rebuilt: list[Any] = []
        for item in value:
            new = walk(item, visit)
            if _is_node(item) and isinstance(new, list):
                rebuilt.extend(new)
            else:
                rebuilt.append(new)
        return rebuilt
    if _is_node(value):
        node = {"t": value["t"], "c": walk(value["c"], visit)} if "c" in value else dict(value)
        return visit(node)
    return value


def nodes(value: Any, kind: str | None = None) -> list[Node]:
    """Every node inside ``value`` (of type ``kind`` if given), in document order."""
    found: list[Node] = []

    def collect(item: Any) -> None:
        if isinstance(item, list):
            for child in item:
                collect(child)
        elif _is_node(item):
            if kind is None or item["t"] == kind:
                found.append(item)
            if "c" in item:
                collect(item["c"])

    collect(value)
    return found


def _is_node(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("t"), str)


QUOTES = {"DoubleQuote": ("“", "”"), "SingleQuote": ("‘", "’")}
SPACES = {"Space", "SoftBreak", "LineBreak"}
BLOCK_ENDS = {"Para", "Plain", "Header", "LineBlock", "CodeBlock"}


def plain_text(value: Any) -> str:
    """The words of inlines or blocks, notes left out, one space between words."""
    parts: list[str] = []

    def add(item: Any) -> None:
        if isinstance(item, list):
            for child in item:
                add(child)
            return
        if not _is_node(item) or item["t"] == "Note":
            return
        kind, content = item["t"], item.get("c")
        if kind == "Str":
            parts.append(content)
        elif kind in SPACES:
            parts.append(" ")
        elif kind in ("Code", "Math", "CodeBlock"):
            parts.append(content[-1])
        elif kind == "Quoted":
            opening, closing = QUOTES[content[0]["t"]]
            parts.append(opening)
            add(content[1])
            parts.append(closing)
        elif kind in ("Link", "Image", "Span"):
            add(content[1])
        elif content is not None:
            add(content)
        if kind in BLOCK_ENDS:
            parts.append(" ")

    add(value)
    return " ".join("".join(parts).split())


def inlines(text: str) -> list[Node]:
    """Words and spaces as pandoc inlines; runs of white space become one space."""
    result: list[Node] = []
    for word in text.split():
        if result:
            result.append({"t": "Space"})
        result.append({"t": "Str", "c": word})
    return result


def para(content: list[Node]) -> Node:
    return {"t": "Para", "c": content}


def header(level: int, content: list[Node]) -> Node:
    return {"t": "Header", "c": [level, ["", [], []], content]}


def note(blocks: list[Node]) -> Node:
    return {"t": "Note", "c": blocks}
