"""A source as a reader leaves it: pandoc blocks, the metadata found, the media to copy."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.importers.findings import Finding
from pipeline.importers.pandoc_ast import Node


@dataclass
class Imported:
    blocks: list[Node]
    metadata: dict[str, Any] = field(default_factory=dict)
    media: dict[str, Path] = field(default_factory=dict)
    """File name under ``images/`` → the file to copy there."""
    findings: list[Finding] = field(default_factory=list)
