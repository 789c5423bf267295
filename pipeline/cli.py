"""The command line: a thin Click layer over the stages."""

from __future__ import annotations

import atexit
import contextlib
import functools
import os
import signal
import sys
from pathlib import Path
from typing import NoReturn

import click

from pipeline import __version__, limits
from pipeline.checks.subjects import CHECK_SUBJECTS
from pipeline.editions import FORMATS
from pipeline.errors import PipelineError
from pipeline.layout.engine import freeze_heap_at_exit, tweak_applies

INTERNAL_ERROR = 70

FORMATS_OPTION = click.option(
    "--format",
    "-f",
    "formats",
    multiple=True,
    type=click.Choice(FORMATS),
    help="Edition to build; repeat for several. Default: all of them.",
)
BUILD_DIR = click.option(
    "--build-dir",
    "-b",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("build"),
    show_default=True,
    help="Folder holding the built editions.",
)
STYLES = click.option(
    "--styles",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Folder of stylesheets, templates and CSL styles (default: the project's styles/).",
)


QUIET = click.option("--quiet", "-q", is_flag=True, help="Print only errors and warnings.")


def limited(command):
    """Add ``--time-limit`` and ``--memory-limit`` to ``command`` and run it under them."""

    @click.option(
        "--time-limit",
        type=click.FloatRange(min=0, min_open=True),
        default=limits.DEFAULT_SECONDS,
        show_default=True,
        metavar="SECONDS",
        help="Stop with an error when one step (pandoc, the layout, a validator) runs longer.",
    )
    @click.option(
        "--memory-limit",
        type=click.IntRange(min=256),
        default=limits.DEFAULT_MEMORY_MIB,
        show_default=True,
        metavar="MIB",
        help="Memory each program the pipeline starts (pandoc) may use, in MiB.",
    )
    @functools.wraps(command)
    def run(*args, time_limit: float, memory_limit: int, **kwargs):
        with limits.limited(time_limit, memory_limit, kwargs.get("manuscript")):
            return command(*args, **kwargs)

    return run


MANUSCRIPT = click.argument(
    "manuscript",
    type=click.Path(path_type=Path),
    default=Path("manuscript"),
    required=False,
)


class PipelineGroup(click.Group):
    """Reports every failure as one sentence: bad input with exit code 2, and anything
    unexpected with exit code 70 (its traceback only with PIPELINE_DEBUG=1)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except PipelineError as exc:
            fail(exc)
        except (
            click.ClickException,
            click.exceptions.Exit,
            click.Abort,
            KeyboardInterrupt,
            SystemExit,
            GeneratorExit,
        ):
            raise
        except BaseException as exc:  # a library's own BaseException too, never a traceback
            if os.environ.get("PIPELINE_DEBUG"):
                raise
            click.echo(
                f"error: an internal error stopped the command ({type(exc).__name__}: {exc}); "
                "PIPELINE_DEBUG=1 shows where",
                err=True,
            )
            sys.exit(INTERNAL_ERROR)


@click.group(cls=PipelineGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pipeline")
def cli() -> None:
    """Turn a Pandoc Markdown manuscript into a print PDF, an EPUB 3 and an HTML edition.

    From an empty folder to checked editions:

    \b
        pipeline new my-pamphlet --title "My pamphlet" --author "Ada Writer"
        pipeline build my-pamphlet --output-dir my-pamphlet/build
        pipeline check my-pamphlet --build-dir my-pamphlet/build

    `pipeline COMMAND --help` describes each command and its options.
    """


@cli.command()
@MANUSCRIPT
@FORMATS_OPTION
@click.option(
    "--output-dir",
    "-o",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("build"),
    show_default=True,
    help="Folder the editions are written to.",
)
@STYLES
@QUIET
@click.option(
    "--strict",
    is_flag=True,
    help="Stop on active content (scripts, frames, event handlers) instead of removing it.",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    envvar="PIPELINE_JOBS",
    metavar="N",
    help="Editions written at once, in worker processes (default: one per core; "
    "1 writes them one after another in one process).",
)
@limited
def build(
    manuscript: Path,
    formats: tuple[str, ...],
    output_dir: Path,
    styles: Path | None,
    quiet: bool,
    strict: bool,
    jobs: int | None,
) -> None:
    """Build the editions of MANUSCRIPT (a folder, or one .md file with front matter;
    default: ./manuscript) into build/.

    Shows each stage as it runs, then a table of the editions written (file, size, pages,
    notes, time) with any warnings under it. Example:

        pipeline build manuscript --format pdf --format epub -o build
    """
    from pipeline.build import build as run_build
    from pipeline.editions import FORMATS
    from pipeline.progress import build_display
    from pipeline.workers import default_jobs

    with build_display(quiet) as display:
        built = run_build(
            manuscript,
            formats or FORMATS,
            output_dir,
            styles,
            display.stage,
            warn=display.warn,
            strict=strict,
            jobs=jobs or default_jobs(),
        )
        display.finish(built)


@cli.command()
@MANUSCRIPT
@BUILD_DIR
@click.option(
    "--only",
    multiple=True,
    type=click.Choice(CHECK_SUBJECTS),
    help="Run only these groups of checks; repeat for several.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@limited
def check(manuscript: Path, build_dir: Path, only: tuple[str, ...], as_json: bool) -> None:
    """Check MANUSCRIPT (a folder or one .md file) and its built editions; exit 1 when any
    check reports an error.

    Example:

        pipeline check manuscript --build-dir build --only manuscript --only cross
    """
    from rich.console import Console

    from pipeline.checks import report as reports
    from pipeline.checks.run import run_checks

    result = run_checks(manuscript, build_dir, only or CHECK_SUBJECTS)
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
    then lists what an editor should check. Example:

        pipeline import essay.docx --into essay --lang en-GB
    """
    from pipeline.importers import import_source, report_lines

    result = import_source(source, into, lang, force)
    click.echo("\n".join(report_lines(source, result)))


@cli.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option(
    "--title",
    help="The title. Default: the sample's title in the language, else made from FOLDER's name.",
)
@click.option("--author", help="The author, as printed. Default: a placeholder to replace.")
@click.option(
    "--lang",
    default="en",
    show_default=True,
    help="Language tag of the text (en, en-GB, fr, de-CH, ar, zh-Hant…).",
)
def new(folder: Path, title: str | None, author: str | None, lang: str) -> None:
    """Start a manuscript in FOLDER, which must be new or empty.

    Writes metadata.yaml (every key, those not needed commented out), a sample text.md with
    a footnote, citations and a quotation, a references.bib and a Makefile, ready for
    `make -C FOLDER`. The sample builds and passes `pipeline check` as it stands. In a
    language with a sample of its own (ar, fa, ur, he, hi, bn, th, zh, zh-Hant, ja, ko, ru,
    tr, vi, el, de, fr) the text is a passage of the Universal Declaration of Human Rights
    in that language, with a footnote and a citation; in any other, the English sample.
    Example:

        pipeline new my-pamphlet --title "My pamphlet" --author "Ada Writer" --lang en-GB
    """
    from pipeline.scaffold import create, next_steps

    result = create(folder, title, author, lang)
    click.echo("\n".join(next_steps(result)))


@cli.command()
@MANUSCRIPT
@BUILD_DIR
@STYLES
def proof(manuscript: Path, build_dir: Path, styles: Path | None) -> None:
    """Write proofs of MANUSCRIPT (a folder or one .md file) for an editor: a contact sheet
    of the PDF's pages and spreads (build/SLUG-proof.png) and the check report with
    thumbnails of the pages where problems are (build/SLUG-report.html). Builds the PDF
    first if it is missing.

    Example:

        pipeline proof manuscript --build-dir build
    """
    from pipeline.proof import proof as make_proof

    made = make_proof(manuscript, build_dir, styles)
    click.echo(f"contact sheet {made.sheet}  ({made.page_count} pages)")
    pages = ", ".join(map(str, made.pages_with_problems)) or "none"
    click.echo(f"report        {made.report}  ({made.findings} findings; pages shown: {pages})")
    click.echo(f"in {made.seconds:.2f} s")


@cli.command()
@MANUSCRIPT
@BUILD_DIR
@STYLES
@click.option("--pdf", is_flag=True, help="Rebuild the print edition too.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port on 127.0.0.1 to serve the build folder on (0: any free one).",
)
def watch(manuscript: Path, build_dir: Path, styles: Path | None, pdf: bool, port: int) -> None:
    """Rebuild the HTML edition (and the PDF with --pdf) whenever a file of MANUSCRIPT (a
    folder or one .md file) or of the styles changes, and serve the build folder on
    http://127.0.0.1:PORT/ with live reload. A bad edit prints one line and the watch goes
    on; Ctrl-C stops it.

    Example:

        pipeline watch manuscript --pdf --port 8000
    """
    from pipeline.watch import watch as run_watch

    try:
        run_watch(manuscript, build_dir, pdf, port, styles, echo=click.echo)
    except OSError as exc:
        fail(PipelineError(f"cannot serve on port {port} ({exc.strerror})"))
    except KeyboardInterrupt:
        click.echo("stopped")


@cli.group()
def series() -> None:
    """Several manuscripts built together: those series.yaml lists, or manuscripts/*/.

    Example:

        pipeline series build series.yaml --format pdf --output-dir build
    """


SERIES = click.argument(
    "location", type=click.Path(exists=True, path_type=Path), default=Path("."), required=False
)


@series.command("list")
@SERIES
def series_list(location: Path) -> None:
    """Print the manuscript folders of the series in LOCATION (series.yaml or a folder).

    Example:

        pipeline series list series.yaml
    """
    from pipeline.series import load_series

    for title in load_series(location).titles:
        click.echo(title)


@series.command("build")
@SERIES
@click.option(
    "--only",
    multiple=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Build only this title's folder; repeat for several.",
)
@FORMATS_OPTION
@click.option(
    "--output-dir",
    "-o",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("build"),
    show_default=True,
    help="Folder that receives one folder per title, named by its slug.",
)
@QUIET
def series_build(
    location: Path, only: tuple[Path, ...], formats: tuple[str, ...], output_dir: Path, quiet: bool
) -> None:
    """Build every title of the series in LOCATION into OUTPUT_DIR/SLUG/.

    Example:

        pipeline series build . --only manuscripts/first --format html
    """
    from pipeline.series import build_series, load_series

    built = build_series(
        load_series(location),
        output_dir,
        formats or FORMATS,
        only,
        progress=lambda message: None if quiet else click.echo(f"… {message}", err=True),
        warn=lambda message: click.echo(f"warning: {message}", err=True),
    )
    if not quiet:
        for title in built:
            for edition in title.editions:
                click.echo(f"{edition.name:7} {edition.path}  {edition.seconds:.2f} s")


@cli.command()
@MANUSCRIPT
def slug(manuscript: Path) -> None:
    """Print the file-name stem of MANUSCRIPT's editions (for Makefiles); MANUSCRIPT is a
    folder or one .md file with front matter. Example:

    pipeline slug manuscript        # communist-fractions-1922-3
    """
    from pipeline.manuscript import locate

    click.echo(locate(manuscript).metadata.slug)


@cli.group()
def validators() -> None:
    """The validator server: one long-lived process that keeps EPUBCheck and the Nu HTML
    Checker warm between runs of `pipeline check`, which starts it when needed. It stops by itself
    after PIPELINE_VALIDATOR_IDLE seconds (default 900) without a request.

    Example:

        pipeline validators status
    """


@validators.command("start")
def validators_start() -> None:
    """Start the validator server, unless it is running already. It stops after
    PIPELINE_VALIDATOR_IDLE idle seconds (default 900), here after an hour:

    \b
        export PIPELINE_VALIDATOR_IDLE=3600
        pipeline validators start
    """
    from pipeline.checks.validators.client import start

    _echo_validator_status(start())


@validators.command("stop")
def validators_stop() -> None:
    """Stop the validator server; the next `pipeline check` starts it again.

    Example:

        pipeline validators stop
    """
    from pipeline.checks.validators.client import stop

    click.echo("stopped" if stop() else "not running")


@validators.command("status")
def validators_status() -> None:
    """Print the validator server's pid, idle timeout and state folder, or "not running".
    Example:

        pipeline validators status
    """
    from pipeline.checks.validators.client import status

    _echo_validator_status(status())


def _echo_validator_status(status) -> None:
    if not status.running:
        click.echo(f"not running (state dir {status.state_dir})")
        return
    click.echo(f"pid           {status.pid}")
    click.echo(f"idle timeout  {status.idle_s} s")
    click.echo(f"state dir     {status.state_dir}")


def fail(error: PipelineError) -> None:
    click.echo(f"error: {error}", err=True)
    sys.exit(error.exit_code)


def _interrupt(signum: int, frame: object) -> None:
    """Turn SIGTERM into an interrupt, so half-written temporary files are cleaned up."""
    raise KeyboardInterrupt


def main() -> None:
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        cli()
    except SystemExit as exit:
        code = exit.code
    else:
        code = 0
    finally:
        freeze_heap_at_exit()
    leave(code)


def leave(code: int | str | None) -> NoReturn:
    """End the process with ``code``, as ``sys.exit`` would, but without Python's teardown
    of every module and object the command made (30 ms after a pamphlet's build): the
    exit handlers run and the output is flushed, then the process ends."""
    if not tweak_applies("quick-exit"):
        sys.exit(code)
    if isinstance(code, str):
        print(code, file=sys.stderr)
        code = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError, AttributeError):
            stream.flush()
    os._exit(code or 0)
