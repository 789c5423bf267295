"""What ``pipeline build`` shows while it works, and the summary it ends with.

On a terminal each stage (reading, parsing, each edition) gets a spinner and a bar that fills
when the stage is done; when standard error is not a terminal the stages are plain lines,
and ``--quiet`` keeps only warnings. Warnings are held back and printed together under the
summary table, so that a long build does not scroll them out of sight.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from pipeline.build import LOGGER, BuiltEdition

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, TaskID

WARNING_PREFIX = "warning: "
COLUMNS = ("edition", "file", "size", "pages", "notes", "time")


@dataclass(frozen=True)
class EditionSummary:
    """One row of the summary table."""

    name: str
    file: str
    size: str
    pages: str
    notes: int
    seconds: float

    @property
    def cells(self) -> tuple[str, ...]:
        return (self.name, self.file, self.size, self.pages, str(self.notes), seconds(self.seconds))


def summarize(built: Iterable[BuiltEdition]) -> list[EditionSummary]:
    return [
        EditionSummary(
            edition.name,
            edition.path.name,
            human_size(edition.size),
            "" if (pages := count_pages(edition.path)) is None else str(pages),
            edition.notes,
            edition.seconds,
        )
        for edition in built
    ]


def output_folder(built: Iterable[BuiltEdition]) -> str | None:
    """The folder the editions were written to, relative to the working folder when it lies
    inside it; the table then names each file without it."""
    folders = {edition.path.parent for edition in built}
    if len(folders) != 1:
        return None
    folder = folders.pop()
    try:
        shown = folder.resolve().relative_to(Path.cwd())
    except ValueError:
        shown = folder
    return f"{shown}/"


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:,.0f} KiB"
    return f"{size / 1024 / 1024:,.1f} MiB"


def seconds(value: float) -> str:
    return f"{value:.1f} s"


def count_pages(path: Path) -> int | None:
    """Pages of a PDF (the booklet's are sheet sides), print pages an EPUB maps (or its
    spine documents when it maps none), and 1 for the web page."""
    if path.suffix == ".pdf":
        import pymupdf

        with pymupdf.open(path) as pdf:
            return pdf.page_count
    if path.suffix == ".epub":
        return epub_pages(path)
    if path.suffix == ".html":
        return 1
    return None


def epub_pages(path: Path) -> int:
    import lxml.etree

    from pipeline.checks.extract import NS, opf_path, spine_documents

    with zipfile.ZipFile(path) as archive:
        opf_name = opf_path(archive)
        opf = lxml.etree.fromstring(archive.read(opf_name))
        base = opf_name.rsplit("/", 1)[0] + "/" if "/" in opf_name else ""
        navs = opf.xpath("//*[local-name()='item'][contains(@properties,'nav')]/@href")
        if navs:
            nav = lxml.etree.fromstring(archive.read(base + navs[0]))
            pages = nav.xpath("//x:nav[@epub:type='page-list']//x:a", namespaces=NS)
            if pages:
                return len(pages)
        return len(spine_documents(archive))


class LogWarnings(logging.Handler):
    """Passes warnings the editions log to the display instead of standard error."""

    def __init__(self, display: BuildDisplay):
        super().__init__(logging.WARNING)
        self.display = display

    def emit(self, record: logging.LogRecord) -> None:
        self.display.warn(record.getMessage())


@contextmanager
def editions_warnings(display: BuildDisplay) -> Iterator[None]:
    logger = logging.getLogger(LOGGER)
    handler = LogWarnings(display)
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)


class BuildDisplay:
    """Plain lines on standard error: one per stage as it starts, then the summary.

    Used as a context manager around the build; on leaving it early (a bad input, an
    interrupt) the warnings held back so far are still printed.
    """

    def __init__(self, quiet: bool = False):
        self.quiet = quiet
        self.warnings: list[str] = []
        self.stages: list[tuple[str, float]] = []
        self._stage_started: float | None = None
        self._started = time.perf_counter()
        self._finished = False
        self._exit = ExitStack()

    def __enter__(self) -> BuildDisplay:
        self._exit.enter_context(editions_warnings(self))
        self._start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._stop()
        self._exit.close()
        if not self._finished:
            self.print_warnings()

    def stage(self, message: str) -> None:
        """A new stage begins; the one before it has ended."""
        self._end_stage()
        self.stages.append((message, 0.0))
        self._stage_started = time.perf_counter()
        self._show_stage(message)

    def warn(self, message: str) -> None:
        message = message.removeprefix(WARNING_PREFIX)
        if message not in self.warnings:
            self.warnings.append(message)

    def finish(self, built: list[BuiltEdition]) -> None:
        """Print the summary and the warnings under it."""
        self._end_stage()
        self._stop()
        self._finished = True
        if not self.quiet:
            self.print_summary(summarize(built), self.footer(built))
        self.print_warnings()

    def _end_stage(self) -> None:
        if self._stage_started is not None and self.stages:
            message, _ = self.stages[-1]
            self.stages[-1] = (message, time.perf_counter() - self._stage_started)
            self._stage_started = None

    def footer(self, built: list[BuiltEdition]) -> str:
        """Where the editions went, the whole time, and the stages before the first edition,
        which the table does not show: 4 editions in build/ in 3.1 s (reading the…)."""
        count = f"{len(built)} edition" + ("" if len(built) == 1 else "s")
        folder = output_folder(built)
        where = f" in {folder}" if folder else ""
        total = seconds(time.perf_counter() - self._started)
        preparing = [
            f"{message} {seconds(spent)}"
            for message, spent in self.stages[: max(0, len(self.stages) - len(built))]
        ]
        before = f" ({', '.join(preparing)})" if preparing else ""
        return f"{count}{where} in {total}{before}"

    def _start(self) -> None:
        pass

    def _stop(self) -> None:
        pass

    def _show_stage(self, message: str) -> None:
        if not self.quiet:
            print(f"… {message}", file=sys.stderr, flush=True)

    def print_summary(self, rows: list[EditionSummary], footer: str) -> None:
        widths = [
            max(len(column), *(len(row.cells[i]) for row in rows))
            for i, column in enumerate(COLUMNS)
        ]
        right = {"size", "pages", "notes", "time"}

        def line(cells: Iterable[str]) -> str:
            parts = [
                cell.rjust(width) if column in right else cell.ljust(width)
                for column, cell, width in zip(COLUMNS, cells, widths, strict=True)
            ]
            return "  ".join(parts).rstrip()

        lines = [line(COLUMNS), *(line(row.cells) for row in rows), footer]
        print("\n".join(lines), flush=True)

    def print_warnings(self) -> None:
        for message in self.warnings:
            print(f"{WARNING_PREFIX}{message}", file=sys.stderr, flush=True)


REFRESH_SECONDS = 0.1


class TerminalDisplay(BuildDisplay):
    """A spinner and a bar per stage while the build runs, then a table and the warnings."""

    def __init__(self, console: Console):
        super().__init__(quiet=False)
        self.console = console
        self.progress: Progress | None = None
        self._task: TaskID | None = None
        self._refreshing = threading.Lock()
        self._stopped = threading.Event()
        self._refresher: threading.Thread | None = None

    def _start(self) -> None:
        from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn

        from pipeline.workers import pausable

        self.progress = Progress(
            SpinnerColumn(finished_text="[green]✓[/green]"),
            TextColumn("{task.description}"),
            BarColumn(bar_width=24),
            TextColumn("{task.fields[seconds]}", justify="right"),
            console=self.console,
            transient=True,
            auto_refresh=False,
        )
        self.progress.start()
        self._stopped.clear()
        self._refresher = threading.Thread(target=self._refresh, name="display", daemon=True)
        self._refresher.start()
        pausable(self._refresher, lambda: self._refreshing)

    def _refresh(self) -> None:
        """Redraw the spinners while the build runs; the lock keeps a worker's fork from
        happening in the middle of a redraw (see ``pipeline.workers``)."""
        while not self._stopped.wait(REFRESH_SECONDS):
            with self._refreshing:
                if self.progress is not None:
                    self.progress.refresh()

    def _stop(self) -> None:
        from pipeline.workers import not_pausable

        if self._refresher is not None:
            self._stopped.set()
            self._refresher.join()
            not_pausable(self._refresher)
            self._refresher = None
        if self.progress is not None:
            self.progress.stop()
            self.progress = None

    def _show_stage(self, message: str) -> None:
        if self.progress is None:
            return
        self._task = self.progress.add_task(message, total=None, seconds="")

    def _end_stage(self) -> None:
        if self.progress is not None and self._task is not None and self._stage_started:
            spent = time.perf_counter() - self._stage_started
            self.progress.update(self._task, total=1, completed=1, seconds=seconds(spent))
        super()._end_stage()

    def print_summary(self, rows: list[EditionSummary], footer: str) -> None:
        from rich import box
        from rich.console import Console
        from rich.table import Table
        from rich.text import Text

        table = Table(box=box.SIMPLE_HEAD, header_style="bold", pad_edge=False)
        for column in COLUMNS:
            justify = "left" if column in ("edition", "file") else "right"
            table.add_column(column, justify=justify, overflow="fold")
        for row in rows:
            table.add_row(Text(row.name, style="bold"), *map(Text, row.cells[1:]))
        out = Console(highlight=False)
        out.print(table)
        out.print(Text.assemble(("✓ ", "green"), footer))

    def print_warnings(self) -> None:
        if not self.warnings:
            return
        from rich.text import Text

        count = len(self.warnings)
        self.console.print(f"\n[yellow bold]{count} warning{'s' if count > 1 else ''}[/]")
        for message in self.warnings:
            self.console.print(Text.assemble(("  • ", "yellow"), message))


def build_display(quiet: bool) -> BuildDisplay:
    """A terminal display when standard error is one (or rich is told it is, with
    TTY_COMPATIBLE=1 or FORCE_COLOR=1), else plain lines."""
    from rich.console import Console

    console = Console(stderr=True, highlight=False)
    if quiet or not console.is_terminal or os.environ.get("TERM") == "dumb":
        return BuildDisplay(quiet=quiet)
    return TerminalDisplay(console)
