"""The one module that reaches into WeasyPrint's and pydyf's internals.

Everything here depends on code those libraries do not document, so both are pinned to
one version in pyproject.toml and ``check_engine`` refuses any other, and any release in
which a function or class patched or read here has gone. The rest of the pipeline uses
WeasyPrint's documented API (``HTML``, ``CSS``, ``render``, ``write_pdf``) and the
accessors below for the laid-out boxes.

What is here:

- **A quick import.** WeasyPrint opens Pango, HarfBuzz, fontconfig and GObject by trying
  a list of names per library, Windows' and macOS' first; cffi hands every name that fails
  to ``ctypes.util.find_library``, which on Linux runs ``ldconfig``, ``gcc`` and ``ld``:
  some fifty processes and 0.15 s. Each list also holds the Linux file name, which loads
  directly, so the import answers every search with "not found" at once.
- **Four quadratic steps made linear**, all bookkeeping, so the pages come out the same
  (a test compares the PDFs byte for byte): the pending-footnote list searched for every
  line (lines × notes), pydyf's page references rebuilt for every tagged element
  (elements × pages), every element's styles scanned for each page's margin boxes
  (pages × elements), and every page searched for fixed boxes on every page
  (pages × pages).
- **The laid-out boxes**, read through a few accessors, so that the layout stage never
  names WeasyPrint's box classes or the page's private box.
- **Process-wide tweaks**: full garbage collections held back while pages are laid out,
  the heap frozen at exit, and a deep stack for deeply nested texts. The first two only
  save time, so they apply only on the Python versions they were measured on
  (``MEASURED_ON``) and can be switched off one by one (``PIPELINE_ENGINE_TWEAKS``) to
  measure them (``make bench``).
"""

from __future__ import annotations

import ctypes.util
import gc
import importlib
import operator
import os
import re
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any, TypeVar

from pipeline.errors import PipelineError

PINNED = {"weasyprint": "70.0", "pydyf": "0.13.0"}
"""The only versions the internals below are known to match."""

PATCH_TARGETS = (
    ("weasyprint.layout", "LayoutContext.__init__"),
    ("weasyprint.layout", "layout_fixed_boxes"),
    ("weasyprint.layout.page", "set_page_type_computed_styles"),
    ("weasyprint.css", "StyleFor.add_page_declarations"),
    ("weasyprint.css", "StyleFor.set_computed_styles"),
    ("weasyprint.css", "StyleFor.get_cascaded_styles"),
    ("weasyprint.formatting_structure.boxes", "BlockBox"),
    ("weasyprint.formatting_structure.boxes", "BlockLevelBox"),
    ("weasyprint.formatting_structure.boxes", "LineBox"),
    ("weasyprint.formatting_structure.boxes", "TextBox"),
    ("weasyprint.formatting_structure.boxes", "ReplacedBox"),
    ("weasyprint.formatting_structure.boxes", "MarginBox"),
    ("pydyf", "PDF.page_references"),
    ("pydyf", "Stream.begin_marked_content"),
    ("weasyprint.draw.text", "draw_first_line"),
    ("weasyprint.pdf.fonts", "ffi"),
    ("weasyprint.pdf.fonts", "Font._harfbuzz_subset"),
)
"""Every internal name this module replaces or reads, as (module, attribute path)."""

MEASURED_ON = {(3, 11)}
"""Python versions on which the speed tweaks were measured to pay (bench/results.md)."""

STACK_BYTES = 512 * 1024 * 1024
RECURSION_LIMIT = 50_000
GROWTH = 2.0
NEVER = 1 << 30

T = TypeVar("T")


class EngineMismatch(PipelineError):
    """WeasyPrint or pydyf is not the release the engine was written against."""

    exit_code = 70


# -- versions and patch targets ------------------------------------------------------------


def check_versions() -> None:
    """Refuse any WeasyPrint or pydyf other than the pinned release."""
    import importlib.metadata

    for package, pinned in PINNED.items():
        installed = importlib.metadata.version(package)
        if installed != pinned:
            raise EngineMismatch(
                f"{package} {installed} is installed, but the print layout is written for "
                f"{package} {pinned} only; run make to install it"
            )


def missing_targets() -> list[str]:
    """The patch targets that the installed libraries no longer have."""
    missing = []
    for module_name, path in PATCH_TARGETS:
        try:
            value: Any = importlib.import_module(module_name)
            for part in path.split("."):
                value = getattr(value, part)
        except (ImportError, AttributeError):
            missing.append(f"{module_name}.{path}")
    return missing


