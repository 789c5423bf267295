"""`pipeline new`: a manuscript that builds and checks cleanly, with or without make."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.files import STYLES_DIR
from pipeline.metadata import fields, load_metadata, sections
from pipeline.scaffold import sample_index, samples_dir, scaffold_dir

KEY_LINE = re.compile(r"^(?P<indent> *)(?:# )?(?P<key>[a-z-]+):(?P<rest>.*)$")


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def key_lines(text: str) -> list[tuple[str | None, str, str]]:
    """(section or None, key, the rest of the line) for each key, commented out or not."""
    found = []
    section = None
    for line in text.splitlines():
        match = KEY_LINE.match(line)
        if not match:
            continue
        key = match.group("key")
        if match.group("indent"):
            found.append((section, key, match.group("rest")))
        else:
            section = key if key in sections() else None
            found.append((None, key, match.group("rest")))
    return found


def test_template_declares_every_key_with_an_explanation():
    """Keeps the scaffold's metadata.yaml in step with pipeline/metadata.py."""
    template = scaffold_dir().joinpath("metadata.yaml").read_text(encoding="utf-8")
    lines = key_lines(template)
    declared = {(None, key) for key in fields()} | {
        (section, key) for section, keys in sections().items() for key in keys
    }
    listed = [(section, key) for section, key, _ in lines]
    assert set(listed) == declared
    assert len(listed) == len(declared), "a key is listed twice"
    unexplained = [key for _, key, rest in lines if " # " not in f" {rest}"]
    assert unexplained == []


def uncommented(text: str) -> str:
    return re.sub(r"^( *)# (?=[a-z-]+:)", r"\1", text, flags=re.MULTILINE)


def test_new_writes_valid_metadata_and_every_example_is_valid(tmp_path):
    folder = tmp_path / "first"
    result = run(
        "new", str(folder), "--title", "1922–3: A “quoted” title", "--author", "Ada Writer"
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in folder.iterdir()) == [
        ".gitignore",
        "Makefile",
        "metadata.yaml",
        "references.bib",
        "text.md",
    ]
    metadata = load_metadata(folder / "metadata.yaml")
    assert metadata.title == "1922–3: A “quoted” title"
    assert metadata.authors == ["Ada Writer"]
    assert metadata.lang == "en"
    assert metadata.slug == "1922-3-a-quoted-title"
    assert set(metadata.values) == {
        "title",
        "author",
        "lang",
        "date",
        "slug",
        "print",
        "epub",
        "html",
    }

    everything = tmp_path / "everything.yaml"
    everything.write_text(uncommented((folder / "metadata.yaml").read_text()))
    values = load_metadata(everything).values
    assert set(values) == set(fields())
    assert {key: set(values[key]) for key in sections()} == {
        key: set(keys) for key, keys in sections().items()
    }
    assert yaml.safe_load(everything.read_text())["rights"].endswith("Ada Writer")


def test_new_takes_the_title_from_the_folder_and_the_language_given(tmp_path):
    folder = tmp_path / "my-first_pamphlet"
    assert run("new", str(folder), "--lang", "en-CA").exit_code == 0
    metadata = load_metadata(folder / "metadata.yaml")
    assert (metadata.title, metadata.lang, metadata.slug) == (
        "My first pamphlet",
        "en-CA",
        "my-first-pamphlet",
    )


def test_new_refuses_a_folder_that_holds_files(tmp_path):
    folder = tmp_path / "taken"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    result = run("new", str(folder))
    assert result.exit_code == 2
    assert result.output.strip() == (
        f"error: {folder}: is not empty; pipeline new writes only into a new or empty folder"
    )
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]


def test_new_refuses_a_bad_language_tag(tmp_path):
    result = run("new", str(tmp_path / "x"), "--lang", "English")
    assert result.exit_code == 2 and "--lang must be a language tag" in result.output
    assert not (tmp_path / "x").exists()


def test_new_manuscript_builds_and_checks_without_a_finding(tmp_path):
    folder = tmp_path / "pamphlet"
    assert run("new", str(folder), "--author", "Ada Writer").exit_code == 0
    out = folder / "build"
    built = run("build", str(folder), "--output-dir", str(out))
    assert built.exit_code == 0, built.output
    assert "warning" not in built.output
    checked = run("check", str(folder), "--build-dir", str(out))
    assert checked.exit_code == 0, checked.output
    assert re.search(
        r"checks on manuscript, pdf, booklet, cover, epub, html: 0 errors, 0 warnings",
        checked.output,
    )


