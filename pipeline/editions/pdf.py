"""The print edition: paged HTML laid out by WeasyPrint, notes at the foot of their page.

The look is print.css plus the stylesheets that metadata.yaml's ``print`` options choose
(page size, larger pages, bleed, crop marks); this module only picks and fills them.
"""

from __future__ import annotations

from pathlib import Path
from string import Template

from pipeline.collection import fewer_full_collections
from pipeline.document import BLOCK_ATTRIBUTE, Document
from pipeline.editions import BuildContext, PrintLayout, matter, print_matter
from pipeline.editions.linear_layout import make_layout_linear
from pipeline.editions.page_tops import read_page_positions
from pipeline.editions.pagesize import DEFAULT_PAGE_SIZE, PageSize, parse_page_size
from pipeline.editions.print_notes import float_notes, plan_cuts
from pipeline.editions.print_pages import (
    PageContents,
    block_pages,
    misplaced_notes,
    note_line_lengths,
    page_contents,
)
from pipeline.errors import PipelineError
from pipeline.fetch import refused_error, sandboxed_fetcher
from pipeline.files import atomic_output, read_text
from pipeline.libraries import import_weasyprint
from pipeline.markup import escape, inner_html, shift_headings

TEMPLATE = "templates/print.html"
STYLESHEET = "print.css"
PAGE_STYLESHEET = "print-page.css"
LARGE_PAGE_STYLESHEET = "print-large.css"
LARGE_PAGE_MM = 180
OPTION_STYLESHEETS = {"bleed": "print-bleed.css", "crop-marks": "print-crop-marks.css"}
DEFAULT_VARIANT = "pdf/ua-1"
MAX_REPAIRS = 4
PAGE_BREAK_CLASS = "print-new-page"
LOOSE_LINES_CLASS = "print-loose-lines"
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def write(document: Document, target: Path, context: BuildContext) -> None:
    """Lay the pages out, share their layout, write the PDF and remember where it is."""
    with fewer_full_collections():
        rendered = lay_out(document)
        context.print_layout = print_layout(rendered)
        with atomic_output(target) as tmp:
            rendered.write_pdf(tmp, **pdf_options(document))
    context.print_pdf = target


def page_size(document: Document) -> PageSize:
    meta = document.metadata
    value = meta.section("print").get("page-size") or DEFAULT_PAGE_SIZE
    try:
        return parse_page_size(value)
    except ValueError as exc:
        line = meta.line_of("print.page-size")
        raise PipelineError(f"'print.page-size' {exc}", meta.path, line) from None


def pdf_options(document: Document) -> dict:
    """WeasyPrint's PDF options: tagged, with the variant metadata.yaml asks for."""
    variant = document.metadata.section("print").get("pdf-variant") or DEFAULT_VARIANT
    return {"pdf_variant": variant.lower(), "pdf_tags": True, "custom_metadata": True}


def lay_out(document: Document):
    """Lay the pages out with WeasyPrint; returns its rendered document.

    A text without long notes, whose notes all land on the page of their call, is laid out
    once. Long notes are cut at the line breaks of that first layout (see print_notes) and
    the pages laid out again. WeasyPrint sometimes carries a note over to the next page to
    make room for a line it keeps from being a widow or an orphan; the block at the foot of
    that page is then made to start a new page, or to give way on widows and orphans, and
    the pages are laid out again, up to MAX_REPAIRS times.
    """
    cuts = {}
    repairs: dict[int, str] = {}
    rendered = _render(document, cuts, repairs)
    cuts = plan_cuts(note_line_lengths(rendered))
    if cuts:
        rendered = _render(document, cuts, repairs)
    for _attempt in range(MAX_REPAIRS):
        more = plan_repairs(document, page_contents(rendered), repairs)
        if not more:
            break
        repairs.update(more)
        rendered = _render(document, cuts, repairs)
    return rendered


def plan_repairs(
    document: Document, pages: list[PageContents], done: dict[int, str]
) -> dict[int, str]:
    """Block index -> class for the blocks at the foot of pages whose notes were carried over.

    The block that ends such a page gets ``PAGE_BREAK_CLASS`` when it starts on that page
    and does not call the note (with the headings just before it, so that none is left at
    the foot of the page), else ``LOOSE_LINES_CLASS``.
    """
    starts = block_pages(pages)
    elements = block_elements(document.body)
    repairs: dict[int, str] = {}
    for number, page in misplaced_notes(pages).items():
        contents = pages[page - 1]
        if not contents.blocks:
            continue
        last = contents.blocks[-1]
        if last in done or last in repairs:
            continue
        if last != contents.calls.get(number) and starts.get(last) == page:
            repairs[_heading_before(elements, last, starts, page)] = PAGE_BREAK_CLASS
        else:
            repairs[last] = LOOSE_LINES_CLASS
    return repairs