def check_engine() -> None:
    """The pinned versions are installed and every patch target is still there."""
    check_versions()
    missing = missing_targets()
    if missing:
        raise EngineMismatch(
            f"the installed WeasyPrint or pydyf lacks {', '.join(missing)}, which the "
            "print layout relies on"
        )


# -- importing WeasyPrint ---------------------------------------------------------------

_import_lock = threading.Lock()
_patched = False
ORIGINALS: dict[str, Callable[..., Any]] = {}
"""What the patches replaced, by dotted name."""


def import_weasyprint() -> ModuleType:
    """WeasyPrint, imported once per process, checked and patched."""
    with _import_lock:
        if "weasyprint" not in sys.modules:
            check_versions()
            _import_quickly()
        _patch_once()
        _patch_text_once()
        return sys.modules["weasyprint"]


FFI_TYPES = (
    "PangoRectangle *",
    "unsigned int *",
    "PangoFcFontMap *",
    "hb_tag_t[100]",
    "char[]",
    "char[4]",
    "PangoLogAttr[]",
    "FcResult *",
    "FcChar8 **",
    "hb_codepoint_t[]",
)
"""The C types WeasyPrint asks cffi for by name while it lays out and writes pages. cffi
parses a name the first time it is asked, with all of WeasyPrint's declarations in
scope: 5 ms each, 40 ms of the seed's layout (``hb_codepoint_t[]`` stands for the arrays
``ArraysByItems`` makes)."""


SIZED_ARRAY = re.compile(r"(\w+)\[(\d+)\]")


class ArraysByItems:
    """WeasyPrint's cffi handle for its PDF fonts, except that an array named ``T[n]`` and
    given its ``n`` items is made as ``T[]``, the same array: cffi parses every type name
    it has not seen (5 ms), and the font subsetting names one for each length of glyph
    list, eight on the seed."""

    def __init__(self, ffi: Any):
        self._ffi = ffi

    def __getattr__(self, name: str) -> Any:
        return getattr(self._ffi, name)

    def new(self, cdecl: str, init: Any = None) -> Any:
        sized = SIZED_ARRAY.fullmatch(cdecl)
        if sized and init is not None and len(init) == int(sized[2]):
            return self._ffi.new(f"{sized[1]}[]", init)
        return self._ffi.new(cdecl, init)


def parse_ffi_types() -> None:
    """Have cffi parse ``FFI_TYPES`` now (while pandoc runs) rather than in the layout."""
    from weasyprint.text.ffi import ffi

    for name in FFI_TYPES:
        ffi.typeof(name)


def _import_quickly() -> None:
    if sys.platform.startswith("linux"):
        search = ctypes.util.find_library
        ctypes.util.find_library = lambda name: None
        try:
            import weasyprint

            return
        except OSError:
            _forget_weasyprint()
        finally:
            ctypes.util.find_library = search
    import weasyprint  # noqa: F401


def _forget_weasyprint() -> None:
    """Drop a half-finished import so that the next one starts afresh."""
    for name in [n for n in sys.modules if n == "weasyprint" or n.startswith("weasyprint.")]:
        del sys.modules[name]


def _patch_once() -> None:
    global _patched
    if _patched or os.environ.get("PIPELINE_PLAIN_WEASYPRINT") == "1":
        return
    check_engine()
    import pydyf
    from weasyprint import layout
    from weasyprint.layout import LayoutContext, page

    original_init = LayoutContext.__init__

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        self.footnotes = IndexedList(self.footnotes)

    ORIGINALS.update(
        {
            "weasyprint.layout.LayoutContext.__init__": original_init,
            "weasyprint.layout.layout_fixed_boxes": layout.layout_fixed_boxes,
            "weasyprint.layout.page.set_page_type_computed_styles": (
                page.set_page_type_computed_styles
            ),
            "pydyf.PDF.page_references": pydyf.PDF.page_references.fget,
        }
    )
    from weasyprint.pdf import fonts

    ORIGINALS["weasyprint.pdf.fonts.Font._harfbuzz_subset"] = fonts.Font._harfbuzz_subset
    fonts.ffi = ArraysByItems(fonts.ffi)
    LayoutContext.__init__ = init
    pydyf.PDF.page_references = property(_page_references)
    page.set_page_type_computed_styles = style_page_type
    layout.layout_fixed_boxes = _skip_pages_without_fixed_boxes(layout.layout_fixed_boxes)
    _patched = True


_text_patched = False

