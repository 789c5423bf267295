"""Proofs for an editor: a contact sheet of the print edition and the check report as a page
with thumbnails of the PDF pages where the checks found problems."""

from __future__ import annotations

import base64
import re
import time
from dataclasses import dataclass
from pathlib import Path
from string import Template

import pymupdf

from pipeline.build import build, output_path
from pipeline.checks.registry import Finding, Severity
from pipeline.checks.run import Report, run_checks
from pipeline.contact_sheet import contact_sheet
from pipeline.files import atomic_write, read_text
from pipeline.languages import language_of
from pipeline.manuscript import Manuscript, load_manuscript
from pipeline.markup import escape

SHEET_SUFFIX = "-proof.png"
REPORT_SUFFIX = "-report.html"
REPORT_TEMPLATE = "templates/report.html"
REPORT_STYLESHEET = "report.css"
THUMBNAIL_DPI = 40
PAGE_PLACE = re.compile(r"\bpage (\d+)\b")


@dataclass(frozen=True)
class Proof:
    sheet: Path
    report: Path
    page_count: int
    findings: int
    pages_with_problems: tuple[int, ...]
    seconds: float


def proof(
    manuscript_dir: Path, build_dir: Path = Path("build"), styles: Path | None = None
) -> Proof:
    """Write the contact sheet and the illustrated check report, building the PDF first if
    there is none in ``build_dir``."""
    start = time.perf_counter()
    manuscript = load_manuscript(manuscript_dir, styles)
    pdf_path = output_path(build_dir, manuscript.slug, ".pdf")
    if not pdf_path.is_file():
        build(manuscript_dir, ["pdf"], build_dir, styles)
    report = run_checks(manuscript_dir, build_dir, styles=styles)
    sheet = output_path(build_dir, manuscript.slug, SHEET_SUFFIX)
    report_path = output_path(build_dir, manuscript.slug, REPORT_SUFFIX)
    with pymupdf.open(pdf_path) as pdf:
        right_to_left = language_of(manuscript).rtl
        atomic_write(sheet, contact_sheet(pdf, manuscript.metadata.title, right_to_left))
        thumbnails = page_thumbnails(pdf, problem_pages(report.findings))
        page_count = len(pdf)
    atomic_write(report_path, report_page(manuscript, report, thumbnails).encode("utf-8"))
    return Proof(
        sheet,
        report_path,
        page_count,
        len(report.findings),
        tuple(sorted(thumbnails)),
        time.perf_counter() - start,
    )


def finding_page(finding: Finding) -> int | None:
    """The PDF page a finding is about ("page 12"), or None for findings elsewhere."""
    if finding.subject != "pdf":
        return None
    match = PAGE_PLACE.search(finding.place)
    return int(match.group(1)) if match else None


def problem_pages(findings: list[Finding]) -> set[int]:
    return {page for page in map(finding_page, findings) if page is not None}


def page_thumbnails(pdf: pymupdf.Document, pages: set[int]) -> dict[int, str]:
    """Page number → the page as a PNG data: URI, for the pages that exist."""
    thumbnails = {}
    for number in sorted(pages):
        if 1 <= number <= len(pdf):
            png = pdf[number - 1].get_pixmap(dpi=THUMBNAIL_DPI, alpha=False).tobytes("png")
            thumbnails[number] = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    return thumbnails


def report_page(manuscript: Manuscript, report: Report, thumbnails: dict[int, str]) -> str:
    template = Template(read_text(manuscript.style_path(REPORT_TEMPLATE)))
    title = manuscript.metadata.title
    return template.substitute(
        lang=escape(manuscript.metadata.lang),
        title=escape(title),
        css=read_text(manuscript.style_path(REPORT_STYLESHEET)),
        summary=escape(summary(report)),
        findings=findings_list(report.findings, thumbnails),
    )


def summary(report: Report) -> str:
    errors, warnings = len(report.errors), len(report.warnings)
    checked = ", ".join(report.checked)
    counts = f"{_count(errors, 'error')}, {_count(warnings, 'warning')}"
    return f"{report.rules} checks on {checked}: {counts}."


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def findings_list(findings: list[Finding], thumbnails: dict[int, str]) -> str:
    if not findings:
        return '<p class="clean">The checks found nothing to report.</p>'
    ordered = sorted(findings, key=lambda f: (f.severity is not Severity.ERROR, f.subject, f.rule))
    items = "\n".join(_finding_item(finding, thumbnails) for finding in ordered)
    return f'<ol class="findings">\n{items}\n</ol>'


def _finding_item(finding: Finding, thumbnails: dict[int, str]) -> str:
    page = finding_page(finding)
    figure = ""
    if page in thumbnails:
        figure = (
            f'<figure class="page"><img src="{thumbnails[page]}" alt="PDF page {page}">'
            f"<figcaption>page {page}</figcaption></figure>"
        )
    severity = escape(str(finding.severity))
    rule = escape(finding.rule)
    return (
        f'<li class="finding {severity}">{figure}'
        f'<p class="rule"><span class="severity">{severity}</span> <code>{rule}</code></p>'
        f'<p class="where">{escape(finding.subject)} · {escape(finding.place)}</p>'
        f'<p class="message">{escape(finding.message)}</p></li>'
    )
