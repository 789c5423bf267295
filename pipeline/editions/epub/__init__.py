"""The EPUB 3 edition, assembled with ebooklib.

Spine: the cover, the title page, the contents, one file per section (``epub.split-level``)
with its footnotes, the bibliography. Navigation (outline, landmarks, the print edition's
page list) is written both as an EPUB 3 navigation document and as an NCX. The pieces
live in the modules of this package.
"""

from __future__ import annotations

import re
from pathlib import Path

from ebooklib import epub
from lxml.html import HtmlElement

from pipeline.clock import build_time
from pipeline.document import Document
from pipeline.editions import Edition, Layout
from pipeline.editions.epub.cover import cover, drawn_ahead
from pipeline.editions.epub.media import MediaFiles, embed_media
from pipeline.editions.epub.metadata import (
    AccessibilityFacts,
    describe,
    describe_accessibility,
    identifier,
)
from pipeline.editions.epub.nav import (
    NAV_FILE,
    NCX_FILE,
    Landmark,
    Navigation,
    nav_document,
    ncx_document,
)
from pipeline.editions.epub.package import package
from pipeline.editions.epub.pages import place_page_breaks, strip_block_numbers
from pipeline.editions.epub.text import (
    HEADINGS,
    OPENING_FILE,
    bibliography_document,
    chapter_document,
    heading_text,
    link_across_files,
    split_chapters,
    title_page,
)
from pipeline.editions.epub.xhtml import (
    STYLESHEET,
    XHTML_MEDIA_TYPE,
    ContentDocument,
    element_order,
    serialize,
)
from pipeline.files import atomic_write, read_text
from pipeline.labels import Labels, labels_for
from pipeline.languages import language_of
from pipeline.layout import PrintLayout, PrintPages
from pipeline.matter import NavPoint, outline
from pipeline.metadata import NUMBER, TEXT
from pipeline.typefaces import STYLE_FILES, faces_css

STYLESHEET_SOURCE = "epub.css"
NCX_MEDIA_TYPE = "application/x-dtbncx+xml"


def write(document: Document, target: Path, pages: PrintPages | None) -> None:
    layout = pages.layout if pages is not None else PrintLayout()
    atomic_write(target, assemble(document, layout))


def assemble(document: Document, layout: PrintLayout) -> bytes:
    """The EPUB file for ``document``, with page markers from the print ``layout``."""
    labels = labels_for(document.manuscript)
    media = MediaFiles()
    front_cover = cover(document, media)
    front = title_page(document)
    chapters = [chapter_document(document, c) for c in split_chapters(document)]
    back = [bibliography_document(document)] if document.bibliography else []
    text = [front, *chapters, *back]
    missing_alt = embed_media(chapters, document.manuscript, media)
    link_across_files(text, document.manuscript)
    pages = place_page_breaks(text, layout)
    strip_block_numbers(text)
    facts = AccessibilityFacts(
        page_list=bool(pages),
        images=media.has_images,
        images_without_alt=missing_alt,
        math=any(has_math(part) for part in text),
    )
    spine = [front_cover.page, front, *chapters, *back]
    navigation = Navigation(
        title=document.metadata.title,
        lang=document.metadata.lang,
        identifier=identifier(document),
        authors=document.metadata.authors,
        toc=table_of_contents(document, chapters, back),
        landmarks=landmarks(labels, front_cover.page, front, chapters, back),
        pages=pages,
    )
    book = epub.EpubBook()
    describe(book, document)
    if language_of(document.manuscript).rtl:
        book.direction = "rtl"
    describe_accessibility(book, document, facts)
    _add_items(book, document, spine, navigation, media)
    book.add_metadata(None, "meta", "", {"name": "cover", "content": _item_id(front_cover.image)})
    return package(book, build_time(), document.manuscript)


def table_of_contents(
    document: Document, chapters: list[ContentDocument], back: list[ContentDocument]
) -> list[NavPoint]:
    """The opening (under the book's title), every heading nested by level, then the back
    matter."""
    entries = [
        (int(h.tag[1]), heading_text(h), f"{chapter.file_name}#{h.get('id')}")
        for chapter in chapters
        for h in _headings(chapter)
    ]
    toc = outline(entries)
    if chapters and chapters[0].file_name == OPENING_FILE:
        toc.insert(0, NavPoint(document.metadata.title, OPENING_FILE))
    toc.extend(NavPoint(part.title, part.file_name) for part in back)
    return toc


