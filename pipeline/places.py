"""Find the file and line of the manuscript a piece of the parsed document came from."""

from __future__ import annotations

from pathlib import Path

from pipeline.manuscript import Manuscript


class Locator:
    """Finds strings in the manuscript's text files, each time past the last place found
    for the same string, so that the second of two equal removals names the second line."""

    def __init__(self, manuscript: Manuscript):
        self.manuscript = manuscript
        self.lines = [
            (text.path, number, line)
            for text in manuscript.texts
            for number, line in enumerate(text.source.split("\n"), start=1)
        ]
        self.after: dict[str, int] = {}

    def find(self, needle: str) -> tuple[Path, int | None]:
        """The file and line of the next occurrence of ``needle`` (the first again when
        there is no further one; the first text file and no line when there is none)."""
        if needle:
            start = self.after.get(needle, 0)
            for order in (range(start, len(self.lines)), range(0, start)):
                for index in order:
                    path, number, line = self.lines[index]
                    if needle in line:
                        self.after[needle] = index + 1
                        return path, number
        return self.manuscript.texts[0].path, None

    def where(self, needle: str) -> str:
        """``file:line`` (or the file alone) of the next occurrence of ``needle``."""
        path, line = self.find(needle)
        return f"{path}:{line}" if line else str(path)
