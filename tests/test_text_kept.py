"""No text lost without a word, nothing set off the page, no character an edition cannot
carry: each hostile manuscript is written here, built for real, and its editions read back."""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from pathlib import Path

import lxml.etree
import lxml.html
import pymupdf
import pytest
from click.testing import CliRunner
from PIL import Image

from pipeline.characters import clean
from pipeline.checks.extract import (
    comparable,
    html_parser,
    read_epub,
    read_html,
    read_pdf,
    xml_parser,
)
from pipeline.checks.rules.pdf import SIDE_MARGIN, outside_text_block
from pipeline.cli import cli
from pipeline.document import parse
from pipeline.errors import PipelineError
from pipeline.identifiers import pandoc_identifier, words_without_calls
from pipeline.importers.pandoc_ast import nodes, run_pandoc
from pipeline.manuscript import load_manuscript
from tests.checks.helpers import manuscript

DEEP = 200
LONG_WORD = "Donaudampfschifffahrtsgesellschaftskapitänswitwenrentenversicherungsanstalt" * 2
LONG_ADDRESS = "https://example.org/" + "a-very-long-path-without-a-break/" * 6 + "end"
TABLE = "| Name | Word | Address |\n|---|---|---|\n" + "".join(
    f"| Row {n} | {LONG_WORD} | <{LONG_ADDRESS}> |\n" for n in range(100)
)
HOSTILE = "\n".join(
    [
        "# Chapter one[^h]",
        "",
        "A bell\a, non-characters \ufffe and \uffff, an escape \x1b, a form\x0c feed, C1 \x85\x9b.",
        "",
        "Joiners kept: \u0915\u094d\u200d\u0937 and \u0645\u06cc\u200c\u062e\u0648"
        "\u0627\u0647\u0645, a\ttab.",
        "",
        "An override \u202e never closed.",
        "",
        "An isolate \u2067closed\u2069 and an embedding \u202bclosed\u202c stay.",
        "",
        "\\newpage",
        "",
        "Inline `x`{=latex} raw.",
        "",
        "```{=typst}",
        "#pagebreak()",
        "```",
        "",
        "- " * DEEP + "deepest item",
        "",
        "After the list.",
        "",
        "> " * DEEP + "deepest quote",
        "",
        "After the quotation.",
        "",
        "## A table",
        "",
        TABLE,
        "After the table.",
        "",
        "[^h]: The note of the heading.",
        "",
    ]
)
KEPT_WORDS = ("deepest item", "After the list.", "deepest quote", "After the quotation.")


def build(folder: Path, out: Path, *formats: str, strict: bool = False):
    flags = [arg for name in formats for arg in ("--format", name)]
    extra = ["--strict"] if strict else []
    return CliRunner().invoke(cli, ["build", str(folder), "-o", str(out), "-q", *flags, *extra])


def refusal(result) -> str:
    """The one line of a clean refusal (exit 2)."""
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    return lines[0]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """The hostile manuscript, its PDF, EPUB and web page, and what the build printed."""
    root = tmp_path_factory.mktemp("hostile")
    folder = manuscript(root / "m", HOSTILE, meta="title: Kept\nprint:\n  toc: true\n")
    result = build(folder, root / "out", "pdf", "epub", "html")
    assert result.exit_code == 0, result.output
    return folder, root / "out", result.output


def test_characters_no_edition_can_carry_are_removed_with_their_line(hostile):
    folder, out, output = hostile
    text = folder / "text.md"
    assert (
        f"{text}:3: removed 7 characters (U+0007 BEL, U+FFFE, U+FFFF, U+001B ESC,"
        " U+000C FORM FEED, U+0085, U+009B), which no edition can carry"
    ) in output
    assert f"{text}:7: removed the character U+202E RIGHT-TO-LEFT OVERRIDE without its" in output
    assert f"{text}:5:" not in output and f"{text}:9:" not in output
    for edition in (read_html(out / "kept.html"), read_epub(out / "kept.epub")):
        assert "\u200d" in edition.text and "\u200c" in edition.text
        assert "\u2067closed\u2069" in edition.text and "\u202bclosed\u202c" in edition.text
        assert not {"\a", "\ufffe", "\uffff", "\x1b", "\x0c", "\x85", "\u202e"} & set(edition.text)


def test_strict_refuses_the_removal_and_writes_nothing(hostile, tmp_path):
    folder, _out, _output = hostile
    line = refusal(build(folder, tmp_path / "out", "pdf", strict=True))
    assert "text.md:3: removed 7 characters" in line and "not allowed with --strict" in line
    assert not list((tmp_path / "out").glob("*.pdf"))