COMPLEX_SCRIPTS = re.compile(
    "[\u0300-\u036f\u0590-\u08ff\u0900-\u0dff\u0e00-\u0eff\u0f00-\u109f"
    "\u1780-\u17ff\u1ab0-\u1aff\u1dc0-\u1dff\ua8e0-\ua8ff\ufb1d-\ufdff\ufe70-\ufeff]"
)
"""Combining marks and the scripts whose glyphs stand for no single character each: Hebrew
and Arabic points and ligatures, the Indic scripts' reordered vowel signs and conjuncts,
Thai, Lao, Tibetan and Khmer. WeasyPrint maps each glyph to a text once, for the whole PDF,
so a glyph shared by several clusters reads wrong when the PDF's text is copied or read
aloud; a line in these scripts is given its text as ``/ActualText`` instead."""


def _patch_text_once() -> None:
    """Give lines of complex scripts their text (ActualText); applied to plain WeasyPrint
    too, since it mends the output rather than speeding the layout."""
    global _text_patched
    if _text_patched:
        return
    check_engine()
    from weasyprint.draw import text

    ORIGINALS["weasyprint.draw.text.draw_first_line"] = text.draw_first_line
    text.draw_first_line = _with_actual_text(text.draw_first_line)
    _text_patched = True


def _with_actual_text(draw_first_line: Any) -> Any:
    import pydyf

    def draw_line(stream: Any, textbox: Any, *args: Any, **kwargs: Any) -> Any:
        if not COMPLEX_SCRIPTS.search(textbox.text):
            return draw_first_line(stream, textbox, *args, **kwargs)
        actual = pydyf.Dictionary({"ActualText": pydyf.String(_visual_text(textbox))})
        pydyf.Stream.begin_marked_content(stream, "Span", actual)
        try:
            return draw_first_line(stream, textbox, *args, **kwargs)
        finally:
            stream.end_marked_content()

    return draw_line


def _visual_text(textbox: Any) -> str:
    """The text of a text box's first line in the order its glyphs are drawn: runs from
    left to right, a right-to-left run's characters reversed. PDF readers (Poppler, MuPDF)
    read a line's characters in that order and put right-to-left runs back in reading
    order themselves."""
    from weasyprint.text.ffi import ffi

    layout = textbox.pango_layout
    first_line, _index = layout.get_first_line()
    text = layout.text.encode()
    parts = []
    run = first_line.runs
    while run != ffi.NULL:
        item = run.data.item
        piece = text[item.offset : item.offset + item.length].decode(errors="replace")
        parts.append(piece[::-1] if item.analysis.level % 2 else piece)
        run = run.next
    return "".join(parts)


# -- the linear bookkeeping --------------------------------------------------------------


class IndexedList(list):
    """A list whose ``in`` test is a dictionary look-up by object identity."""

    def __init__(self, items: Any = ()):
        super().__init__(items)
        self._count: Counter[int] = Counter(id(item) for item in self)

    def __contains__(self, item: object) -> bool:
        return self._count[id(item)] > 0

    def append(self, item: Any) -> None:
        super().append(item)
        self._count[id(item)] += 1

    def extend(self, items: Any) -> None:
        for item in items:
            self.append(item)

    def insert(self, index: Any, item: Any) -> None:
        super().insert(index, item)
        self._count[id(item)] += 1

    def remove(self, item: Any) -> None:
        super().remove(item)
        self._count[id(item)] -= 1

    def pop(self, index: Any = -1) -> Any:
        item = super().pop(index)
        self._count[id(item)] -= 1
        return item

    def clear(self) -> None:
        super().clear()
        self._count.clear()

    def copy(self) -> IndexedList:
        return IndexedList(self)

    def __delitem__(self, index: Any) -> None:
        super().__delitem__(index)
        self._count = Counter(id(item) for item in self)

    def __setitem__(self, index: Any, value: Any) -> None:
        super().__setitem__(index, value)
        self._count = Counter(id(item) for item in self)

    def __iadd__(self, items: Any) -> IndexedList:
        self.extend(items)
        return self


def _page_references(self: Any) -> tuple[bytes, ...]:
    """pydyf's list of page references, kept until a page is added."""
    kids = self.pages["Kids"]
    cached = self.__dict__.get("_page_references")
    if cached is None or cached[0] != len(kids):
        references = tuple(f"{number} 0 R".encode("ascii") for number in kids[::3])
        cached = (len(kids), references)
        self.__dict__["_page_references"] = cached
    return cached[1]


