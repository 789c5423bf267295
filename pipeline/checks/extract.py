"""Read each built edition back into the same comparable facts.

The checks and the tests compare editions through these readers: the notes in order, the
citations set in the running text, the bibliography entries, the heading outline and the
running text, as a reader of that edition would see them.
"""

from __future__ import annotations

import copy
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import lxml.etree
import lxml.html

from pipeline.checks.pdf_lines import RIGHT_TO_LEFT, page_lines
from pipeline.document import Document
from pipeline.links import XREF_CLASS

XHTML = "http://www.w3.org/1999/xhtml"
EPUB_NS = "http://www.idpf.org/2007/ops"
NS = {"x": XHTML, "epub": EPUB_NS}
NOTE_START = re.compile(r"^(?:(\d+)\.\s|\.(\d+)(?=[^\d\s.]))")
"""A note's number at the start of its first line: "3. " in a left-to-right note, read as
".3" before the text in a right-to-left one (the number sits at the line's right end)."""
FOLIO_ZONE_PT = 45
HEAD_ZONE_SHARE = 0.075
"""Running heads sit in the top margin: lines starting above this share of the page height."""
FOLIO_ZONE_SHARE = 0.09
"""Folios sit in the bottom margin: lines starting below this share of the page height."""
LIST_BULLETS = frozenset("•◦▪‣⁃–")
"""List markers, which the print edition sets as lines of their own; they are not words."""
BIBLIOGRAPHY_DESTINATION = "bibliography"
"""The id of the print edition's bibliography section, a named destination in its PDF."""
CITATION = "contains(concat(' ', normalize-space(@class), ' '), ' citation ')"
NOTE_CALL = "contains(concat(' ', normalize-space(@class), ' '), ' footnote-ref ')"
IN_TEXT_CITATIONS = f".//span[{CITATION}][not(.//*[{NOTE_CALL}])]"
"""Citations rendered in the text: a notes style's citation holds the call of its note."""
BREAKS_AND_HYPHENS = re.compile(r"[\s\u00ad\u2010-]+")


@dataclass
class EditionContent:
    """What a reader finds in one edition."""

    notes: list[str] = field(default_factory=list)
    bibliography: list[str] = field(default_factory=list)
    headings: list[str] = field(default_factory=list)
    text: str = ""
    citations: list[str] | None = field(default_factory=list)
    """The citations an author-date or numeric style sets in the running text (outside
    notes), as rendered, in order; a notes style has none, its citations being notes.
    None for the print edition, which carries no markup to find them by: the checks
    look for them in its text instead."""
    cross_references: int = 0
    """Links to headings, to which the print edition adds the page: "(p. 4)"."""
    table_headers: list[str] = field(default_factory=list)
    """The header rows of tables, which the print edition repeats on every page a table
    crosses."""


def spaced(text: str) -> str:
    """Text with every run of spaces one plain space: a heading's no-break spaces (French
    ones before a colon) become plain ones in a PDF's bookmarks."""
    return " ".join(text.split())


def comparable(text: str) -> str:
    """Letters and digits only, lower case: hyphenation, spacing and markers do not count."""
    return re.sub(r"[\W_]+", "", text).lower()


def citation_form(text: str) -> str:
    """A citation as it can be found in printed text: without spaces, line-end hyphens and
    ligatures, but with its brackets and punctuation, so that "[2]" is not any digit 2."""
    return BREAKS_AND_HYPHENS.sub("", unicodedata.normalize("NFKC", text))


MATH = "math"
"""Formulas are read as no words in every edition: the print edition draws them as vector
art with the TeX as alternative text, so it has no text to compare for them."""


def _plain(element) -> str:
    return " ".join("".join(_without_math(element).itertext()).split())


def _without_math(element):
    """A copy of ``element`` with every formula taken out (the text after it kept)."""
    if not any(_is_math(e) for e in element.iter()):
        return element
    element = copy.deepcopy(element)
    for formula in [e for e in element.iter() if _is_math(e)]:
        if formula.getparent() is not None:
            _drop_keep_tail(formula)
    return element


def _is_math(element) -> bool:
    return isinstance(element.tag, str) and lxml.etree.QName(element).localname == MATH


