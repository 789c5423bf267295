"""Checks of the print edition: fonts, tagging, bookmarks, notes on their pages, and what a
PDF/X file owes a print shop (output intent, version keys, page boxes, colour)."""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterator
from typing import Any

from pipeline.checks.context import CheckContext
from pipeline.checks.extract import comparable, spaced
from pipeline.checks.registry import Severity, rule
from pipeline.places import Locator
from pipeline.typefaces import IGNORED_CATEGORIES, scripts

MM = 72 / 25.4
SIDE_MARGIN = 0.09
FONT_FAMILY = re.compile(r"font-family\s*:\s*([^;}]+)", re.IGNORECASE)
GENERIC_FAMILIES = {
    "serif",
    "sans-serif",
    "monospace",
    "cursive",
    "fantasy",
    "system-ui",
    "inherit",
}


def configured_families(context: CheckContext) -> set[str]:
    """The font families the print stylesheets and the scripts' faces name, squeezed
    (``charissil``)."""
    manuscript = context.manuscript
    sheets = [*manuscript.styles.glob("print*.css"), *(manuscript.root / "styles").glob("*.css")]
    families = {_squeeze(face) for script in scripts(manuscript).values() for face in script.faces}
    for sheet in sheets:
        for declaration in FONT_FAMILY.findall(sheet.read_text(encoding="utf-8")):
            for family in declaration.split(","):
                name = family.strip().strip("'\"").strip()
                if name and name.lower() not in GENERIC_FAMILIES:
                    families.add(_squeeze(name))
    return families


def _squeeze(name: str) -> str:
    return re.sub(r"[\s_-]+", "", name).lower()


def _open(context: CheckContext):
    import pymupdf

    path = context.edition_path("pdf")
    return None if path is None else pymupdf.open(path)


def _pages(context: CheckContext) -> Iterator[Any]:
    """The print edition's pages one after another, the file closed after the last (or
    when the rule stops early); none when there is no print edition."""
    pdf = _open(context)
    if pdf is None:
        return
    with pdf:
        yield from pdf


def _fonts(context: CheckContext) -> list[tuple[int, str, str]]:
    """(page, font name, font type) of every font used, the subset prefix removed."""

    def read():
        pdf = _open(context)
        if pdf is None:
            return []
        with pdf:
            fonts = []
            for page in pdf:
                for xref, ext, _kind, name, *_ in page.get_fonts(full=True):
                    fonts.append((page.number + 1, name.split("+", 1)[-1], ext, xref))
            return fonts

    return context.memo("pdf-fonts", read)


@rule("pdf.fonts-embedded", Severity.ERROR, "A font is not embedded.")
def fonts_embedded(context: CheckContext):
    reported = set()
    for page, name, ext, _xref in _fonts(context):
        if ext in ("n/a", "") and name not in reported:
            reported.add(name)
            yield f"page {page}", f"font {name} is not embedded"


@rule("pdf.font-family", Severity.ERROR, "A font outside the configured families was used.")
def font_family(context: CheckContext):
    reported = set()
    allowed = tuple(configured_families(context))
    for page, name, _ext, _xref in _fonts(context):
        if not _squeeze(name).startswith(allowed) and name not in reported:
            reported.add(name)
            yield f"page {page}", f"fallback font {name} was used"


@rule("pdf.missing-glyph", Severity.ERROR, "A character prints as an empty box.")
def missing_glyph(context: CheckContext):
    """A character drawn with glyph 0, the font's empty box, is one no face could draw."""
    pdf = _open(context)
    if pdf is None:
        return
    locator = Locator(context.manuscript)
    reported = set()
    with pdf:
        for page in pdf:
            for span in page.get_texttrace():
                for code, glyph, *_ in span["chars"]:
                    char = chr(code) if code > 0 else ""
                    if glyph != 0 or char in reported or not _drawn(char):
                        continue
                    reported.add(char)
                    name = unicodedata.name(char, "unnamed")
                    path, line = locator.find(char)
                    where = f"; it is at {path}:{line}" if line else ""
                    yield (
                        f"page {page.number + 1}",
                        f"{char!r} (U+{code:04X} {name}) prints as an empty box{where}",
                    )


def _drawn(char: str) -> bool:
    return bool(char) and unicodedata.category(char) not in IGNORED_CATEGORIES


@rule("pdf.tagged", Severity.ERROR, "The PDF is not tagged or lacks its language or title.")
def tagged(context: CheckContext):
    pdf = _open(context)
    if pdf is None:
        return
    with pdf:
        catalog = pdf.pdf_catalog()
        for key, meaning in (("StructTreeRoot", "structure tree"), ("Lang", "language")):
            if pdf.xref_get_key(catalog, key)[0] == "null":
                yield "catalog", f"has no {meaning} (/{key})"
        if not (pdf.metadata or {}).get("title"):
            yield "metadata", "has no document title"


