"""The command line: a thin Click layer over the stages."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from pipeline import __version__
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
    type=click.Choice(["pdf", "epub", "html"]),
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
def build(
    manuscript: Path, formats: tuple[str, ...], output_dir: Path, styles: Path | None, quiet: bool
) -> None:
    """Build the editions of MANUSCRIPT (default: ./manuscript) into build/."""
    from pipeline.build import build as run_build
    from pipeline.editions import FORMATS

    def progress(message: str) -> None:
        if not quiet:
            click.echo(f"… {message}", err=True)

    try:
        built = run_build(manuscript, formats or FORMATS, output_dir, styles, progress)
    except PipelineError as exc:
        fail(exc)
    if not quiet:
        for edition in built:
            size = edition.size / 1024
            click.echo(f"{edition.name:5} {edition.path}  {size:,.0f} KiB  {edition.seconds:.2f} s")


def fail(error: PipelineError) -> None:
    click.echo(f"error: {error}", err=True)
    sys.exit(error.exit_code)


def main() -> None:
    cli()
