"""Bad or hostile input ends in a build or in one clear sentence with exit 2, never a
traceback, and in bounded time."""

import time

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.checks.extract import read_epub, read_html
from pipeline.cli import cli
from tests.checks.helpers import manuscript

BIB = "@book{marx, author={Marx, Karl}, title={Capital}, year=1867}\n"


def build(folder, out, *formats: str):
    flags = [arg for name in formats for arg in ("--format", name)]
    return CliRunner().invoke(cli, ["build", str(folder), "-o", str(out), "-q", *flags])


def assert_clean_failure(result, expected: str) -> None:
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and expected in lines[0]


CASES = {
    "invalid UTF-8": (b"caf\xe9 au lait\n", None, "text.md:1: is not valid UTF-8"),
    "malformed BibTeX": (
        b"Cites [@marx].\n",
        "@book{marx, author={Marx, title={Capital}, year=1867\n",
        "references.bib:2: cannot be read as a bibliography",
    ),
    "duplicate keys": (
        b"Cites [@marx].\n",
        BIB + "@book{marx, title={Again}, year=1868}\n",
        "references.bib:2: has a second entry with the key 'marx'",
    ),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_bad_input_gives_one_sentence(case, tmp_path):
    text, bib, expected = CASES[case]
    folder = manuscript(tmp_path / "m", "", bib=bib or "")
    (folder / "text.md").write_bytes(text)
    assert_clean_failure(build(folder, tmp_path / "out", "html"), expected)


def test_yaml_that_is_not_a_map(tmp_path):
    folder = manuscript(tmp_path / "m", "Text.\n", meta="- a\n- list\n")
    assert_clean_failure(build(folder, tmp_path / "out"), "metadata.yaml:1: must be a map")


def test_bom_and_crlf_are_accepted(tmp_path):
    folder = manuscript(tmp_path / "m", "")
    (folder / "text.md").write_bytes(
        b"\xef\xbb\xbfA line\r\nwith a note[^n].\r\n\r\n[^n]: Note.\r\n"
    )
    result = build(folder, tmp_path / "out", "html")
    assert result.exit_code == 0, result.output
    assert read_html(tmp_path / "out" / "t.html").notes == ["Note."]


def test_empty_text_is_refused(tmp_path):
    folder = manuscript(tmp_path / "m", "")
    assert_clean_failure(build(folder, tmp_path / "out", "html", "epub"), "text.md: holds no text")


def test_deep_nesting_builds(tmp_path):
    folder = manuscript(tmp_path / "m", "> " * 200 + "deep\n\n" + "- " * 200 + "deeper\n")
    start = time.perf_counter()
    result = build(folder, tmp_path / "out", "pdf", "epub", "html")
    assert result.exit_code == 0, result.output
    assert time.perf_counter() - start < 60


def test_too_large_a_manuscript_is_refused_quickly(tmp_path):
    folder = manuscript(tmp_path / "m", "")
    paragraph = "A sentence of plain words that goes on for a while. " * 20 + "\n\n"
    (folder / "text.md").write_text(paragraph * (20_000_000 // len(paragraph)))
    start = time.perf_counter()
    result = build(folder, tmp_path / "out")
    assert_clean_failure(result, "text.md: is 20.0 MB")
    assert time.perf_counter() - start < 10


def test_ten_thousand_notes(tmp_path):
    body = "".join(f"Sentence {n}.[^n{n}]\n\n" for n in range(10_000))
    notes = "".join(f"[^n{n}]: Note {n}.\n" for n in range(10_000))
    folder = manuscript(tmp_path / "m", body + notes)
    start = time.perf_counter()
    result = build(folder, tmp_path / "out", "html", "epub")
    assert result.exit_code == 0, result.output
    assert time.perf_counter() - start < 120
    assert len(read_html(tmp_path / "out" / "t.html").notes) == 10_000
    assert len(read_epub(tmp_path / "out" / "t.epub").notes) == 10_000


words = st.text(alphabet="abcdefghij klmnopqrst–—“”‘’.,;:!?*_`#>-\\[]@^()", min_size=1, max_size=40)
block = st.one_of(
    words,
    words.map(lambda w: f"{w}[^a]"),
    words.map(lambda w: f"{w} [@marx, 12]"),
    words.map(lambda w: f"> {w}"),
    words.map(lambda w: f"- {w}"),
    words.map(lambda w: f"# {w}"),
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(blocks=st.lists(block, min_size=1, max_size=8))
def test_random_markdown_builds_or_fails_cleanly(blocks, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("random")
    text = "\n\n".join(blocks) + "\n\n[^a]: A note [@marx].\n"
    folder = manuscript(tmp / "m", text, bib=BIB)
    result = build(folder, tmp / "out", "html", "epub")
    if result.exit_code != 0:
        assert result.exit_code == 2, result.output
        assert result.output.startswith("error: ") and "Traceback" not in result.output
        return
    html = read_html(tmp / "out" / "t.html")
    epub = read_epub(tmp / "out" / "t.epub")
    assert len(html.notes) == len(epub.notes)
    assert [n.lower() for n in html.notes] == [n.lower() for n in epub.notes]


def test_a_five_thousand_character_word_stays_on_the_page(tmp_path):
    import pymupdf

    folder = manuscript(tmp_path / "m", "Before " + "x" * 5000 + " after.\n")
    result = build(folder, tmp_path / "out", "pdf")
    assert result.exit_code == 0, result.output
    with pymupdf.open(tmp_path / "out" / "t.pdf") as pdf:
        for page in pdf:
            right = max((w[2] for w in page.get_text("words")), default=0)
            assert right <= page.rect.width - 30, page.number + 1


PANDOC_REFUSALS = {
    "note label defined twice": (
        "A call.[^n]\n\n[^n]: One.\n\n[^n]: Two.\n",
        "text.md:5: footnote [^n] is defined a second time",
    ),
    "id written twice": (
        "# One {#x}\n\nText.\n\n# Two {#x}\n",
        "text.md:5: gives the id #x a second time (first at text.md:1)",
    ),
    "citation key with no entry": ("Cites [@nobody].\n", "text.md:1: cites @nobody"),
}


@pytest.mark.parametrize("case", PANDOC_REFUSALS, ids=list(PANDOC_REFUSALS))
def test_what_loses_text_or_points_nowhere_is_refused(case, tmp_path):
    text, expected = PANDOC_REFUSALS[case]
    folder = manuscript(tmp_path / "m", text, bib=BIB)
    assert_clean_failure(build(folder, tmp_path / "out", "html"), expected)


def test_a_comment_in_the_body_builds_every_edition(tmp_path):
    text = (
        "<!-- first -->\n\nText <!-- inline --> here.[^n]\n\n<!-- x -->\n\n"
        "[^n]: A note.<!-- y -->\n"
    )
    folder = manuscript(tmp_path / "m", text)
    result = build(folder, tmp_path / "out", "pdf", "epub", "html")
    assert result.exit_code == 0, result.output
    assert read_html(tmp_path / "out" / "t.html").notes == ["A note."]


def test_pandoc_warnings_are_listed_and_strict_refuses_them(tmp_path):
    folder = manuscript(tmp_path / "m", "Text.\n\n::: box\nNever closed.\n")
    result = build(folder, tmp_path / "out", "html")
    assert result.exit_code == 0, result.output
    assert "text.md:3: a div opened here (::: or <div>) is never closed" in result.output
    strict = CliRunner().invoke(
        cli, ["build", str(folder), "-o", str(tmp_path / "out"), "-q", "--strict"]
    )
    assert strict.exit_code == 2 and "not allowed with --strict" in strict.output