def style_page_type(page_type: Any, html: Any, style_for: Any) -> None:
    """Style a page and its margin boxes, as WeasyPrint does, reaching the margin boxes'
    cascaded styles by key instead of by a pass over every element's."""
    style_for.add_page_declarations(page_type)
    root = html.etree_element
    style_for.set_computed_styles(page_type, root=root, parent=root, base_url=html.base_url)
    cascaded = style_for.get_cascaded_styles()
    for pseudo_type in _page_pseudo_types(style_for):
        if (page_type, pseudo_type) in cascaded:
            style_for.set_computed_styles(
                page_type,
                pseudo_type=pseudo_type,
                root=root,
                parent=page_type,
                base_url=html.base_url,
            )


def _page_pseudo_types(style_for: Any) -> list[str]:
    """The margin boxes and other page parts the page rules style, in stylesheet order."""
    found = style_for.__dict__.get("_page_pseudo_types")
    if found is None:
        names = (
            selector[1]
            for sheet, _origin, _specificity in style_for._sheets
            for _rule, selectors, _declarations in sheet.page_rules
            for selector in selectors
        )
        found = list(dict.fromkeys(name for name in names if name))
        style_for.__dict__["_page_pseudo_types"] = found
    return found


def _skip_pages_without_fixed_boxes(lay_out_fixed: Any) -> Any:
    """WeasyPrint's ``layout_fixed_boxes``, returning at once when no page has any."""
    has_fixed = operator.attrgetter("fixed_boxes")

    def layout_fixed_boxes(context: Any, pages: Any, containing_page: Any) -> Any:
        if not any(map(has_fixed, pages)):
            return iter(())
        return lay_out_fixed(context, pages, containing_page)

    return layout_fixed_boxes


# -- the laid-out boxes ----------------------------------------------------------------


def page_boxes(rendered: Any) -> list[Any]:
    """The root box of each laid-out page, in order."""
    return [page._page_box for page in rendered.pages]


def _boxes() -> ModuleType:
    from weasyprint.formatting_structure import boxes

    return boxes


def is_line(box: Any) -> bool:
    return isinstance(box, _boxes().LineBox)


def is_block(box: Any) -> bool:
    return isinstance(box, _boxes().BlockBox)


def is_block_level(box: Any) -> bool:
    return isinstance(box, _boxes().BlockLevelBox)


def is_text(box: Any) -> bool:
    return isinstance(box, _boxes().TextBox)


def is_margin_box(box: Any) -> bool:
    """A running head's or folio's box, set in the page's margin."""
    return isinstance(box, _boxes().MarginBox)


def text_area(page_box: Any) -> tuple[float, float, float, float]:
    """The page area inside the margins (x0, y0, x1, y1), where the text and notes go."""
    x0, y0 = page_box.content_box_x(), page_box.content_box_y()
    return x0, y0, x0 + page_box.width, y0 + page_box.height


def extent(box: Any) -> tuple[float, float, float, float]:
    """Where a laid-out box stands on its page (x0, y0, x1, y1)."""
    return box.position_x, box.position_y, box.position_x + box.width, box.position_y + box.height


def is_replaced(box: Any) -> bool:
    return isinstance(box, _boxes().ReplacedBox)


def element_of(box: Any) -> Any:
    """The HTML element a box was made for, or None."""
    return getattr(box, "element", None)


def tag_of(box: Any) -> str:
    """The box's element tag, with ``::pseudo`` for generated boxes (``li::marker``)."""
    return getattr(box, "element_tag", None) or ""


def children_of(box: Any) -> Any:
    """The box's children (a sequence; empty for a text box)."""
    return getattr(box, "children", ())


def text_of(box: Any) -> str:
    """The text a text box sets."""
    return box.text


def descendants(box: Any) -> Iterator[Any]:
    """The box and every box under it, in document order."""
    return box.descendants()


# -- process-wide tweaks ---------------------------------------------------------------


TWEAKS = ("gc-thresholds", "frozen-heap", "quick-exit")


def tweak_applies(name: str) -> bool:
    """A speed tweak runs on the Python versions it was measured on, unless switched off:
    ``PIPELINE_ENGINE_TWEAKS`` is ``all`` (the default), ``none``, or the names to keep,
    separated by commas."""
    chosen = os.environ.get("PIPELINE_ENGINE_TWEAKS", "all").strip()
    if chosen != "all" and name not in {part.strip() for part in chosen.split(",")}:
        return False
    return sys.version_info[:2] in MEASURED_ON


