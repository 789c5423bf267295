"""PDF/X for a print shop: what WeasyPrint's PDF/X variants leave for the pipeline to add.

WeasyPrint 70 writes the PDF/X version keys (``GTS_PDFXVersion`` in the XMP, and for X-1a in
the document information too), ``/Trapped /False``, a TrimBox and a BleedBox on every page
and embedded fonts. It writes no output intent unless a stylesheet names a CMYK profile, and
it dates the file and identifies its XMP with the wall clock and a random UUID. This module
adds, on the bytes WeasyPrint wrote:

- a ``GTS_PDFX`` output intent carrying a CMYK ICC profile (Debian's ``libgs-common``:
  Artifex's SWOP-like CMYK profile, AGPL-3+ like Ghostscript);
- ``GTS_PDFXVersion`` in the document information for X-4 as well;
- the BleedBox 3 mm outside the TrimBox with ``print.bleed``, else equal to it (WeasyPrint
  puts it wherever the crop marks' area ends);
- for X-4, ``/DefaultRGB`` (an sRGB ICC profile) on every page, so that RGB an image brings
  is colour-managed rather than device RGB;
- an XMP document id derived from the content, and a file id from the content, so that
  rebuilds with SOURCE_DATE_EPOCH give the same bytes.

The text and the note rule are set in pure black ink (``print-pdfx.css``). X-1a allows only
CMYK and grey and no transparency: the pipeline does not convert RGB images; the
``pdf.pdfx-colour`` rule reports them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from pathlib import Path

PROFILE_DIR = Path("/usr/share/color/icc/ghostscript")
CMYK_PROFILE = PROFILE_DIR / "default_cmyk.icc"
CMYK_PROFILE_NAME = "Artifex CMYK SWOP Profile"
RGB_PROFILE = PROFILE_DIR / "srgb.icc"
VERSIONS = {"pdf/x-4": "PDF/X-4", "pdf/x-1a": "PDF/X-1a:2003"}
"""The variants ``print.pdf-variant`` may name and the version each file declares."""
STYLESHEET = "print-pdfx.css"
BLEED_MM = 3.0
POINTS_PER_MM = 72 / 25.4
DOCUMENT_ID = re.compile(rb"xmp\.did:[0-9a-fA-F-]{36}")


def is_pdfx(variant: str | None) -> bool:
    return (variant or "").lower() in VERSIONS


def missing_profiles() -> list[Path]:
    """The ICC profiles PDF/X needs that are not installed."""
    return [path for path in (CMYK_PROFILE, RGB_PROFILE) if not path.is_file()]


def date(metadata, moment: dt.datetime) -> None:
    """Date WeasyPrint's document metadata by the build clock, so that its PDF/X writer does
    not take the wall clock: modified now, created then unless the manuscript gave a date."""
    stamp = moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    metadata.modified = stamp
    metadata.created = metadata.created or stamp


def finish(data: bytes, variant: str, bleed: bool) -> bytes:
    """The PDF WeasyPrint wrote for ``variant``, completed as the module docstring says."""
    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        _output_intent(pdf, pikepdf)
        pdf.docinfo[pikepdf.Name.GTS_PDFXVersion] = VERSIONS[variant]
        pdf.docinfo[pikepdf.Name.Trapped] = pikepdf.Name("/False")
        margin = BLEED_MM * POINTS_PER_MM if bleed else 0.0
        for page in pdf.pages:
            _bleed_box(page, margin, pikepdf)
        if variant == "pdf/x-4":
            _default_rgb(pdf, pikepdf)
        _stable_document_id(pdf, pikepdf)
        if "/ID" in pdf.trailer:
            del pdf.trailer.ID
        out = io.BytesIO()
        pdf.save(
            out,
            deterministic_id=True,
            object_stream_mode=_object_streams(variant, pikepdf),
            compress_streams=True,
        )
    return out.getvalue()


def _object_streams(variant: str, pikepdf):
    """Object streams (PDF 1.5) keep the many small objects of the tags small; PDF/X-1a is
    PDF 1.4 and may not have them."""
    modes = pikepdf.ObjectStreamMode
    return modes.disable if variant == "pdf/x-1a" else modes.generate


def _output_intent(pdf, pikepdf) -> None:
    profile = pikepdf.Stream(pdf, CMYK_PROFILE.read_bytes())
    profile[pikepdf.Name.N] = 4
    intent = pikepdf.Dictionary(
        Type=pikepdf.Name.OutputIntent,
        S=pikepdf.Name.GTS_PDFX,
        OutputConditionIdentifier="Custom",
        OutputCondition=CMYK_PROFILE_NAME,
        Info=CMYK_PROFILE_NAME,
        DestOutputProfile=profile,
    )
    pdf.Root.OutputIntents = pikepdf.Array([pdf.make_indirect(intent)])


def _bleed_box(page, margin: float, pikepdf) -> None:
    """BleedBox = TrimBox grown by ``margin`` on every side, within the MediaBox."""
    media = [float(v) for v in page.obj.MediaBox]
    trim = [float(v) for v in page.obj.get("/TrimBox", page.obj.MediaBox)]
    box = [
        max(media[0], trim[0] - margin),
        max(media[1], trim[1] - margin),
        min(media[2], trim[2] + margin),
        min(media[3], trim[3] + margin),
    ]
    page.obj.TrimBox = pikepdf.Array(trim)
    page.obj.BleedBox = pikepdf.Array(box)


def _default_rgb(pdf, pikepdf) -> None:
    """Give the resources of every page and of every form drawn on it a /DefaultRGB colour
    space (sRGB): a form looks colour spaces up in its own resources."""
    profile = pikepdf.Stream(pdf, RGB_PROFILE.read_bytes())
    profile[pikepdf.Name.N] = 3
    space = pdf.make_indirect(pikepdf.Array([pikepdf.Name.ICCBased, profile]))
    done: set[tuple[int, int]] = set()
    for page in pdf.pages:
        _give_default_rgb(page.obj, space, done, pikepdf)


def _give_default_rgb(owner, space, done: set[tuple[int, int]], pikepdf) -> None:
    if "/Resources" not in owner:
        owner.Resources = pikepdf.Dictionary()
    resources = owner.Resources
    if resources.is_indirect:
        if resources.objgen in done:
            return
        done.add(resources.objgen)
    if "/ColorSpace" not in resources:
        resources.ColorSpace = pikepdf.Dictionary()
    resources.ColorSpace.DefaultRGB = space
    for thing in (resources.get("/XObject") or {}).values():
        if thing.get("/Subtype") == "/Form":
            _give_default_rgb(thing, space, done, pikepdf)


def _stable_document_id(pdf, pikepdf) -> None:
    """Replace the random ``xmp.did:`` UUID of WeasyPrint's X-4 XMP by one made from the
    pages' content."""
    metadata = pdf.Root.get("/Metadata")
    if metadata is None:
        return
    digest = hashlib.sha256()
    for page in pdf.pages:
        contents = page.obj.Contents
        for stream in contents if isinstance(contents, pikepdf.Array) else [contents]:
            digest.update(stream.read_bytes())
    digest.update(repr(sorted((str(k), str(v)) for k, v in pdf.docinfo.items())).encode())
    text = digest.hexdigest()
    uuid = f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:32]}"
    xmp = metadata.read_bytes()
    metadata.write(DOCUMENT_ID.sub(f"xmp.did:{uuid}".encode(), xmp))
