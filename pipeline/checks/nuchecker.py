"""Run the Nu HTML Checker (vnu, Java) on the web edition, once per file content.

The checker's jar comes from the npm package ``vnu-jar`` that ``make setup`` installs into
the project's node_modules; where it is missing the rule says so instead of passing
silently. The checker runs as its own web service inside the validator server
(``validator_server.py``), a JVM that outlives the check run; the service reports the same
messages as the command-line checker, CSS in ``style`` elements and attributes included,
with the right line numbers (the command line with ``--also-check-css`` gives each one a
line too early). Results are cached under the page's content hash, like EPUBCheck's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from pipeline.cache import Cache, content_key

JAR = (
    Path(__file__).resolve().parents[2] / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
)


@dataclass(frozen=True)
class NuMessage:
    kind: str
    line: int | None
    message: str


def nu_available() -> bool:
    return JAR.is_file()


def run_nu_checker(page: Path, cache: Cache | None = None) -> list[NuMessage]:
    key = content_key([JAR.name, page])
    cached = cache.get("vnu", key) if cache else None
    if cached is None:
        cached = _run(page)
        if cache:
            cache.put("vnu", key, cached)
    return [
        NuMessage(m.get("subType") or m.get("type", ""), m.get("lastLine"), m.get("message", ""))
        for m in json.loads(cached).get("messages", [])
    ]


def _run(page: Path) -> bytes:
    from pipeline.checks.validator_server import nu_report

    return nu_report(page)
