"""The one exception type users see: a sentence naming the file and, where known, the line."""

from __future__ import annotations

from pathlib import Path


class PipelineError(Exception):
    """Bad input or a failed tool, reported as one sentence with exit code 2."""

    exit_code = 2

    def __init__(self, message: str, path: Path | str | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line

    def __str__(self) -> str:
        if self.path is None:
            return self.message
        place = str(self.path) if self.line is None else f"{self.path}:{self.line}"
        return f"{place}: {self.message}"