@rule("pdf.bookmarks", Severity.ERROR, "The bookmarks do not match the headings.")
def bookmarks(context: CheckContext):
    if context.edition_path("pdf") is None:
        return
    found = {spaced(h) for h in context.content("pdf").headings}
    for heading in context.document().headings:
        if spaced(heading.text) not in found:
            yield "outline", f"no bookmark for “{heading.text}”"


@rule("pdf.note-on-call-page", Severity.ERROR, "A footnote is not on the page of its call.")
def note_on_call_page(context: CheckContext):
    """Each note must start on a page whose body text holds its call."""
    pdf = _open(context)
    if pdf is None:
        return
    from pipeline.checks.extract import note_pages

    with pdf:
        for number, note_page, call_pages in note_pages(pdf):
            if note_page not in call_pages:
                yield f"page {note_page}", f"note {number} is not on the page of its call"


@rule("pdf.note-text", Severity.ERROR, "A footnote's text differs from the manuscript's.")
def note_text(context: CheckContext):
    if context.edition_path("pdf") is None:
        return
    found = [comparable(n) for n in context.content("pdf").notes]
    written = context.content("manuscript").notes
    for number, text in enumerate(written, start=1):
        if number > len(found) or found[number - 1] != comparable(text):
            yield f"note {number}", "the printed note differs from the manuscript's"


def _trim(page):
    """The page as trimmed, in the page's own coordinates (those of its words): the trim
    box where there is bleed, else the whole page. PyMuPDF's ``page.trimbox`` keeps the PDF's
    own origin, which bleed moves, so the box is read and transformed here."""
    import pymupdf

    kind, value = page.parent.xref_get_key(page.xref, "TrimBox")
    if kind != "array":
        return page.rect
    box = pymupdf.Rect([float(v) for v in value.strip("[]").split()]) * page.transformation_matrix
    box.normalize()
    return box if box.width > 0 and box.height > 0 else page.rect


@rule("pdf.page-size", Severity.ERROR, "A page is not of the configured size.")
def page_size_matches(context: CheckContext):
    from pipeline.layout.stage import page_size

    pdf = _open(context)
    if pdf is None:
        return
    expected = page_size(context.document())
    width, height = expected.points
    with pdf:
        for page in pdf:
            trim = _trim(page)
            if abs(trim.width - width) > 1 or abs(trim.height - height) > 1:
                size = f"{trim.width / MM:.0f}×{trim.height / MM:.0f} mm"
                yield f"page {page.number + 1}", f"is {size}, not {expected}"


@rule("pdf.text-block", Severity.ERROR, "Text runs outside the text block.")
def text_block(context: CheckContext):
    """No word may reach into the inner tenth of the page's width on either side: the print
    stylesheet's side margins are wider than that, so only an overflowing line gets there."""
    for page in _pages(context):
        trim = _trim(page)
        low = trim.x0 + trim.width * SIDE_MARGIN
        high = trim.x1 - trim.width * SIDE_MARGIN
        for word in page.get_text("words"):
            if word[0] < low - 1 or word[2] > high + 1:
                yield f"page {page.number + 1}", f"“{word[4][:30]}” runs past the text block"
                break


TEXT_BLOCK = {"top": 0.09, "bottom": 0.10}
"""The print stylesheets' top and foot margins as shares of the page's height: the text, its
notes and its tables stand between them (``pdf.text-block`` watches the sides)."""
FOLIO = re.compile(r"^\s*(\d+|[ivxlcdm]+)\s*$", re.IGNORECASE)
BLOCK_TOLERANCE = 2.0
"""Points a baseline may pass the top or foot of the text block by (rounding)."""


@rule("pdf.text-outside", Severity.ERROR, "Text is set above or below the page's text block.")
def text_outside(context: CheckContext):
    """Every line's baseline lies between the top and the foot of the page's text block,
    but for the running head above it and the folio below it, the lines of the page's
    margin boxes; a line past the sides is ``pdf.text-block``'s."""
    for page in _pages(context):
        stray = outside_text_block(page)
        if stray is not None:
            yield f"page {page.number + 1}", f"“{stray[:30]}” is set outside the text block"


RISE_PT = 4.0
"""How far a piece of a line may sit off its baseline: marks raised above the letters."""


def outside_text_block(page) -> str | None:
    """The text of the first line on ``page`` above or below its text block that is not the
    running head or the folio."""
    trim = _trim(page)
    tol = BLOCK_TOLERANCE
    top = trim.y0 + trim.height * TEXT_BLOCK["top"]
    foot = trim.y1 - trim.height * TEXT_BLOCK["bottom"]
    head = None
    for baseline, text in _lines(page):
        if top - tol <= baseline <= foot + tol:
            continue
        if trim.y0 <= baseline < top and (head is None or abs(baseline - head) <= RISE_PT):
            # The running head: one line, which a raised mark may split into pieces.
            head = baseline if head is None else head
        elif not (foot < baseline <= trim.y1 and FOLIO.match(text)):
            return text.strip()
    return None