def from_document(document: Document) -> EditionContent:
    return EditionContent(
        notes=[_plain(_html_fragment(n.html)) for n in document.notes],
        bibliography=[entry.text for entry in document.bibliography],
        headings=[heading.text for heading in document.headings],
        text=_plain(document.body),
        citations=[_plain(span) for span in document.body.xpath(IN_TEXT_CITATIONS)],
        cross_references=len(document.body.find_class(XREF_CLASS)),
        table_headers=[_plain(row) for row in document.body.xpath("//thead/tr")],
    )


def read_html(path: Path) -> EditionContent:
    """Read the web edition: notes sit in the text beside their blocks, so they are taken
    out of it (the running text is the text without them), and each bibliography entry is
    read without its "cited in" links back to the notes."""
    tree = lxml.html.parse(str(path), html_parser()).getroot()
    notes = []
    for item in tree.xpath("//*[@role='doc-footnote']"):
        for back in item.xpath(".//*[@role='doc-backlink']"):
            back.drop_tree()
        notes.append(_plain(item))
        item.drop_tree()
    for backlinks in tree.xpath("//*[@id='bibliography']//*[contains(@class, 'cited-in')]"):
        backlinks.drop_tree()
    main = tree.find(".//main")
    return EditionContent(
        notes=notes,
        bibliography=[_plain(e) for e in tree.xpath("//*[@id='bibliography']//li")],
        headings=[_heading(h) for h in main.xpath(".//h2|.//h3|.//h4|.//h5|.//h6")],
        text=_plain(main) if main is not None else "",
        citations=[_plain(span) for span in main.xpath(IN_TEXT_CITATIONS)],
    )


EPUB_TEXT_SECTIONS = "//x:body[@epub:type='bodymatter']/x:section"
EPUB_HEADINGS = "|".join(f".//x:h{level}" for level in range(1, 7))
EPUB_CITATIONS = (
    f".//x:span[{CITATION}][not(.//*[{NOTE_CALL}])][not(ancestor::x:aside[@epub:type='footnote'])]"
)


def read_epub(path: Path) -> EditionContent:
    """The EPUB's notes (footnote asides), bibliography, and the headings, citations and
    text of the sections in its body-matter files."""
    content = EditionContent()
    citations: list[str] = []
    texts = []
    with zipfile.ZipFile(path) as archive:
        for name in spine_documents(archive):
            root = lxml.etree.fromstring(archive.read(name), xml_parser())
            for aside in root.xpath("//x:aside[@epub:type='footnote']", namespaces=NS):
                content.notes.append(_xml_plain(aside, skip_backlinks=True))
            if root.xpath("//*[@role='doc-bibliography']"):
                content.bibliography.extend(
                    _xml_plain(li) for li in root.xpath("//x:li", namespaces=NS)
                )
                continue
            for section in root.xpath(EPUB_TEXT_SECTIONS, namespaces=NS):
                content.headings.extend(
                    _heading(h) for h in section.xpath(EPUB_HEADINGS, namespaces=NS)
                )
                citations.extend(
                    _xml_plain(c) for c in section.xpath(EPUB_CITATIONS, namespaces=NS)
                )
                texts.append(_xml_plain(section))
    content.text = " ".join(texts)
    content.citations = citations
    return content


def xml_parser() -> lxml.etree.XMLParser:
    """A parser that reads an edition's XHTML as deep as the build wrote it (lxml's own stop
    at 256 levels), one for each reading, as the checks read editions side by side."""
    return lxml.etree.XMLParser(huge_tree=True, resolve_entities=False, no_network=True)


def html_parser() -> lxml.html.HTMLParser:
    """The same for an edition's HTML."""
    return lxml.html.HTMLParser(huge_tree=True)


def _html_fragment(markup: str):
    return lxml.html.fragment_fromstring(markup, "div", parser=html_parser())


def _heading(element) -> str:
    """A heading's words without the numbers of the notes it calls, as the outline and the
    contents give them."""
    element = copy.deepcopy(element)
    for call in element.xpath(".//*[@role='doc-noteref']"):
        _drop_keep_tail(call)
    return _plain(element)


def _xml_plain(element, skip_backlinks: bool = False) -> str:
    element = copy.deepcopy(element)
    if skip_backlinks:
        for back in element.xpath(".//*[@role='doc-backlink']"):
            _drop_keep_tail(back)
    return _plain(element)