def _heading_before(elements: dict, block: int, starts: dict[int, int], page: int) -> int:
    """The block (or the list item or quotation it opens), or the run of headings just before
    it on the same page, if any: where a forced page break takes effect."""
    element = elements.get(block)
    while element is not None and element.getprevious() is None:
        parent = element.getparent()
        if parent is None or parent.get(BLOCK_ATTRIBUTE) is None:
            break
        element, block = parent, int(parent.get(BLOCK_ATTRIBUTE))
    previous = element.getprevious() if element is not None else None
    while previous is not None and previous.tag in HEADINGS:
        index = int(previous.get(BLOCK_ATTRIBUTE, "0"))
        if starts.get(index) != page:
            break
        block, previous = index, previous.getprevious()
    return block


def block_elements(tree) -> dict:
    """Each numbered block's element, by number: one walk of the tree for every look-up."""
    elements = {}
    for element in tree.iter():
        number = element.get(BLOCK_ATTRIBUTE)
        if number is not None and number.isdigit():
            elements.setdefault(int(number), element)
    return elements


def _render(document: Document, cuts: dict[int, list[int]], repairs: dict[int, str]):
    weasyprint = import_weasyprint()
    from weasyprint.urls import FatalURLFetchingError

    make_layout_linear()
    manuscript = document.manuscript
    fetcher = sandboxed_fetcher([manuscript.root, manuscript.styles])
    markup = render(document, cuts, repairs)
    html = weasyprint.HTML(string=markup, base_url=str(manuscript.root), url_fetcher=fetcher)
    try:
        return html.render(stylesheets=stylesheets(document, fetcher))
    except FatalURLFetchingError:
        raise refused_error(fetcher, manuscript.root) from None


def stylesheets(document: Document, fetcher=None) -> list:
    """print.css, the page size, and the stylesheets the ``print`` options switch on."""
    weasyprint = import_weasyprint()

    manuscript = document.manuscript
    if fetcher is None:
        fetcher = sandboxed_fetcher([manuscript.root, manuscript.styles])
    options = document.metadata.section("print")
    size = page_size(document)
    page_css = Template(read_text(manuscript.style_path(PAGE_STYLESHEET))).substitute(size=size.css)

    def sheet(name: str):
        return weasyprint.CSS(filename=str(manuscript.style_path(name)), url_fetcher=fetcher)

    sheets = [sheet(STYLESHEET)]
    sheets.append(
        weasyprint.CSS(string=page_css, base_url=str(manuscript.styles), url_fetcher=fetcher)
    )
    if size.width > LARGE_PAGE_MM:
        sheets.append(sheet(LARGE_PAGE_STYLESHEET))
    sheets.extend(sheet(name) for option, name in OPTION_STYLESHEETS.items() if options.get(option))
    return sheets


def print_layout(rendered) -> PrintLayout:
    """Read off the laid-out pages which page each numbered body block starts on, and
    where each page begins (for the EPUB's page-break markers)."""
    pages = page_contents(rendered)
    layout = PrintLayout(block_pages=block_pages(pages), page_count=len(rendered.pages))
    read_page_positions(layout, rendered)
    return layout


def render(
    document: Document,
    cuts: dict[int, list[int]] | None = None,
    repairs: dict[int, str] | None = None,
) -> str:
    """The HTML that WeasyPrint lays out."""
    meta = document.metadata
    template = Template(read_text(document.manuscript.style_path(TEMPLATE)))
    return template.substitute(
        lang=escape(meta.lang),
        title=escape(meta.title),
        head=_head(document),
        title_page=print_matter.title_page(document),
        colophon=print_matter.colophon(document),
        contents=print_matter.contents(document),
        body=body(document, cuts, repairs),
        bibliography=_bibliography(document),
    )


def _head(document: Document) -> str:
    meta = document.metadata
    tags = [
        ("author", ", ".join(meta.authors)),
        ("description", meta.get("description", "")),
        ("keywords", ", ".join(meta.get("keywords") or [])),
        ("dcterms.created", meta.get("date", "")),
        ("publisher", meta.get("publisher", "")),
        ("rights", meta.get("rights", "")),
    ]
    return "\n".join(f'<meta name="{n}" content="{escape(v)}">' for n, v in tags if v)


def body(
    document: Document,
    cuts: dict[int, list[int]] | None = None,
    repairs: dict[int, str] | None = None,
) -> str:
    tree = document.body_copy()
    shift_headings(tree, 1)
    float_notes(tree, document.notes, cuts)
    elements = block_elements(tree) if repairs else {}
    for block, name in (repairs or {}).items():
        element = elements.get(block)
        if element is not None:
            element.set("class", " ".join(filter(None, [element.get("class"), name])))
    return inner_html(tree)


def _bibliography(document: Document) -> str:
    if not document.bibliography:
        return ""
    title = escape(matter.bibliography_title(document))
    return (
        f'<section id="bibliography" class="bibliography"><h2>{title}</h2>'
        f"{matter.bibliography_list(document.bibliography)}</section>"
    )
