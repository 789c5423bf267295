"""Checks of the web edition: links, notes and images."""

from __future__ import annotations

import lxml.html

from pipeline.checks.context import CheckContext
from pipeline.checks.extract import html_parser
from pipeline.checks.registry import Severity, rule
from pipeline.checks.validators.nuchecker import nu_available, run_nu_checker


def _page(context: CheckContext):
    path = context.edition_path("html")
    if path is None:
        return None
    return context.memo("html-tree", lambda: lxml.html.parse(str(path), html_parser()).getroot())


def nu_messages(context: CheckContext) -> list:
    """The Nu HTML Checker's messages for the web edition (empty when it is not built)."""
    path = context.edition_path("html")
    if path is None or not nu_available():
        return []
    return context.memo("vnu", lambda: run_nu_checker(path, context.cache))


@rule("html.nu-error", Severity.ERROR, "The Nu HTML Checker reports an error.")
def nu_error(context: CheckContext):
    if context.edition_path("html") is not None and not nu_available():
        yield "page", "the Nu HTML Checker is not installed here (run `make`)"
    for message in nu_messages(context):
        if message.kind in ("error", "fatal"):
            yield f"line {message.line}", message.message


@rule("html.nu-warning", Severity.WARNING, "The Nu HTML Checker reports a warning.")
def nu_warning(context: CheckContext):
    for message in nu_messages(context):
        if message.kind == "warning":
            yield f"line {message.line}", message.message


@rule("html.internal-links", Severity.ERROR, "A link inside the page points at no element.")
def internal_links(context: CheckContext):
    page = _page(context)
    if page is None:
        return
    ids = set(page.xpath("//@id"))
    for link in page.xpath("//a[starts-with(@href, '#')]"):
        target = link.get("href")[1:]
        if target and target not in ids:
            yield f"line {link.sourceline}", f"link to #{target} leads nowhere"


@rule("html.note-links", Severity.ERROR, "A note call and its note are not linked both ways.")
def note_links(context: CheckContext):
    page = _page(context)
    if page is None:
        return
    calls = page.xpath("//a[@role='doc-noteref']")
    notes = page.xpath("//*[@role='doc-footnote']")
    call_ids = {call.get("id") for call in calls}
    for note in notes:
        backs = [a.get("href", "")[1:] for a in note.xpath(".//a[@role='doc-backlink']")]
        if not any(back in call_ids for back in backs):
            yield f"line {note.sourceline}", f"note {note.get('id')} has no link back to its call"
    if len(calls) != len(notes):
        yield "page", f"{len(calls)} note calls but {len(notes)} notes"


@rule("html.image-alt", Severity.WARNING, "An image without alternative text.")
def image_alt(context: CheckContext):
    page = _page(context)
    if page is None:
        return
    for image in page.xpath("//img[not(@alt) or normalize-space(@alt)='']"):
        yield f"line {image.sourceline}", f"image {image.get('src')} has no alt text"
