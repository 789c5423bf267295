"""The keys of a bibliography file, in any of the formats pandoc reads."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from pipeline.files import read_text

BIBTEX_ENTRY = re.compile(r"^\s*@(\w+)\s*[{(]\s*([^,\s]+)\s*,", re.MULTILINE)
BIBTEX_NON_ENTRIES = {"comment", "preamble", "string"}


def bibliography_keys(path: Path | None) -> list[tuple[str, int]]:
    """Each entry's key with the line it starts on (0 where the format has no lines)."""
    if path is None:
        return []
    text = read_text(path)
    if path.suffix in (".bib", ".bibtex"):
        return [
            (m.group(2), text.count("\n", 0, m.start()) + 1)
            for m in BIBTEX_ENTRY.finditer(text)
            if m.group(1).lower() not in BIBTEX_NON_ENTRIES
        ]
    if path.suffix == ".json":
        entries = json.loads(text)
    else:
        data = yaml.safe_load(text)
        entries = data.get("references", []) if isinstance(data, dict) else data
    return [(str(entry.get("id")), 0) for entry in entries or [] if isinstance(entry, dict)]