def make(folder: Path, *args: str) -> subprocess.CompletedProcess:
    """make with nothing but the installed pipeline and the system's tools on PATH."""
    path = os.pathsep.join([str(Path(sys.executable).parent), "/usr/bin", "/bin"])
    return subprocess.run(
        ["make", "--no-print-directory", "-C", str(folder), *args],
        env={"PATH": path, "HOME": os.environ.get("HOME", "/tmp")},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_make_builds_the_new_manuscript_then_only_what_changed(tmp_path):
    folder = tmp_path / "with-make"
    assert run("new", str(folder), "--title", "With make").exit_code == 0
    first = make(folder)
    assert first.returncode == 0, first.stderr
    assert sorted(p.name for p in (folder / "build").glob("with-make*")) == [
        "with-make-booklet.pdf",
        "with-make-cover.pdf",
        "with-make.epub",
        "with-make.html",
        "with-make.pdf",
    ]
    assert make(folder, "-q").returncode == 0, "make wants to rebuild what is up to date"

    own_styles = folder / "styles"
    own_styles.mkdir()
    marker = "--with-make-marker: 1;"
    (own_styles / "screen.css").write_text(
        (STYLES_DIR / "screen.css").read_text() + f"\n:root {{ {marker} }}\n"
    )
    assert make(folder, "-q", "html").returncode == 1, "make misses a changed style"
    html = make(folder, "html")
    assert html.returncode == 0, html.stderr
    assert "--format html" in html.stdout and "--format pdf" not in html.stdout
    assert marker in (folder / "build" / "with-make.html").read_text()

    (folder / "references.bib").touch()
    assert make(folder, "-q", "html").returncode == 1, "make misses a changed manuscript file"
    planned = make(folder, "-n", "pdf", "epub").stdout
    assert "pipeline build . --output-dir build --format pdf --format epub" in planned


SAMPLED = sorted(tag for tag, entry in sample_index().items() if isinstance(entry, dict))
ENGLISH_SAMPLE = scaffold_dir().joinpath("text.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("lang", "title"),
    [
        pytest.param("ar", "الإعلان العالمي لحقوق الإنسان", id="ar"),
        pytest.param("zh", "世界人权宣言", id="zh"),
        pytest.param("hi", "मानव अधिकारों की सार्वभौम घोषणा", id="hi"),
        pytest.param("ru", "Всеобщая декларация прав человека", id="ru"),
    ],
)
def test_new_in_a_language_writes_its_sample_which_builds_and_checks_clean(tmp_path, lang, title):
    folder = tmp_path / "pamphlet"
    created = run("new", str(folder), "--lang", lang)
    assert created.exit_code == 0, created.output
    assert f"text.md is a sample in {lang}" in created.output
    metadata = load_metadata(folder / "metadata.yaml")
    assert (metadata.lang, metadata.title, metadata.slug) == (lang, title, "pamphlet")
    text = (folder / "text.md").read_text(encoding="utf-8")
    assert text != ENGLISH_SAMPLE and "[@udhr]" in text and "[^preamble]:" in text
    assert title in (folder / "references.bib").read_text(encoding="utf-8")

    out = folder / "build"
    built = run("build", str(folder), "--output-dir", str(out))
    assert built.exit_code == 0, built.output
    assert "warning" not in built.output, built.output
    checked = run("check", str(folder), "--build-dir", str(out))
    assert checked.exit_code == 0, checked.output
    assert re.search(
        r"checks on manuscript, pdf, booklet, cover, epub, html: 0 errors, 0 warnings",
        checked.output,
    ), checked.output


def test_new_finds_the_sample_of_a_tag_with_a_region_or_script(tmp_path):
    for lang, folder_name in [("ar-EG", "ar"), ("zh-Hant-TW", "zh-Hant"), ("zh-TW", "zh-Hant")]:
        folder = tmp_path / lang
        assert run("new", str(folder), "--lang", lang, "--title", "T").exit_code == 0
        sample = samples_dir().joinpath(folder_name, "text.md").read_text(encoding="utf-8")
        assert (folder / "text.md").read_text(encoding="utf-8") == sample
        assert load_metadata(folder / "metadata.yaml").title == "T"


def test_new_in_a_language_without_a_sample_writes_the_english_one_and_says_so(tmp_path):
    folder = tmp_path / "welsh"
    result = run("new", str(folder), "--lang", "cy")
    assert result.exit_code == 0, result.output
    assert "There is no sample text in cy: text.md is the English sample." in result.output
    assert (folder / "text.md").read_text(encoding="utf-8") == ENGLISH_SAMPLE
    assert load_metadata(folder / "metadata.yaml").lang == "cy"
    english = run("new", str(tmp_path / "english"), "--lang", "en-GB")
    assert "sample" not in english.output


@pytest.mark.parametrize("tag", SAMPLED)
def test_every_sample_is_in_nfc_with_one_note_one_citation_and_its_title(tag):
    entry = sample_index()[tag]
    folder = samples_dir().joinpath(entry["folder"])
    text = folder.joinpath("text.md").read_text(encoding="utf-8")
    bib = folder.joinpath("references.bib").read_text(encoding="utf-8")
    assert unicodedata.normalize("NFC", text) == text
    assert text.count("[@udhr]") == 1 and text.count("[^preamble]") == 2
    assert f"title = {{{entry['title']}}}" in bib


def test_the_help_of_new_names_every_language_with_a_sample():
    help_text = " ".join(run("new", "--help").output.split())
    listed = re.search(r"a sample of its own \(([^)]*)\)", help_text)
    assert listed, help_text
    assert sorted(tag.strip().lower() for tag in listed.group(1).split(",")) == SAMPLED