def _drop_keep_tail(element) -> None:
    parent = element.getparent()
    previous = element.getprevious()
    tail = element.tail or ""
    if previous is not None:
        previous.tail = (previous.tail or "") + tail
    else:
        parent.text = (parent.text or "") + tail
    parent.remove(element)


def opf_path(archive: zipfile.ZipFile) -> str:
    container = lxml.etree.fromstring(archive.read("META-INF/container.xml"))
    return container.xpath("//*[local-name()='rootfile']/@full-path")[0]


def spine_documents(archive: zipfile.ZipFile) -> list[str]:
    """The archive paths of the spine's documents in reading order, the nav left out."""
    opf_name = opf_path(archive)
    opf = lxml.etree.fromstring(archive.read(opf_name))
    base = opf_name.rsplit("/", 1)[0] + "/" if "/" in opf_name else ""
    hrefs = {item.get("id"): item.get("href") for item in opf.xpath("//*[local-name()='item']")}
    spine = opf.xpath("//*[local-name()='itemref']/@idref")
    nav = set(opf.xpath("//*[local-name()='item'][contains(@properties,'nav')]/@id"))
    return [base + hrefs[idref] for idref in spine if idref not in nav]


def read_pdf(path: Path, bibliography_title: str | None = None) -> EditionContent:
    """Read a print edition laid out by the pipeline's print stylesheet.

    Notes are the text under each page's footnote rule, split at their "N." markers; the
    bibliography is what follows its heading, one entry per line that starts at the margin
    (continuation lines hang indented); headings are the bookmarks between the front matter
    and the bibliography. The bibliography's heading is the bookmark ``bibliography_title``,
    or else the bookmark on the page of the bibliography section's named destination,
    whatever the manuscript calls it. The front matter (title page, colophon, contents) is
    the run of opening pages that carry no folio; running heads and folios are not text.
    Citations set in the text are not marked in a PDF: they are left to be found in it.
    """
    import pymupdf

    content = EditionContent(citations=None)
    body: list[str] = []
    with pymupdf.open(path) as pdf:
        toc = pdf.get_toc()
        front = front_matter_pages(pdf)
        if bibliography_title is None:
            bibliography_title = _bibliography_bookmark(pdf, toc)
        bib_page = next((p for _l, t, p in toc if t == bibliography_title), pdf.page_count + 1)
        content.headings = [t for _l, t, p in toc if p > front and t != bibliography_title]
        for page in pdf:
            if page.number < front:
                continue
            rule = _footnote_rule_y(page)
            lines = text_lines(page)
            if page.number + 1 >= bib_page:
                _add_bibliography_lines(content.bibliography, lines, bibliography_title)
                continue
            for y, _x, text, _right in lines:
                if rule is not None and y > rule:
                    _add_note_line(content.notes, text)
                else:
                    body.append(text)
    content.text = join_lines(body)
    return content


def _bibliography_bookmark(pdf, toc: list) -> str | None:
    """The title of the last bookmark on the page where the bibliography section starts."""
    destination = pdf.resolve_names().get(BIBLIOGRAPHY_DESTINATION)
    if not destination or destination.get("page", -1) < 0:
        return None
    page = destination["page"] + 1
    return next((t for _l, t, p in reversed(toc) if p == page), None)


def text_lines(page) -> list[tuple[float, float, str, float]]:
    """The page's lines (top, left, text) without its running head, folio and bullets."""
    height = page.rect.height
    return [
        line
        for line in _lines(page)
        if line[0] >= height * HEAD_ZONE_SHARE
        and not _is_folio(line, height)
        and line[2] not in LIST_BULLETS
    ]


def _is_folio(line: tuple[float, float, str, float], height: float) -> bool:
    return line[2].isdigit() and line[0] > min(
        height - FOLIO_ZONE_PT, height * (1 - FOLIO_ZONE_SHARE)
    )


def front_matter_pages(pdf) -> int:
    """How many opening pages carry no folio: the title page, colophon and contents."""
    for page in pdf:
        height = page.rect.height
        if any(_is_folio(line, height) for line in _lines(page)):
            return page.number
    return 0


