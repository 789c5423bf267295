"""Run the Nu HTML Checker (vnu, Java) on the web edition, once per file content.

The checker's jar comes from the npm package ``vnu-jar`` that ``make setup`` installs into
the project's node_modules; where it is missing the rule says so instead of passing
silently. Results are cached under the page's content hash, like EPUBCheck's.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

from pipeline.cache import Cache, content_key
from pipeline.checks.epubcheck import JVM_FLAGS
from pipeline.errors import PipelineError

JAR = (
    Path(__file__).resolve().parents[2] / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
)
TIMEOUT_S = 300


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
    command = ["java", *JVM_FLAGS, "-jar", str(JAR), "--format", "json", "--also-check-css"]
    try:
        result = subprocess.run(
            [*command, str(page)], capture_output=True, timeout=TIMEOUT_S, check=False
        )
    except FileNotFoundError:
        raise PipelineError("the Nu HTML Checker needs Java; run `make setup`") from None
    except subprocess.TimeoutExpired:
        raise PipelineError(f"the Nu HTML Checker took over {TIMEOUT_S} s", page) from None
    return result.stderr
