"""Reading built EPUBs back in tests, and running the real validators on them."""

from __future__ import annotations

import json
import os
import posixpath
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import lxml.etree

from pipeline.checks.extract import NS, opf_path
from pipeline.checks.validators.client import epubcheck_report
from tests.conftest import ROOT

OPF = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}
NCX = {"ncx": "http://www.daisy.org/z3986/2005/ncx/"}
ACE = ROOT / "node_modules" / ".bin" / "ace-cli"
PROBLEMS = ("FATAL", "ERROR", "WARNING")


@dataclass
class Epub:
    """A built EPUB opened for reading: package document, navigation, spine documents."""

    path: Path

    @cached_property
    def archive(self) -> dict[str, bytes]:
        with zipfile.ZipFile(self.path) as archive:
            return {name: archive.read(name) for name in archive.namelist()}

    @cached_property
    def opf_name(self) -> str:
        with zipfile.ZipFile(self.path) as archive:
            return opf_path(archive)

    @property
    def base(self) -> str:
        return posixpath.dirname(self.opf_name)

    def xml(self, package_href: str):
        return lxml.etree.fromstring(self.archive[posixpath.join(self.base, package_href)])

    @cached_property
    def opf(self):
        return lxml.etree.fromstring(self.archive[self.opf_name])

    def manifest(self, **where: str) -> list[lxml.etree._Element]:
        items = self.opf.xpath("//opf:manifest/opf:item", namespaces=OPF)
        for key, value in where.items():
            items = [i for i in items if value in (i.get(key) or "").split()]
        return items

    @cached_property
    def nav_href(self) -> str:
        return self.manifest(properties="nav")[0].get("href")

    @cached_property
    def nav(self):
        return self.xml(self.nav_href)

    @cached_property
    def spine(self) -> list[str]:
        hrefs = {i.get("id"): i.get("href") for i in self.manifest()}
        idrefs = self.opf.xpath("//opf:spine/opf:itemref/@idref", namespaces=OPF)
        return [hrefs[idref] for idref in idrefs]

    @cached_property
    def documents(self) -> dict[str, lxml.etree._Element]:
        """Every spine document but the navigation, by package-relative name."""
        return {href: self.xml(href) for href in self.spine if href != self.nav_href}

    def metadata(self, name: str) -> list[str]:
        """Values of a Dublin Core element (``dc:title``) or of a meta property."""
        if name.startswith("dc:"):
            path = f"//opf:metadata/{name}"
        else:
            path = f"//opf:metadata/opf:meta[@property='{name}']"
        return [e.text or "" for e in self.opf.xpath(path, namespaces=OPF)]

    def nav_list(self, epub_type: str) -> list[tuple[str, str]]:
        """(label, package-relative href) of each link in one of the navigation's lists."""
        links = self.nav.xpath(f"//x:nav[@epub:type='{epub_type}']//x:a", namespaces=NS)
        return [(text_of(a), self.resolve(self.nav_href, a.get("href"))) for a in links]

    def resolve(self, from_href: str, href: str) -> str:
        path, _, fragment = href.partition("#")
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(from_href), path))
        return f"{joined}#{fragment}" if fragment else joined

    def target(self, href: str):
        """The element a package-relative href points at (the root for a whole file)."""
        name, _, fragment = href.partition("#")
        root = self.documents[name] if name in self.documents else self.xml(name)
        if not fragment:
            return root
        found = root.xpath(f"//*[@id='{fragment}']")
        assert len(found) == 1, f"{href}: {len(found)} elements with that id"
        return found[0]


def text_of(element) -> str:
    return " ".join("".join(element.itertext()).split())


def nav_outline(ol) -> list[tuple[str, list]]:
    """The nested (label, children) tree of a navigation list."""
    tree = []
    for li in ol.xpath("./x:li", namespaces=NS):
        label = text_of(li.xpath("./x:a|./x:span", namespaces=NS)[0])
        children = li.xpath("./x:ol", namespaces=NS)
        tree.append((label, nav_outline(children[0]) if children else []))
    return tree


def epubcheck_reports(epubs: list[Path], out_dir: Path | None = None) -> dict[Path, dict]:
    """EPUBCheck's JSON report for each EPUB, all checked by the session's validator server,
    where EPUBCheck's start-up (JVM, schemas) is paid once. ``out_dir`` is not needed."""
    return {epub: json.loads(epubcheck_report(epub)) for epub in epubs}


def epubcheck_problems(report: dict) -> list[str]:
    """The report's fatal errors, errors and warnings, one line each."""
    return [
        f"{m['severity']} {m['ID']} {m['message']} "
        + " ".join(f"{loc.get('path')}:{loc.get('line')}" for loc in m.get("locations") or [])
        for m in report["messages"]
        if m["severity"] in PROBLEMS
    ]


def ace_report(epub: Path, out_dir: Path) -> dict:
    """Ace by DAISY's report on ``epub``, run in Debian's Chromium."""
    assert ACE.exists(), f"{ACE} is missing: run `make setup` to install Ace by DAISY"
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    env = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": chromium}
    command = [str(ACE), "--silent", "--force", "--outdir", str(out_dir), str(epub)]
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads((out_dir / "report.json").read_text(encoding="utf-8"))


def ace_violations(report: dict) -> list[str]:
    return [
        f"{a['earl:testSubject']['url']}: {b['earl:test']['dct:title']} "
        f"({b['earl:test']['earl:impact']}): {b['earl:result']['dct:description']}"
        for a in report["assertions"]
        for b in a["assertions"]
        if b["earl:result"]["earl:outcome"] == "fail"
    ]