def test_raw_tex_and_other_raw_formats_are_named_with_their_line(hostile):
    folder, _out, output = hostile
    text = folder / "text.md"
    assert f"{text}:11: removed a LaTeX block ('\\newpage'), which no edition shows" in output
    assert f"{text}:13: removed a LaTeX inline ('x'), which no edition shows" in output
    assert f"{text}:16: removed a Typst block ('#pagebreak()'), which no edition shows" in output


@pytest.mark.parametrize(
    ("raw", "line"), [("\\input{chapter-two}", 3), ("```{=context}\n\\startsection\n```", 4)]
)
def test_a_raw_block_is_a_warning_naming_its_line(raw, line, tmp_path):
    folder = manuscript(tmp_path / "m", f"Before.\n\n{raw}\n\nAfter.\n")
    warnings = parse(load_manuscript(folder)).warnings
    assert any(w.startswith(f"{folder / 'text.md'}:{line}: removed a ") for w in warnings)


def test_deep_lists_and_quotations_are_kept_whole_in_every_edition(hostile):
    _folder, out, _output = hostile
    editions = {
        "html": read_html(out / "kept.html").text,
        "epub": read_epub(out / "kept.epub").text,
        "pdf": read_pdf(out / "kept.pdf").text,
    }
    for name, text in editions.items():
        for words in KEPT_WORDS:
            assert words in text, (name, words)
        assert "After the table." in text, name


def test_nothing_is_set_off_the_page(hostile):
    _folder, out, _output = hostile
    with pymupdf.open(out / "kept.pdf") as pdf:
        for page in pdf:
            assert outside_text_block(page) is None, page.number + 1
            low, high = page.rect.width * SIDE_MARGIN, page.rect.width * (1 - SIDE_MARGIN)
            for word in page.get_text("words"):
                assert word[0] >= low - 1 and word[2] <= high + 1, (page.number + 1, word[4])


def test_a_heading_that_calls_a_note_keeps_the_call_out_of_its_names(hostile):
    _folder, out, _output = hostile
    page = (out / "kept.html").read_text(encoding="utf-8")
    assert 'id="chapter-one"' in page and "chapter-oneh" not in page
    html = read_html(out / "kept.html")
    assert html.notes == ["The note of the heading."] and html.headings[0] == "Chapter one"
    epub = read_epub(out / "kept.epub")
    assert epub.notes == ["The note of the heading."] and epub.headings[0] == "Chapter one"
    nav = _epub_member(out / "kept.epub", "nav.xhtml")
    assert ">Chapter one</a>" in nav and '#chapter-one"' in nav and "oneh" not in nav
    with pymupdf.open(out / "kept.pdf") as pdf:
        titles = [title for _level, title, _page in pdf.get_toc()]
        assert "Chapter one" in titles and not [t for t in titles if "one1" in t or "oneh" in t]
        heads = [text for page in pdf for text in _top_margin_lines(page)]
        contents = next(p.get_text() for p in pdf if "Contents" in p.get_text())
    assert "Chapter one" in heads and not [h for h in heads if "one1" in h]
    assert "Chapter one\n" in contents and "Chapter one1" not in contents
    assert read_pdf(out / "kept.pdf").notes == ["The note of the heading."]


def _epub_member(path: Path, suffix: str) -> str:
    import zipfile

    with zipfile.ZipFile(path) as archive:
        name = next(n for n in archive.namelist() if n.endswith(suffix))
        return archive.read(name).decode("utf-8")


def _top_margin_lines(page) -> list[str]:
    """The lines set above the page's text block: its running head."""
    top = page.rect.height * 0.09
    return [
        "".join(span["text"] for span in line["spans"]).strip()
        for block in page.get_text("dict")["blocks"]
        for line in block.get("lines", [])
        if line["bbox"][3] <= top
    ]


def test_an_explicit_id_of_a_heading_with_a_note_is_left_as_written(tmp_path):
    text = "# One[^a] {#first}\n\nText.\n\n# Two[^b]\n\n# Two\n\n[^a]: A.\n\n[^b]: B.\n"
    document = parse(load_manuscript(manuscript(tmp_path / "m", text)))
    assert [h.id for h in document.headings] == ["first", "two-1", "two"]
    assert [h.text for h in document.headings] == ["One", "Two", "Two"]


def test_nesting_deeper_than_any_edition_holds_is_refused_with_its_line(tmp_path):
    folder = manuscript(tmp_path / "m", "Before.\n\n" + "- " * 1100 + "too deep\n\nAfter.\n")
    with pytest.raises(PipelineError) as caught:
        parse(load_manuscript(folder))
    assert caught.value.path == folder / "text.md" and caught.value.line == 3
    assert "nested too deeply" in caught.value.message


