"""The print edition: paged HTML laid out by WeasyPrint, notes at the foot of their page."""

from __future__ import annotations

from pathlib import Path
from string import Template

import lxml.html
from lxml.html import HtmlElement

from pipeline.document import BLOCK_ATTRIBUTE, Document, Note
from pipeline.editions import BuildContext, PrintLayout, matter
from pipeline.files import atomic_output, read_text
from pipeline.markup import escape, fragment, inner_html, note_number, note_refs, shift_headings

TEMPLATE = "templates/print.html"
STYLESHEET = "print.css"


def write(document: Document, target: Path, context: BuildContext) -> None:
    pdf_document = lay_out(document)
    context.print_layout = print_layout(pdf_document)
    with atomic_output(target) as tmp:
        pdf_document.write_pdf(tmp, pdf_tags=True, custom_metadata=True)


def lay_out(document: Document):
    """Lay the pages out with WeasyPrint; returns its rendered document."""
    import weasyprint

    html = weasyprint.HTML(string=render(document), base_url=str(document.manuscript.root))
    stylesheet = weasyprint.CSS(filename=str(document.manuscript.styles / STYLESHEET))
    return html.render(stylesheets=[stylesheet])


def print_layout(pdf_document) -> PrintLayout:
    """Read off the laid-out pages which page each numbered body block starts on."""
    layout = PrintLayout(page_count=len(pdf_document.pages))
    for number, page in enumerate(pdf_document.pages, start=1):
        for box in page._page_box.descendants():
            element = getattr(box, "element", None)
            block = element.get(BLOCK_ATTRIBUTE) if element is not None else None
            if block is not None:
                layout.block_pages.setdefault(int(block), number)
    return layout


def render(document: Document) -> str:
    """The HTML that WeasyPrint lays out."""
    meta = document.metadata
    template = Template(read_text(document.manuscript.styles / TEMPLATE))
    return template.substitute(
        lang=escape(meta.lang),
        title=escape(meta.title),
        head=_head(document),
        title_block=matter.title_block(document),
        body=body(document),
        bibliography=_bibliography(document),
    )


def _head(document: Document) -> str:
    meta = document.metadata
    tags = [
        ("author", ", ".join(meta.authors)),
        ("description", meta.get("description", "")),
        ("keywords", ", ".join(meta.get("keywords") or [])),
        ("dcterms.created", meta.get("date", "")),
    ]
    return "\n".join(f'<meta name="{n}" content="{escape(v)}">' for n, v in tags if v)


def body(document: Document) -> str:
    tree = document.body_copy()
    shift_headings(tree, 1)
    for ref in note_refs(tree):
        _float_note(ref, document.notes[note_number(ref) - 1])
    return inner_html(tree)


def _float_note(ref: HtmlElement, note: Note) -> None:
    """Put the note's text where it is called, as a ``float: footnote`` span.

    WeasyPrint then sets it at the foot of the page that holds the call; the call marker and
    the number in the footnote area come from the CSS footnote counter.
    """
    span = lxml.html.Element("span", {"class": "footnote", "id": f"fn{note.number}"})
    for index, block in enumerate(fragment(note.html)):
        paragraph = lxml.html.Element("span", {"class": "footnote-paragraph"})
        paragraph.text = block.text
        paragraph.extend(list(block))
        if index:
            span.append(lxml.html.Element("br"))
        span.append(paragraph)
    span.tail = ref.tail
    ref.getparent().replace(ref, span)


def _bibliography(document: Document) -> str:
    if not document.bibliography:
        return ""
    title = escape(matter.bibliography_title(document))
    return (
        f'<section id="bibliography" class="bibliography"><h2>{title}</h2>'
        f"{matter.bibliography_list(document.bibliography)}</section>"
    )