_gc_lock = threading.Lock()
_gc_users = 0
_gc_restore: tuple[tuple[int, int, int], Callable[[str, dict], None]] | None = None


@contextmanager
def fewer_full_collections(growth: float = GROWTH) -> Iterator[None]:
    """Run full garbage collections only once allocated memory has grown ``growth`` times.

    Laying out pages builds a large, long-lived graph of boxes and styles, and Python starts
    a full collection whenever the long-lived objects grow by a quarter: on a 1,000-page
    book a fifth of the layout went to some twenty of them. The young generations are
    still collected, memory stays within ``growth`` times what is alive, and the old
    thresholds come back when the last thread leaves.
    """
    if not tweak_applies("gc-thresholds"):
        yield
        return
    _enter(growth)
    try:
        yield
    finally:
        _leave()


def _enter(growth: float) -> None:
    global _gc_users, _gc_restore
    with _gc_lock:
        _gc_users += 1
        if _gc_users == 1:
            thresholds = gc.get_threshold()
            watch = _watcher(thresholds[0], thresholds[1], growth)
            _gc_restore = (thresholds, watch)
            gc.set_threshold(thresholds[0], thresholds[1], NEVER)
            gc.callbacks.append(watch)


def _leave() -> None:
    global _gc_users, _gc_restore
    with _gc_lock:
        _gc_users -= 1
        if _gc_users == 0 and _gc_restore is not None:
            thresholds, watch = _gc_restore
            gc.callbacks.remove(watch)
            gc.set_threshold(*thresholds)
            _gc_restore = None


def _watcher(young: int, middle: int, growth: float) -> Callable[[str, dict], None]:
    """A gc callback that lets the next full collection through once memory has grown."""
    baseline = [sys.getallocatedblocks()]

    def watch(phase: str, info: dict) -> None:
        if phase != "stop":
            return
        if info["generation"] == 2:
            baseline[0] = sys.getallocatedblocks()
            gc.set_threshold(young, middle, NEVER)
        elif info["generation"] == 1 and sys.getallocatedblocks() > growth * baseline[0]:
            gc.set_threshold(young, middle, 1)

    return watch


def freeze_heap_at_exit() -> None:
    """Skip the collector's last walks over every object a build made; the system reclaims
    the memory anyway. After a pamphlet's PDF that walk is a tenth of the run."""
    if tweak_applies("frozen-heap"):
        gc.freeze()


_stack_lock = threading.Lock()


def run_deep(function: Callable[[], T]) -> T:
    """Call ``function`` on a thread with a large stack and recursion limit, so that a text
    nested hundreds of levels deep lays out instead of crashing; return its result or
    raise its exception here.

    The call is bounded by the time limit (``pipeline.limits``): past it, ``OutOfTime`` is
    raised inside the thread, where the step may turn it into its own sentence (the layout
    does), and a PipelineError here otherwise."""
    from pipeline import limits

    outcome: dict[str, Any] = {}

    ending = threading.Lock()

    def target() -> None:
        try:
            try:
                outcome["value"] = function()
            except BaseException as exc:  # re-raised in the calling thread
                outcome["error"] = exc
            with ending:
                outcome["done"] = True
        except limits.OutOfTime:  # an interruption that came as the step ended
            outcome.setdefault("error", limits.OutOfTime())

    with _stack_lock:
        previous_stack = threading.stack_size(STACK_BYTES)
        previous_limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(previous_limit, RECURSION_LIMIT))
        try:
            thread = threading.Thread(target=target, name="deep-layout")
            thread.start()
        finally:
            threading.stack_size(previous_stack)
    seconds = limits.current().seconds
    thread.join(seconds)
    while thread.is_alive():
        with ending:
            if not outcome.get("done"):
                _raise_in(thread, limits.OutOfTime)
        thread.join(INTERRUPT_EVERY_S)
    sys.setrecursionlimit(previous_limit)
    error = outcome.get("error")
    if "value" in outcome:
        return outcome["value"]
    if isinstance(error, limits.OutOfTime):
        subject = limits.current().subject
        raise limits.gave_up("a step of the build", subject) from None
    raise error


INTERRUPT_EVERY_S = 1.0
"""How often a step past its time limit is interrupted again, should it have caught the
first interruption (a ``finally`` that runs long, a bare ``except``)."""


def _raise_in(thread: threading.Thread, error: type[BaseException]) -> None:
    """Raise ``error`` in ``thread`` at its next Python instruction."""
    ident = thread.ident
    if ident is not None:
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident), ctypes.py_object(error))
