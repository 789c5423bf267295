"""Run EPUBCheck, the Java validator shipped by the ``epubcheck`` package, once per file.

EPUBCheck runs in the validator service (``client.py``), which outlives the check
run, since nearly all of a first check's seconds go to setting up schemas. Results are kept
in the build cache under the EPUB's content hash and the sha256 of EPUBCheck's jar, so
checking an unchanged EPUB again with the same EPUBCheck costs nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from pipeline.cache import Cache, content_key
from pipeline.checks.validators.jars import epubcheck_jar, jar_digest


@dataclass(frozen=True)
class Message:
    id: str
    level: str
    location: str
    message: str


def jar_path() -> Path:
    return epubcheck_jar()


def run_epubcheck(epub: Path, cache: Cache | None = None) -> list[Message]:
    """EPUBCheck's messages for ``epub`` (errors, warnings and the rest)."""
    key = content_key(["epubcheck", jar_digest(jar_path()), epub])
    cached = cache.get("epubcheck", key) if cache else None
    if cached is None:
        cached = _run(epub)
        if cache:
            cache.put("epubcheck", key, cached)
    return _messages(json.loads(cached))


def _run(epub: Path) -> bytes:
    from pipeline.checks.validators.client import epubcheck_report

    return epubcheck_report(epub)


def _messages(data: dict) -> list[Message]:
    messages = []
    for item in data.get("messages", []):
        locations = item.get("locations") or [{}]
        for location in locations:
            place = location.get("path", "")
            if location.get("line", -1) != -1:
                place += f":{location['line']}"
            level, text = item.get("severity", ""), item.get("message", "")
            messages.append(Message(item.get("ID", ""), level, place, text))
    return messages
