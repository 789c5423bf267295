"""The command line: a thin Click layer over the stages."""

from __future__ import annotations

import signal
import sys
from pathlib import Path

import click

from pipeline import __version__
from pipeline.editions import FORMATS
from pipeline.errors import PipelineError

MANUSCRIPT = click.argument(
    "manuscript",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("manuscript"),
    required=False,
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pipeline")
def cli() -> None:
    """Turn a Pandoc Markdown manuscript into a print PDF, an EPUB 3 and an HTML edition."""


@cli.command()
@MANUSCRIPT
@click.option(
    "--format",
    "-f",
    "formats",
    multiple=True,
    type=click.Choice(FORMATS),
    help="Edition to build; repeat for several. Default: all of them.",
)
@click.option(
    "--output-dir",
    "-o",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("build"),
    show_default=True,
    help="Folder the editions are written to.",
)
@click.option(
    "--styles",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Folder of stylesheets, templates and CSL styles (default: the project's styles/).",
)
@click.option("--quiet", "-q", is_flag=True, help="Print only errors.")
@click.option(
    "--strict",
    is_flag=True,
    help="Stop on active content (scripts, frames, event handlers) instead of removing it.",
)
def build(
    manuscript: Path,
    formats: tuple[str, ...],
    output_dir: Path,
    styles: Path | None,
    quiet: bool,
    strict: bool,
) -> None:
    """Build the editions of MANUSCRIPT (default: ./manuscript) into build/."""
    from pipeline.build import build as run_build
    from pipeline.editions import FORMATS

    def progress(message: str) -> None:
        if not quiet:
            click.echo(f"… {message}", err=True)

    try:
        built = run_build(
            manuscript,
            formats or FORMATS,
            output_dir,
            styles,
            progress,
            warn=lambda message: click.echo(f"warning: {message}", err=True),
            strict=strict,
        )
    except PipelineError as exc:
        fail(exc)
    if not quiet:
        for edition in built:
            size = edition.size / 1024
            click.echo(f"{edition.name:7} {edition.path}  {size:,.0f} KiB  {edition.seconds:.2f} s")


@cli.command()
@MANUSCRIPT
@click.option(
    "--build-dir",
    "-b",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("build"),
    show_default=True,
    help="Folder holding the built editions.",
)
@click.option(
    "--only",
    multiple=True,
    type=click.Choice(["manuscript", "pdf", "epub", "html", "cross"]),
    help="Run only these groups of checks; repeat for several.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def check(manuscript: Path, build_dir: Path, only: tuple[str, ...], as_json: bool) -> None:
    """Check MANUSCRIPT and its built editions; exit 1 when any check reports an error."""
    from rich.console import Console

    from pipeline.checks import report as reports
    from pipeline.checks.run import SUBJECTS, run_checks

    try:
        result = run_checks(manuscript, build_dir, only or SUBJECTS)
    except PipelineError as exc:
        fail(exc)
    if as_json:
        click.echo(reports.as_json(result))
    else:
        reports.print_table(result, Console(width=max(100, Console().width)))
    sys.exit(1 if result.errors else 0)


@cli.command("import")
@click.argument("source", type=click.Path(path_type=Path))
@click.option(
    "--into",
    type=click.Path(path_type=Path),
    help="Manuscript folder to write. Default: ./SLUG, the slug made from the title.",
)
@click.option("--lang", help="Language tag (en, fr, de-CH…). Default: the source's, or guessed.")
@click.option(
    "--force",
    is_flag=True,
    help="Write into a non-empty folder: replace metadata.yaml, text.md and images/, "
    "keep references.bib.",
)
def import_(source: Path, into: Path | None, lang: str | None, force: bool) -> None:
    """Make a manuscript folder from SOURCE (.docx, .odt, .html or .txt).

    Writes metadata.yaml, text.md (Pandoc Markdown), a references.bib stub and images/,
    then lists what an editor should check.
    """
    from pipeline.importers import import_source, report_lines

    try:
        result = import_source(source, into, lang, force)
    except PipelineError as exc:
        fail(exc)
    click.echo("\n".join(report_lines(source, result)))


def fail(error: PipelineError) -> None:
    click.echo(f"error: {error}", err=True)
    sys.exit(error.exit_code)


def _interrupt(signum: int, frame: object) -> None:
    """Turn SIGTERM into an interrupt, so half-written temporary files are cleaned up."""
    raise KeyboardInterrupt


def main() -> None:
    signal.signal(signal.SIGTERM, _interrupt)
    cli()
