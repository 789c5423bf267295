"""What `pipeline build` prints: stages, the summary table, warnings grouped under it."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pypdf
import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.progress import epub_pages

EDITIONS = ("pdf", "booklet", "cover", "epub", "html")
SMALL_NOTES = 4
"""Two notes written by hand and two citations in tests/fixtures/small/text.md."""
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
TERMINAL = {"TTY_COMPATIBLE": "1", "COLUMNS": "160", "TERM": "xterm-256color"}
PLAIN = {"TTY_COMPATIBLE": None, "FORCE_COLOR": None, "COLUMNS": "160"}


def build(manuscript: Path, out: Path, *args: str, env: dict | None = None):
    return CliRunner().invoke(
        cli, ["build", str(manuscript), "--output-dir", str(out), *args], env=env or PLAIN
    )


def table_rows(output: str) -> dict[str, list[str]]:
    """The summary table's rows by edition name: the cells after the name, split on runs
    of two or more spaces."""
    rows = {}
    for line in ANSI.sub("", output).splitlines():
        cells = re.split(r"\s{2,}", line.strip())
        if cells[0] in EDITIONS and len(cells) == 6:
            rows[cells[0]] = cells[1:]
    return rows


def pdf_pages(path: Path) -> int:
    return len(pypdf.PdfReader(path).pages)


def add_warnings(manuscript: Path) -> None:
    """An image without alt text (reported by the EPUB) and an event handler (removed from
    the parsed document)."""
    (manuscript / "images").mkdir()
    (manuscript / "images" / "dot.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        '<circle cx="5" cy="5" r="4"/></svg>'
    )
    with (manuscript / "text.md").open("a", encoding="utf-8") as text:
        text.write('\n![](images/dot.svg)\n\n<span onclick="steal()">Tap here.</span>\n')


def test_plain_lines_then_a_table_of_every_edition(small_copy, tmp_path):
    out = tmp_path / "out"
    result = build(small_copy, out)
    assert result.exit_code == 0, result.output
    assert "\x1b[" not in result.output
    stages = [line for line in result.stderr.splitlines() if line.startswith("… ")]
    assert stages[:3] == [
        "… reading the manuscript",
        "… parsing with pandoc",
        "… laying out the print pages",
    ]
    assert len(stages) == 3 + len(EDITIONS)
    assert result.stdout.splitlines()[0].split() == [
        "edition",
        "file",
        "size",
        "pages",
        "notes",
        "time",
    ]
    rows = table_rows(result.stdout)
    assert list(rows) == list(EDITIONS)
    assert {name: int(cells[3]) for name, cells in rows.items()} == dict.fromkeys(
        EDITIONS, SMALL_NOTES
    )
    pages = {name: int(cells[2]) for name, cells in rows.items()}
    print_pages = pdf_pages(out / "small-pamphlet.pdf")
    assert pages["pdf"] == print_pages
    assert pages["booklet"] == pdf_pages(out / "small-pamphlet-booklet.pdf")
    assert pages["booklet"] == 2 * math.ceil(print_pages / 4)
    assert pages["epub"] == print_pages, "the EPUB's page list maps every print page"
    assert pages["html"] == 1
    assert rows["epub"][0] == "small-pamphlet.epub"
    footer = result.stdout.splitlines()[-1]
    assert re.match(rf"5 editions in {re.escape(str(out))}/ in \d+\.\d s \(reading", footer)


def test_terminal_shows_a_table_with_every_edition_and_its_notes(small_copy, tmp_path):
    result = build(small_copy, tmp_path / "out", env=TERMINAL)
    assert result.exit_code == 0, result.output
    assert "\x1b[" in result.output, "the rich display was not used"
    plain = ANSI.sub("", result.output)
    assert "… reading the manuscript" not in plain
    assert "✓" in plain and "─" in plain
    rows = table_rows(result.output)
    assert list(rows) == list(EDITIONS)
    assert [int(cells[3]) for cells in rows.values()] == [SMALL_NOTES] * len(EDITIONS)


@pytest.mark.parametrize("jobs", ["1", "2"], ids=["one process", "worker processes"])
@pytest.mark.parametrize("env", [PLAIN, TERMINAL], ids=["plain", "terminal"])
def test_warnings_are_grouped_under_the_table(env, jobs, small_copy, tmp_path):
    add_warnings(small_copy)
    result = build(small_copy, tmp_path / "out", "-f", "epub", "-f", "html", "-j", jobs, env=env)
    assert result.exit_code == 0, result.output
    lines = ANSI.sub("", result.output).splitlines()
    last_row = max(i for i, line in enumerate(lines) if line.strip().startswith("html "))
    alt = [i for i, line in enumerate(lines) if "has no alternative text" in line]
    handler = [i for i, line in enumerate(lines) if "removed onclick" in line]
    assert len(alt) == 1 and len(handler) == 1, result.output
    assert min(alt + handler) > last_row


def test_quiet_prints_only_warnings(small_copy, tmp_path):
    add_warnings(small_copy)
    result = build(small_copy, tmp_path / "out", "-f", "epub", "-f", "html", "--quiet")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert len(lines) == 2
    assert all(line.startswith("warning: ") for line in lines), result.output


def test_bad_input_on_a_terminal_ends_with_one_error_line(small_copy, tmp_path):
    (small_copy / "text.md").write_text("A call[^nowhere].\n")
    result = build(small_copy, tmp_path / "out", env=TERMINAL)
    assert result.exit_code == 2
    plain = ANSI.sub("", result.output).strip()
    assert plain.splitlines()[-1].startswith("error: ")
    assert "footnote [^nowhere]" in plain and "Traceback" not in plain


def test_epub_pages_counts_the_page_list(small_editions):
    assert epub_pages(small_editions["epub"]) == pdf_pages(small_editions["pdf"])