def _lines(page):
    """(baseline, text) of every line of text on the page, in reading order."""
    for block in page.get_text("dict")["blocks"]:
        for line in block.get("lines", []):
            text = "".join(span["text"] for span in line["spans"])
            if text.strip():
                yield max(span["origin"][1] for span in line["spans"]), text


@rule("booklet.page-count", Severity.ERROR, "The booklet does not hold every page, in fours.")
def booklet_page_count(context: CheckContext):
    import pymupdf

    booklet, printed = context.edition_path("booklet"), context.edition_path("pdf")
    if booklet is None or printed is None:
        return
    with pymupdf.open(booklet) as sheets, pymupdf.open(printed) as pages:
        slots = 2 * sheets.page_count
        if slots % 4:
            yield booklet.name, f"{sheets.page_count} sides hold {slots} pages, not a multiple of 4"
        if not pages.page_count <= slots < pages.page_count + 4:
            yield booklet.name, f"{slots} page places for the {pages.page_count} pages of the PDF"


def _pdfx(context: CheckContext):
    """The print edition opened with pikepdf and the PDF/X version it is held to: the one the
    metadata asks for, else the one the file declares; "PDF/X" for a file that only carries
    a GTS_PDFX output intent; None (and no file) when it is no PDF/X."""

    def read():
        from pipeline.layout import pdfx

        path = context.edition_path("pdf")
        if path is None:
            return None, None
        import pikepdf

        pdf = pikepdf.open(io.BytesIO(path.read_bytes()))
        variant = (context.manuscript.metadata.section("print").get("pdf-variant") or "").lower()
        declared = str(pdf.docinfo.get("/GTS_PDFXVersion", "")) or _xmp_pdfx_version(pdf)
        if pdfx.is_pdfx(variant):
            return pdf, pdfx.VERSIONS[variant]
        if declared:
            return pdf, declared
        if any(intent.get("/S") == "/GTS_PDFX" for intent in _output_intents(pdf)):
            return pdf, "PDF/X"
        pdf.close()
        return None, None

    return context.memo("pdfx", read)


def _output_intents(pdf) -> list:
    intents = pdf.Root.get("/OutputIntents")
    return list(intents) if intents is not None else []


def _xmp_pdfx_version(pdf) -> str:
    metadata = pdf.Root.get("/Metadata")
    if metadata is None:
        return ""
    found = re.search(rb"<pdfxid:GTS_PDFXVersion>([^<]+)<", metadata.read_bytes())
    return found.group(1).decode() if found else ""


@rule("pdf.output-intent", Severity.ERROR, "A PDF/X file lacks a CMYK output intent.")
def output_intent(context: CheckContext):
    pdf, version = _pdfx(context)
    if pdf is None:
        return
    intents = [i for i in _output_intents(pdf) if i.get("/S") == "/GTS_PDFX"]
    if not intents:
        yield "catalog", f"{version} needs a GTS_PDFX output intent (/OutputIntents)"
        return
    intent = intents[0]
    if not str(intent.get("/OutputConditionIdentifier", "")):
        yield "output intent", "has no /OutputConditionIdentifier"
    profile = intent.get("/DestOutputProfile")
    if profile is None:
        yield "output intent", "has no ICC profile (/DestOutputProfile)"
        return
    header = profile.read_bytes()[:20]
    if profile.get("/N") != 4 or header[16:20] != b"CMYK":
        yield "output intent", "its ICC profile is not a CMYK profile"


@rule("pdf.pdfx-version", Severity.ERROR, "A PDF/X file lacks its version or trapping keys.")
def pdfx_version(context: CheckContext):
    pdf, version = _pdfx(context)
    if pdf is None:
        return
    info = pdf.docinfo
    found = str(info.get("/GTS_PDFXVersion", ""))
    if not found.startswith(version):
        yield "document information", f"/GTS_PDFXVersion is “{found}”, not “{version}”"
    if version.startswith("PDF/X-1a") and str(info.get("/GTS_PDFXConformance", "")) != version:
        yield "document information", f"/GTS_PDFXConformance is not “{version}”"
    if version == "PDF/X-4" and _xmp_pdfx_version(pdf) != version:
        yield "metadata", f"the XMP has no pdfxid:GTS_PDFXVersion “{version}”"
    if str(info.get("/Trapped", "")) not in ("/True", "/False"):
        yield "document information", "/Trapped is neither /True nor /False"