NESTED_NOTES = {
    "on the definition's line": (
        "Text.[^a]\n\n[^a]: Outer with an inner[^b] call.\n\n[^b]: Inner.\n",
        3,
    ),
    "in a paragraph of the note": (
        "Text.[^a]\n\n[^a]: Outer.\n\n    Its second paragraph[^b].\n\n[^b]: Inner.\n",
        5,
    ),
    "on the line after, without a blank": (
        "Text.[^a]\n\n[^a]: Outer,\ngoing on[^b].\n\n[^b]: Inner.\n",
        4,
    ),
}


@pytest.mark.parametrize("case", NESTED_NOTES, ids=list(NESTED_NOTES))
def test_a_note_called_inside_a_note_is_refused(case, tmp_path):
    text, line = NESTED_NOTES[case]
    folder = manuscript(tmp_path / "m", text)
    message = refusal(build(folder, tmp_path / "out", "html"))
    assert f"text.md:{line}: footnote [^b] is called inside footnote [^a]" in message


def test_a_call_in_the_paragraph_after_a_note_is_not_inside_it(tmp_path):
    text = "Text.[^a]\n\n[^a]: A note.\n\nThe next paragraph calls[^b].\n\n[^b]: Another.\n"
    result = build(manuscript(tmp_path / "m", text), tmp_path / "out", "html")
    assert result.exit_code == 0, result.output
    assert read_html(tmp_path / "out" / "t.html").notes == ["A note.", "Another."]


EMPTY = {
    "blank": "\n   \n\t\n",
    "comments": "<!-- nothing yet -->\n\n<!--\nstill nothing\n-->\n",
}


@pytest.mark.parametrize("case", EMPTY, ids=list(EMPTY))
def test_an_empty_text_is_refused_naming_its_file(case, tmp_path):
    folder = manuscript(tmp_path / "m", EMPTY[case])
    message = refusal(build(folder, tmp_path / "out", "html"))
    assert f"{folder / 'text.md'}: holds no text" in message


def test_front_matter_alone_is_an_empty_text(tmp_path):
    essay = tmp_path / "essay.md"
    essay.write_text("---\ntitle: Only a title\n---\n\n<!-- to do -->\n", encoding="utf-8")
    assert f"{essay}: holds no text" in refusal(build(essay, tmp_path / "out", "html"))


def test_empty_numbered_texts_are_named_together(tmp_path):
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "metadata.yaml").write_text("title: T\n", encoding="utf-8")
    for name in ("01-one.md", "02-two.md"):
        (folder / name).write_text("\n", encoding="utf-8")
    message = refusal(build(folder, tmp_path / "out", "html"))
    assert "its text files (01-one.md, 02-two.md) hold only" in message


def test_an_image_of_too_many_pixels_is_refused_with_its_size(tmp_path):
    folder = manuscript(tmp_path / "m", "Text.\n\n![A field of white](huge.png)\n")
    Image.new("1", (20_000, 20_000), 1).save(folder / "huge.png", optimize=True)
    message = refusal(build(folder, tmp_path / "out", "html"))
    assert "text.md:3: image huge.png is 20,000 × 20,000 pixels (400 Mpx)" in message


def digests(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir() if p.is_file()
    }


def test_a_build_that_fails_after_the_pdf_leaves_every_previous_edition(tmp_path):
    folder = manuscript(tmp_path / "m", "# One\n\nThe first text.\n")
    out = tmp_path / "out"
    assert build(folder, out, "pdf", "epub", "html").exit_code == 0
    before = digests(out)

    (folder / "text.md").write_text("# One\n\nA second text, longer.\n", encoding="utf-8")
    broken = folder / "styles" / "templates" / "epub" / "nav.xhtml"
    broken.parent.mkdir(parents=True)
    broken.write_text("<nav>{{ no_such_value }}</nav>\n", encoding="utf-8")
    message = refusal(build(folder, out, "pdf", "epub", "html"))
    assert "nav.xhtml: uses a value the pipeline does not give" in message
    assert digests(out) == before
    assert not [p for p in out.iterdir() if p.name.startswith(".") and p.name != ".cache"]


def test_a_clean_text_is_returned_as_it_is():
    source = "Plain words, a tab\tand joiners \u200c\u200d.\n"
    assert clean(source) == (source, [])


@pytest.mark.parametrize(
    ("source", "kept", "lines"),
    [
        ("a \u202eb\nc\u202c d\n", "a \u202eb\nc\u202c d\n", []),
        ("a \u202eb\n\nc\u202c d\n", "a b\n\nc d\n", [1, 3]),
        ("\u2067a \u202bb\u2069 c\n", "\u2067a b\u2069 c\n", [1]),
        ("a\u2069 \u202c b\n", "a  b\n", [1]),
    ],
    ids=["closed on the next line", "a paragraph apart", "isolate closes", "pops alone"],
)
def test_direction_controls_are_kept_only_in_pairs(source, kept, lines):
    cleaned, removals = clean(source)
    assert cleaned == kept and [r.line for r in removals] == lines


