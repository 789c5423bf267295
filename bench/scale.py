"""Make longer manuscripts from the seed, for benchmarks: N copies of its text, each
paragraph given a note of its own, labels and ids kept unique."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

NOTE_LABEL = re.compile(r"\[\^([^\]\s]+)\]")
HEADING_ID = re.compile(r"\{#([^}\s]+)\}")
KEYS = re.compile(r"@([\w-]+)")


def scaled_manuscript(seed: Path, target: Path, copies: int) -> Path:
    """Write a manuscript of ``copies`` times the seed's text into ``target``."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(seed, target)
    text = (seed / "text.md").read_text(encoding="utf-8")
    body, notes = _split_notes(text)
    keys = sorted(set(KEYS.findall(body)))
    parts: list[str] = []
    for copy in range(1, copies + 1):
        parts.append(_with_paragraph_notes(_renumber(body, copy), copy, keys))
        parts.append(_renumber(notes, copy))
    (target / "text.md").write_text("\n\n".join(parts) + "\n", encoding="utf-8")
    meta = (target / "metadata.yaml").read_text(encoding="utf-8")
    meta = re.sub(r"(?m)^slug:.*$", f"slug: bench-{copies}x", meta)
    (target / "metadata.yaml").write_text(meta, encoding="utf-8")
    return target


def _split_notes(text: str) -> tuple[str, str]:
    lines = text.split("\n")
    first = next((i for i, line in enumerate(lines) if re.match(r"^\[\^[^\]]+\]:", line)), None)
    if first is None:
        return text, ""
    return "\n".join(lines[:first]), "\n".join(lines[first:])


def _renumber(text: str, copy: int) -> str:
    text = NOTE_LABEL.sub(lambda m: f"[^{m.group(1)}-{copy}]", text)
    return HEADING_ID.sub(lambda m: f"{{#{m.group(1)}-{copy}}}", text)


def _with_paragraph_notes(body: str, copy: int, keys: list[str]) -> str:
    """Give every plain paragraph that has no note or citation one citation of its own."""
    paragraphs = body.split("\n\n")
    out = []
    for index, paragraph in enumerate(paragraphs):
        plain = paragraph.strip()
        has_note = "[^" in plain or "@" in plain
        if plain and not has_note and not plain.startswith("#") and keys:
            key = keys[(index + copy) % len(keys)]
            paragraph = f"{paragraph.rstrip()}[@{key}, {index + 1}]"
        out.append(paragraph)
    return "\n\n".join(out)
