"""Checks of the EPUB edition: EPUBCheck's verdict, notes, navigation, accessibility."""

from __future__ import annotations

import zipfile

import lxml.etree

from pipeline.checks.context import CheckContext
from pipeline.checks.extract import NS, opf_path, spine_documents, xml_parser
from pipeline.checks.registry import Severity, rule
from pipeline.checks.validators.epubcheck import Message, run_epubcheck

A11Y_PROPERTIES = (
    "schema:accessMode",
    "schema:accessModeSufficient",
    "schema:accessibilityFeature",
    "schema:accessibilityHazard",
    "schema:accessibilitySummary",
)


def epubcheck_messages(context: CheckContext) -> list[Message]:
    """EPUBCheck's messages for the built EPUB; its JVM starts once per check run."""
    path = context.edition_path("epub")
    if path is None:
        return []
    return context.memo("epubcheck", lambda: run_epubcheck(path, context.cache))


def _epubcheck(context: CheckContext, levels: tuple[str, ...]):
    for message in epubcheck_messages(context):
        if message.level in levels:
            yield message.location, f"{message.id}: {message.message}"


@rule("epub.epubcheck-error", Severity.ERROR, "EPUBCheck reports an error.")
def epubcheck_error(context: CheckContext):
    yield from _epubcheck(context, ("FATAL", "ERROR"))


@rule("epub.epubcheck-warning", Severity.WARNING, "EPUBCheck reports a warning.")
def epubcheck_warning(context: CheckContext):
    yield from _epubcheck(context, ("WARNING",))


def _documents(context: CheckContext):
    path = context.edition_path("epub")
    if path is None:
        return []

    def read():
        with zipfile.ZipFile(path) as archive:
            return [
                (name, lxml.etree.fromstring(archive.read(name), xml_parser()))
                for name in spine_documents(archive)
            ]

    return context.memo("epub-documents", read)


@rule(
    "epub.footnote-backlinks",
    Severity.ERROR,
    "A note call without its note beside it, or a note without a link back.",
)
def footnote_backlinks(context: CheckContext):
    for name, root in _documents(context):
        ids = set(root.xpath("//@id"))
        for call in root.xpath("//x:a[@epub:type='noteref']", namespaces=NS):
            target = (call.get("href") or "").lstrip("#")
            if target not in ids:
                yield name, f"note call {call.text} points at #{target}, which is not in this file"
        for aside in root.xpath("//x:aside[@epub:type='footnote']", namespaces=NS):
            backs = aside.xpath(".//x:a[@role='doc-backlink']/@href", namespaces=NS)
            if not any(href.lstrip("#") in ids for href in backs):
                yield name, f"note {aside.get('id')} has no link back to its call"


@rule("epub.nav-headings", Severity.ERROR, "The navigation does not list every section heading.")
def nav_headings(context: CheckContext):
    if context.edition_path("epub") is None:
        return
    with zipfile.ZipFile(context.edition_path("epub")) as archive:
        opf = lxml.etree.fromstring(archive.read(opf_path(archive)), xml_parser())
        base = opf_path(archive).rpartition("/")[0]
        nav_href = opf.xpath("//*[local-name()='item'][contains(@properties,'nav')]/@href")
        nav = lxml.etree.fromstring(
            archive.read(f"{base}/{nav_href[0]}" if base else nav_href[0]), xml_parser()
        )
    toc = nav.xpath("//x:nav[@epub:type='toc']//x:a", namespaces=NS)
    listed = {" ".join("".join(a.itertext()).split()) for a in toc}
    for heading in context.document().headings:
        if heading.text not in listed:
            yield "nav.xhtml", f"heading “{heading.text}” is missing from the table of contents"


@rule("epub.accessibility-metadata", Severity.ERROR, "EPUB Accessibility metadata is missing.")
def accessibility_metadata(context: CheckContext):
    path = context.edition_path("epub")
    if path is None:
        return
    with zipfile.ZipFile(path) as archive:
        opf = lxml.etree.fromstring(archive.read(opf_path(archive)), xml_parser())
    present = set(opf.xpath("//*[local-name()='meta']/@property"))
    for prop in A11Y_PROPERTIES:
        if prop not in present:
            yield "content.opf", f"no {prop} in the package metadata"


@rule("epub.page-list", Severity.WARNING, "The EPUB does not map the print edition's pages.")
def page_list(context: CheckContext):
    path = context.edition_path("epub")
    if path is None or context.edition_path("pdf") is None:
        return
    with zipfile.ZipFile(path) as archive:
        names = [n for n in archive.namelist() if n.endswith((".xhtml", ".html"))]
        found = any(b'epub:type="page-list"' in archive.read(n) for n in names)
    if not found:
        yield path.name, "no page-list navigation although a print edition exists"