HEADINGS = [
    "Über die Straße",
    "Don't stop—ever",
    "C++ & Rust",
    "Résumé 2024",
    "_under_score_",
    "... dots. and more",
    "日本語の見出し",
    "1914 and after",
    "123",
    "Ελληνικά γράμματα",
    "A `code` word",
]


def test_heading_ids_are_made_as_pandoc_makes_them(tmp_path):
    text = "".join(f"# {heading}\n\nText.\n\n" for heading in HEADINGS)
    document = parse(load_manuscript(manuscript(tmp_path / "m", text)))
    made = [pandoc_identifier(words_without_calls(h)) for h in document.body.iter("h1")]
    assert made == [heading.id for heading in document.headings]


def test_every_edition_keeps_the_words_and_the_nesting_of_pandocs_own_reading(hostile):
    """pandoc's own AST of the text (with the characters no edition carries taken out, as
    the build does) against each edition: every word it reads is in the edition, and the
    deepest item and quotation stand as many lists and quotations deep."""
    folder, out, _output = hostile
    source = clean(HOSTILE)[0].encode("utf-8")
    ast = json.loads(run_pandoc(["--from=markdown", "--to=json"], folder / "text.md", source))
    words = {comparable(node["c"]) for node in nodes(ast["blocks"], "Str")} - {""}
    blocks = ast["blocks"]
    depth = {"ul": len(nodes(blocks, "BulletList")), "blockquote": len(nodes(blocks, "BlockQuote"))}
    assert words and depth == {"ul": DEEP, "blockquote": DEEP}
    for name, read in {"html": read_html, "epub": read_epub}.items():
        content = read(out / f"kept.{name}")
        printed = comparable(" ".join([content.text, *content.notes]))
        assert [word for word in sorted(words) if word not in printed] == [], name
    # The PDF block by block: a table cell's lines are a block of their own, where reading
    # the page line by line would interleave the cells of a row.
    with pymupdf.open(out / "kept.pdf") as pdf:
        printed = comparable(" ".join(b[4] for page in pdf for b in page.get_text("blocks")))
    assert [word for word in sorted(words) if word not in printed] == [], "pdf"
    trees = {
        "html": [lxml.html.parse(str(out / "kept.html"), html_parser()).getroot()],
        "epub": _epub_documents(out / "kept.epub"),
    }
    for name, roots in trees.items():
        for tag, deepest in (("ul", "deepest item"), ("blockquote", "deepest quote")):
            found = [
                len([a for a in element.iterancestors() if _local(a.tag) == tag])
                for root in roots
                for element in root.iter()
                if isinstance(element.tag, str) and (element.text or "").strip() == deepest
            ]
            assert found and max(found) >= depth[tag], (name, tag, found)


def _epub_documents(path: Path) -> list:
    with zipfile.ZipFile(path) as archive:
        return [
            lxml.etree.fromstring(archive.read(name), xml_parser())
            for name in archive.namelist()
            if name.endswith(".xhtml")
        ]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def test_text_set_past_the_text_block_is_a_build_warning_naming_its_page(tmp_path):
    """Thirty columns of unbreakable words cannot fit an A5 page: the build says where, and
    so does the check."""
    columns = range(30)
    table = "\n".join(
        [
            "|" + "|".join(f"Heading{n}" for n in columns) + "|",
            "|" + "|".join("---" for _ in columns) + "|",
            "|" + "|".join(f"Celltext{n}" for n in columns) + "|",
        ]
    )
    folder = manuscript(tmp_path / "wide", f"{table}\n\nAfter the table.\n")
    result = CliRunner().invoke(
        cli, ["build", str(folder), "-o", str(tmp_path / "out"), "-f", "pdf"]
    )
    assert result.exit_code == 0, result.output
    assert re.search(
        r"warning: page \d+ of the print edition: “.+” is set past the text block", result.output
    )
    strict = CliRunner().invoke(
        cli, ["build", str(folder), "-o", str(tmp_path / "strict"), "-f", "pdf", "--strict"]
    )
    assert strict.exit_code == 2 and "is set past the text block" in strict.output
    assert not list((tmp_path / "strict").glob("*.pdf"))
    again = CliRunner().invoke(
        cli, ["build", str(folder), "-o", str(tmp_path / "out"), "-f", "pdf"]
    )
    assert "is set past the text block" in again.output, "a kept edition tells its warnings too"


def test_a_pamphlet_that_fits_its_pages_gets_no_such_warning(tmp_path):
    folder = manuscript(tmp_path / "fits", "A short paragraph that fits.\n")
    result = CliRunner().invoke(
        cli, ["build", str(folder), "-o", str(tmp_path / "out"), "-f", "pdf"]
    )
    assert result.exit_code == 0 and "past the text block" not in result.output, result.output
