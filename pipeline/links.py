"""Links of a text written for a web site, made to work in a book.

A link inside the text (``#section``) must find its target in every edition: a link to a
heading is given the class ``xref``, for which the print edition adds the page number, and
a link to an id that is nowhere is removed with its words kept. A web site's own links
(``/en/lessons/x``, ``assets/x.zip``, ``../other.html``) lead nowhere from an EPUB or a
file on a reader's disk: with ``base-url:`` in the metadata they become absolute addresses
on that site, without it each is removed, its words kept, with a warning. A link to a text
file of the manuscript with a ``#fragment`` becomes a link inside the text, and one to an
image the text shows leads to that image. ``http(s):``, ``mailto:`` and ``tel:`` links stay.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from lxml.html import HtmlElement

from pipeline.errors import PipelineError
from pipeline.manuscript import Manuscript
from pipeline.places import Locator

XREF_CLASS = "xref"
BASE_URL_KEY = "base-url"
KEPT_SCHEMES = frozenset({"http", "https", "mailto", "tel", "ftp"})
PANDOC_LINKS = frozenset({"footnote-ref", "footnote-back"})
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
NO_BASE = (
    "removed the link to {href}, a page of a web site that no edition carries (its words are"
    " kept; base-url in metadata.yaml would make it a link to the site)"
)


def base_url(manuscript: Manuscript) -> str | None:
    """The ``base-url`` of the metadata: an http(s) address, or a PipelineError naming its
    line."""
    meta = manuscript.metadata
    value = meta.get(BASE_URL_KEY)
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in value:
        raise PipelineError(
            f"'{BASE_URL_KEY}' must be an http or https address such as"
            f" https://example.org/texts/, not {value!r}",
            meta.path,
            meta.line_of(BASE_URL_KEY),
        )
    return value


def rewrite_links(manuscript: Manuscript, tree: HtmlElement, locator: Locator) -> list[str]:
    """Rewrite every link in ``tree`` in place; one warning per link removed."""
    rewriter = _Rewriter(manuscript, tree, locator, base_url(manuscript))
    for link in list(tree.iter("a")):
        if link.get("href") is not None and not PANDOC_LINKS & set(_classes(link)):
            rewriter.rewrite(link)
    return rewriter.warnings


class _Rewriter:
    def __init__(
        self, manuscript: Manuscript, tree: HtmlElement, locator: Locator, base: str | None
    ):
        self.manuscript = manuscript
        self.root = manuscript.root
        self.locator = locator
        self.base = base
        self.tree = tree
        self.ids = {e.get("id") for e in tree.iter() if isinstance(e.tag, str) and e.get("id")}
        self.headings = {h.get("id") for h in tree.iter(*HEADINGS) if h.get("id")}
        self.texts = {t.path.resolve() for t in manuscript.texts}
        self.warnings: list[str] = []

    def rewrite(self, link: HtmlElement) -> None:
        href = (link.get("href") or "").strip()
        parts = urlsplit(href)
        if href.startswith("#"):
            self._internal(link, href, unquote(parts.fragment))
        elif parts.scheme:
            if parts.scheme.lower() not in KEPT_SCHEMES:
                self._remove(
                    link,
                    href,
                    f"removed the {parts.scheme}: link to {href}, which a reader cannot"
                    " follow from a book (its words are kept)",
                )
        elif parts.netloc:
            link.set("href", f"{urlsplit(self.base or 'https:').scheme}:{href}")
        else:
            self._relative(link, href)

    def _internal(self, link: HtmlElement, href: str, target: str) -> None:
        if target in self.ids:
            link.set("href", f"#{target}")
            if target in self.headings:
                _add_class(link, XREF_CLASS)
            return
        self._remove(
            link,
            href,
            f"removed the link to {href}, which points at no heading or id in the"
            " text (its words are kept)",
        )

    def _relative(self, link: HtmlElement, href: str) -> None:
        parts = urlsplit(href)
        path = self._in_manuscript(parts.path)
        fragment = unquote(parts.fragment)
        if path is not None and path in self.texts and fragment in self.ids:
            self._internal(link, href, fragment)
            return
        if path is not None and self._to_image(link, path):
            return
        if self.base:
            link.set("href", urljoin(self.base, href))
            return
        self._remove(link, href, NO_BASE.format(href=href))

    def _in_manuscript(self, reference: str) -> Path | None:
        """The file of the manuscript a relative path names, if it is one."""
        if not reference or reference.startswith("/"):
            return None
        try:
            path = (self.root / unquote(reference)).resolve()
        except (OSError, ValueError):
            return None
        if not path.is_relative_to(self.root) or not path.is_file():
            return None
        return path

    def _to_image(self, link: HtmlElement, path: Path) -> bool:
        """Point a link to an image the text shows at that image (its figure); a link
        round the image itself, which leads nowhere new, is taken away."""
        for image in self.tree.iter("img"):
            if self._in_manuscript(image.get("src") or "") != path:
                continue
            if link in image.iterancestors():
                link.drop_tag()
                return True
            target = next(image.iterancestors("figure"), image)
            if not target.get("id"):
                target.set("id", self._new_id(path.stem))
            link.set("href", f"#{target.get('id')}")
            return True
        return False

    def _new_id(self, stem: str) -> str:
        base = "figure-" + "".join(c if c.isalnum() else "-" for c in stem.lower())
        candidate, number = base, 1
        while candidate in self.ids:
            number += 1
            candidate = f"{base}-{number}"
        self.ids.add(candidate)
        return candidate

    def _remove(self, link: HtmlElement, href: str, message: str) -> None:
        """Take the link away, keeping its words (and its id, as a ``span``)."""
        self.warnings.append(f"{self.locator.where(href)}: {message}")
        if link.get("id"):
            kept = {name: link.get(name) for name in ("id", "class") if link.get(name)}
            link.attrib.clear()
            link.attrib.update(kept)
            link.tag = "span"
        else:
            link.drop_tag()


def _classes(element: HtmlElement) -> list[str]:
    return (element.get("class") or "").split()


def _add_class(element: HtmlElement, name: str) -> None:
    classes = _classes(element)
    if name not in classes:
        element.set("class", " ".join([*classes, name]))