@rule("pdf.page-boxes", Severity.ERROR, "A PDF/X page lacks its TrimBox or BleedBox.")
def page_boxes(context: CheckContext):
    """Every page needs a TrimBox and a BleedBox, the BleedBox 3 mm outside the TrimBox with
    ``print.bleed`` and equal to it without."""
    pdf, _version = _pdfx(context)
    if pdf is None:
        return
    bleed = 3 * MM if context.manuscript.metadata.section("print").get("bleed") else 0.0
    for number, page in enumerate(pdf.pages, start=1):
        trim, bleed_box = page.obj.get("/TrimBox"), page.obj.get("/BleedBox")
        if trim is None or bleed_box is None:
            yield f"page {number}", "has no TrimBox or no BleedBox"
            continue
        trim, bleed_box = [float(v) for v in trim], [float(v) for v in bleed_box]
        expected = [trim[0] - bleed, trim[1] - bleed, trim[2] + bleed, trim[3] + bleed]
        if any(abs(a - b) > 0.3 for a, b in zip(bleed_box, expected, strict=True)):
            yield f"page {number}", f"its BleedBox is not {bleed / MM:.0f} mm outside its TrimBox"


@rule("pdf.pdfx-colour", Severity.ERROR, "A PDF/X file uses colour or transparency it forbids.")
def pdfx_colour(context: CheckContext):
    """PDF/X-1a allows CMYK and grey only, without transparency; PDF/X-4 allows RGB where the
    page gives it a /DefaultRGB profile."""
    pdf, version = _pdfx(context)
    if pdf is None:
        return
    strict = version.startswith("PDF/X-1")
    for number, page in enumerate(pdf.pages, start=1):
        for kind in sorted(set(_colours_used(page.obj, None))):
            message = _forbidden(kind, strict, version)
            if message:
                yield f"page {number}", message


DEVICE_SPACES = {"/DeviceRGB": "RGB", "/DeviceCMYK": "CMYK", "/DeviceGray": "grey"}


def _space_kind(space, resources) -> str:
    """The kind of a colour space (a name or an array, a name looked up in the resources'
    /ColorSpace): "RGB", "CMYK", "grey", "ICC", "Lab" or "other"."""
    import pikepdf

    if isinstance(space, pikepdf.Name):
        name = str(space)
        if name in DEVICE_SPACES:
            return DEVICE_SPACES[name]
        spaces = resources.get("/ColorSpace") if resources is not None else None
        if spaces is None or name not in spaces:
            return "other"
        space = spaces[name]
        if isinstance(space, pikepdf.Name):
            return _space_kind(space, None)
    family = str(space[0])
    if family in ("/ICCBased",):
        return "ICC"
    if family in ("/Lab",):
        return "Lab"
    if family in ("/CalRGB",):
        return "RGB"
    if family == "/Indexed":
        return _space_kind(space[1], resources)
    return "other"


def _colours_used(owner, resources, depth: int = 0):
    """What the content of a page or form draws with: colour kinds ("managed RGB" for device
    RGB that the resources give a /DefaultRGB) and "transparency"."""
    import pikepdf

    resources = owner.get("/Resources", resources)
    spaces = resources.get("/ColorSpace") if resources is not None else None
    rgb = "managed RGB" if spaces is not None and "/DefaultRGB" in spaces else "RGB"
    for operands, operator in pikepdf.parse_content_stream(owner):
        op = str(operator)
        if op in ("rg", "RG"):
            yield rgb
        elif op in ("cs", "CS"):
            kind = _space_kind(operands[0], resources)
            yield rgb if kind == "RGB" else kind
        elif op == "gs":
            state = resources.ExtGState[str(operands[0])]
            if _transparent(state):
                yield "transparency"
        elif op == "Do" and depth < 8:
            thing = resources.XObject[str(operands[0])]
            if thing.get("/Subtype") == "/Image":
                if "/ColorSpace" in thing:
                    kind = _space_kind(thing.ColorSpace, resources)
                    yield rgb if kind == "RGB" else kind
                if "/SMask" in thing:
                    yield "transparency"
            elif thing.get("/Subtype") == "/Form":
                if "/Group" in thing:
                    yield "transparency"
                yield from _colours_used(thing, resources, depth + 1)


def _transparent(state) -> bool:
    alpha = [float(state.get(key, 1)) for key in ("/CA", "/ca")]
    mask = str(state.get("/SMask", "/None"))
    blend = str(state.get("/BM", "/Normal"))
    return min(alpha) < 1 or mask != "/None" or blend not in ("/Normal", "/Compatible")


def _forbidden(kind: str, strict: bool, version: str) -> str | None:
    if strict and kind in ("RGB", "managed RGB", "ICC", "Lab", "transparency"):
        what = "transparency" if kind == "transparency" else f"{kind.split()[-1]} colour"
        return f"uses {what}, which {version} forbids (CMYK and grey only)"
    if kind == "RGB":
        return "uses device RGB colour without a /DefaultRGB colour space"
    return None