def join_lines(lines: list[str]) -> str:
    """Join printed lines into running text, closing up words hyphenated at a line end."""
    text = ""
    for line in lines:
        if text.endswith(("-", "\u00ad", "\u2010")):
            text += line
        else:
            text += (" " if text else "") + line
    return text


def _add_bibliography_lines(
    entries: list[str], lines: list[tuple[float, float, str, float]], title: str
) -> None:
    """One entry per line that starts at the margin (the right one in a right-to-left
    bibliography); continuation lines hang indented."""
    lines = [line for line in lines if line[2] != title]
    if not lines:
        return
    if sum(1 for line in lines if RIGHT_TO_LEFT.search(line[2])) * 2 > len(lines):
        margin = max(right for *_, right in lines)
        starts = [right >= margin - 1 for *_, right in lines]
    else:
        margin = min(x for _y, x, _t, _r in lines)
        starts = [x <= margin + 1 for _y, x, _t, _r in lines]
    for (_y, _x, text, _right), first in zip(lines, starts, strict=True):
        if first or not entries:
            entries.append(text)
        else:
            entries[-1] += "\n" + text


def _footnote_rule_y(page) -> float | None:
    """The top of the footnote area: its rule is black, across the text, low on the page,
    drawn as the border of an area, and below everything else of the kind. Code blocks'
    grey rules and shaded backgrounds are not it, nor a table's black rules."""
    best = None
    for drawing in page.get_drawings():
        rect = drawing["rect"]
        wide_and_low = rect.width > page.rect.width / 3 and rect.y0 > page.rect.height / 3
        if wide_and_low and _is_black(drawing) and _is_area_border(drawing):
            best = rect.y0 if best is None else max(best, rect.y0)
    return best


def _is_area_border(drawing: dict) -> bool:
    """The footnote area's top border is filled as the area's outline, as tall as the area;
    a table's rules are stroked lines."""
    return "f" in (drawing.get("type") or "") and drawing["rect"].height >= AREA_MIN_HEIGHT_PT


AREA_MIN_HEIGHT_PT = 2.0


def _is_black(drawing: dict) -> bool:
    colour = drawing.get("fill") or drawing.get("color")
    return colour is not None and all(component < 0.1 for component in colour)


def _lines(page) -> list[tuple[float, float, str, float]]:
    """The page's lines as (top, left, text, right), top to bottom."""
    return [(top, left, text, right) for top, left, right, text in page_lines(page)]


def _add_note_line(notes: list[str], text: str) -> None:
    match = NOTE_START.match(text)
    if match and note_number(match) == len(notes) + 1:
        notes.append(text[match.end() :])
    elif notes:
        notes[-1] += "\n" + text


def note_number(marker: re.Match) -> int:
    return int(marker.group(1) or marker.group(2))


def _is_code(span: dict) -> bool:
    """A span of code, whose figures are set small too but are no note calls."""
    return "mono" in span["font"].lower()


def note_pages(pdf) -> list[tuple[int, int, set[int]]]:
    """For each note found in a print edition: its number, the page where its text starts,
    and the pages whose body holds its call (a superscript number set smaller than the text)."""
    starts: dict[int, int] = {}
    calls: dict[int, set[int]] = {}
    for page in pdf:
        number = page.number + 1
        rule = _footnote_rule_y(page)
        lines = [
            line for block in page.get_text("dict")["blocks"] for line in block.get("lines", [])
        ]
        above = [line for line in lines if rule is None or line["bbox"][1] <= rule]
        sizes = sorted(
            span["size"] for line in above for span in line["spans"] if not _is_code(span)
        )
        body_size = sizes[len(sizes) // 2] if sizes else 0
        for line in lines:
            if rule is not None and line["bbox"][1] > rule:
                text = "".join(span["text"] for span in line["spans"]).strip()
                marker = NOTE_START.match(text)
                if marker:
                    starts.setdefault(note_number(marker), number)
                continue
            for span in line["spans"]:
                text = span["text"].strip()
                small = span["size"] < 0.8 * body_size
                if text.isdigit() and small and not _is_code(span):
                    calls.setdefault(int(text), set()).add(number)
    return [(n, page, calls.get(n, set())) for n, page in sorted(starts.items())]
