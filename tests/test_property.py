"""Whatever a manuscript holds — raw HTML with hostile references, any Unicode character,
lists, quotations and divs nested at random — a build ends in editions (exit 0) or in one
sentence (exit 2), never in a traceback.

The examples are drawn from a fixed seed (``derandomize``), so every run tries the same
ones and a failure found once is found again.
"""

from __future__ import annotations

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.cli import cli
from tests.checks.helpers import manuscript

BIB = "@book{marx, author={Marx, Karl}, title={Capital}, year=1867}\n"
TAG_NAMES = (
    "a img video audio source track picture object embed iframe link style script svg math"
    " image use div span p b i em font center table td ul li blockquote"
)
TAGS = TAG_NAMES.split()
ATTRIBUTE_NAMES = (
    "src href srcset poster data style onclick onload rel ping xlink:href background class id"
)
ATTRIBUTES = ATTRIBUTE_NAMES.split()
HOSTILE_VALUES = (
    "/etc/passwd",
    "../../../../etc/hostname",
    "file:///etc/passwd",
    "https://127.0.0.1:9/x.png",
    "//127.0.0.1:9/x",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "attachment",
    "background: u\\72l(https://127.0.0.1:9/t.png)",
    "x.png 2x, /etc/passwd 3x",
    "",
)
SPECIAL = (
    "\x00\x08\x0b\x0c\x1b\x7f\x85\u00ad\u200b\u200d\u2028\u2029\u202e\u2066"
    "\ufeff\ufffe\uffff\ufdd0\U0001fffe\U0010ffff"
)
"""Controls, invisible and bidirectional formatting characters, separators and
non-characters, drawn more often than their share of Unicode would make them."""

character = st.one_of(
    st.characters(exclude_categories=("Cs",)),
    st.sampled_from(SPECIAL),
)
"""Every general category but surrogates, which UTF-8 cannot carry."""
words = st.text(character, min_size=1, max_size=24)
value = st.one_of(st.sampled_from(HOSTILE_VALUES), words.map(lambda w: w.replace('"', "")))
attribute = st.tuples(st.sampled_from(ATTRIBUTES), value).map(lambda a: f' {a[0]}="{a[1]}"')


@st.composite
def raw_html(draw) -> str:
    """One element of raw HTML with hostile attributes, closed or left open."""
    tag = draw(st.sampled_from(TAGS))
    attributes = "".join(draw(st.lists(attribute, max_size=3)))
    inner = draw(words)
    closing = draw(st.sampled_from([f"</{tag}>", "", f"</{tag}"]))
    return f"<{tag}{attributes}>{inner}{closing}"


inline = st.one_of(
    words,
    raw_html(),
    words.map(lambda w: f"*{w}*"),
    words.map(lambda w: f"{w}[^a]"),
    words.map(lambda w: f"[{w}](https://example.org/)"),
    words.map(lambda w: f"{w} [@marx, 12]"),
)
paragraph = st.lists(inline, min_size=1, max_size=4).map(" ".join)


def nested(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """A block inside a list item, a quotation or a div."""
    return st.one_of(
        children.map(lambda block: _indent(block, "- ", "  ")),
        children.map(lambda block: _indent(block, "1. ", "   ")),
        children.map(lambda block: _indent(block, "> ", "> ")),
        children.map(lambda block: f"::: box\n{block}\n:::"),
        children.map(lambda block: f"<div>\n\n{block}\n\n</div>"),
    )


def _indent(block: str, first: str, rest: str) -> str:
    lines = block.split("\n")
    return "\n".join([first + lines[0], *(rest + line if line else line for line in lines[1:])])


block = st.recursive(paragraph, nested, max_leaves=6)
text = st.lists(block, min_size=1, max_size=5).map(lambda blocks: "\n\n".join(blocks) + "\n")

PROFILE = settings(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def build_cleanly(body: str, tmp, *formats: str) -> None:
    folder = manuscript(tmp / "m", body + "\n[^a]: A note [@marx].\n", bib=BIB)
    flags = [arg for name in formats for arg in ("--format", name)]
    result = CliRunner().invoke(cli, ["build", str(folder), "-o", str(tmp / "out"), "-q", *flags])
    assert result.exit_code in (0, 2), result.output
    assert "Traceback" not in result.output
    if result.exit_code == 2:
        errors = [line for line in result.output.splitlines() if line.startswith("error: ")]
        assert len(errors) == 1 and result.output.rstrip().endswith(errors[0]), result.output
        assert "/styles/" not in errors[0], "the error names the manuscript, not a template"


@settings(PROFILE, max_examples=25)
@given(body=text)
def test_any_text_builds_the_epub_and_the_web_page_or_fails_in_one_sentence(body, tmp_path_factory):
    build_cleanly(body, tmp_path_factory.mktemp("property"), "epub", "html")


@settings(PROFILE, max_examples=6)
@given(body=text)
def test_any_text_builds_the_print_edition_or_fails_in_one_sentence(body, tmp_path_factory):
    build_cleanly(body, tmp_path_factory.mktemp("property-pdf"), "pdf")