def _headings(chapter: ContentDocument) -> list[HtmlElement]:
    """The chapter's headings in order, each given an id if pandoc left it without one."""
    section = chapter.body[0]
    found = list(section.iter(*HEADINGS))
    for number, heading in enumerate(found, start=1):
        if not heading.get("id"):
            heading.set("id", f"heading-{number}")
    return found


def landmarks(
    labels: Labels,
    cover_page: ContentDocument,
    front: ContentDocument,
    chapters: list[ContentDocument],
    back: list[ContentDocument],
) -> list[Landmark]:
    marks = [
        Landmark("cover", labels["cover"], cover_page.file_name),
        Landmark("titlepage", labels["title_page"], front.file_name),
        Landmark("toc", labels["contents"], f"{NAV_FILE}#toc"),
    ]
    if chapters:
        marks.append(Landmark("bodymatter", labels["start_of_text"], chapters[0].file_name))
    marks.extend(Landmark("bibliography", part.title, part.file_name) for part in back)
    return marks


def _add_items(
    book: epub.EpubBook,
    document: Document,
    spine: list[ContentDocument],
    navigation: Navigation,
    media: MediaFiles,
) -> None:
    lang = document.metadata.lang
    manuscript = document.manuscript
    nav_file = nav_document(navigation, manuscript)
    nav = _item("nav", NAV_FILE, XHTML_MEDIA_TYPE, nav_file, ["nav"])
    order = _reading_order(spine)
    ncx = _item("ncx", NCX_FILE, NCX_MEDIA_TYPE, ncx_document(navigation, order, manuscript))
    css = read_text(manuscript.style_path(STYLESHEET_SOURCE))
    if document.typefaces is not None:
        css += "\n" + faces_css(manuscript, document.typefaces)
    book.add_item(_item("style", STYLESHEET, "text/css", css.encode("utf-8")))
    documents = []
    for part in spine:
        item = _item(
            _item_id(part),
            part.file_name,
            XHTML_MEDIA_TYPE,
            serialize(part, lang, manuscript),
            content_properties(part),
        )
        book.add_item(item)
        documents.append(item)
    book.add_item(nav)
    book.add_item(ncx)
    for file in media.files:
        uid = _item_id(file)
        book.add_item(_item(uid, file.file_name, file.media_type, file.content, file.properties))
    book.spine = [documents[0], documents[1], nav, *documents[2:]]
    book.guide = _guide(spine, navigation)


def content_properties(part: ContentDocument) -> list[str]:
    """The manifest properties of a content document: ``mathml`` when it holds a formula."""
    return ["mathml"] if has_math(part) else []


def has_math(part: ContentDocument) -> bool:
    return next(part.body.iter("math"), None) is not None


def _guide(spine: list[ContentDocument], navigation: Navigation) -> list[dict[str, str]]:
    """The EPUB 2 guide, for older reading systems: the landmarks under their old names."""
    old_names = {
        "cover": "cover",
        "titlepage": "title-page",
        "toc": "toc",
        "bodymatter": "text",
        "bibliography": "bibliography",
    }
    return [
        {"type": old_names[m.epub_type], "title": m.label, "href": m.href}
        for m in navigation.landmarks
        if m.epub_type in old_names
    ]


def _reading_order(spine: list[ContentDocument]):
    """A sort key for package-relative links: spine position, then place in the file."""
    files = {part.file_name: index for index, part in enumerate(spine)}
    positions = {part.file_name: element_order(part) for part in spine}

    def key(href: str) -> tuple[int, int]:
        file_name, _, fragment_id = href.partition("#")
        place = positions.get(file_name, {}).get(fragment_id, -1) if fragment_id else -1
        return files.get(file_name, len(files)), place

    return key


def _item(
    uid: str, file_name: str, media_type: str, content: bytes, properties: list[str] | None = None
) -> epub.EpubItem:
    item = epub.EpubItem(uid=uid, file_name=file_name, media_type=media_type, content=content)
    item.properties = properties or []
    return item


def _item_id(part) -> str:
    """A manifest id from a file name: ``text/chapter-01.xhtml`` gives ``chapter-01``."""
    name = Path(part.file_name).name
    stem = name.removesuffix(".xhtml") if name.endswith(".xhtml") else f"media-{name}"
    return re.sub(r"[^A-Za-z0-9-]", "-", stem)


EDITION = Edition(
    name="epub",
    suffix=".epub",
    write=write,
    styles=(
        "epub*.css",
        "templates/cover*",
        "templates/epub/*",
        "templates/title-block*",
        "labels/*.yaml",
        *STYLE_FILES,
    ),
    options={"epub": {"split-level": NUMBER, "cover": TEXT}},
    layout=Layout.OPTIONAL,
    ahead=drawn_ahead,
)
