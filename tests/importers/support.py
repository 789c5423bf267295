"""Helpers for the importer tests: a tiny PNG, sample sources made by pandoc, reading back."""

from __future__ import annotations

import json
import struct
import subprocess
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from pipeline.cli import cli
from pipeline.document import pandoc_path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "import"


def tiny_png(width: int = 4, height: int = 3) -> bytes:
    """A red PNG image, made with zlib alone."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    rows = b"".join(b"\x00" + bytes([200, 30, 30]) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def pandoc(*args: str, cwd: Path | None = None) -> bytes:
    return subprocess.run([pandoc_path(), *args], capture_output=True, check=True, cwd=cwd).stdout


def markdown_blocks(path: Path) -> list[dict[str, Any]]:
    """The top-level pandoc blocks of a Markdown file, as pandoc itself reads them."""
    return json.loads(pandoc("--from=markdown", "--to=json", str(path)))["blocks"]


def rewrite_member(package: Path, name: str, change: Callable[[bytes], bytes]) -> None:
    """Rewrite one file inside a ZIP package (DOCX, ODT), keeping the others as they are."""
    with zipfile.ZipFile(package) as old:
        members = [(info, old.read(info)) for info in old.infolist()]
    with zipfile.ZipFile(package, "w") as new:
        for info, data in members:
            new.writestr(info, change(data) if info.filename == name else data)


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))
