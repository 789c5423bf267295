"""The engine: pinned libraries, patch targets that still exist, a quick import, and
patches that change speed, never pages."""

import hashlib
import inspect
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from pipeline.layout import engine
from pipeline.layout.engine import IndexedList
from tests.conftest import ROOT

ORIGINAL_SOURCES = {
    ("weasyprint.layout", "LayoutContext.__init__"): "f687f507fee8883e",
    ("weasyprint.layout", "layout_fixed_boxes"): "5c62b9c0838af971",
    ("weasyprint.layout.page", "set_page_type_computed_styles"): "4e68b396b35c4a06",
    ("pydyf", "PDF.page_references"): "060bf90aad55931b",
    ("weasyprint.draw.text", "draw_first_line"): "1bb8eae6d88e71b1",
    ("weasyprint.pdf.fonts", "Font._harfbuzz_subset"): "f80805663ede8080",
}
"""A hash of the source of each function the engine replaces or wraps, as the pinned
release has it: ``style_page_type`` follows ``set_page_type_computed_styles`` line by line,
so any change to the original must be looked at before the pin moves."""

WRITE_PDF = """
import sys
from pathlib import Path
from pipeline.document import parse
from pipeline.layout.stage import lay_out
from pipeline.manuscript import load_manuscript
document = parse(load_manuscript(Path(sys.argv[1])))
Path(sys.argv[2]).write_bytes(lay_out(document).pdf)
"""

COUNT_PROCESSES = """
import subprocess, sys
started = []
original = subprocess.Popen.__init__
def counting(self, *args, **kwargs):
    started.append(args[0] if args else kwargs.get("args"))
    original(self, *args, **kwargs)
subprocess.Popen.__init__ = counting
{importer}
import weasyprint
pdf = weasyprint.HTML(string="<p>Hello</p>").write_pdf()
print(len(started), pdf[:5].decode())
"""


def test_the_pins_in_pyproject_are_the_engines():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    dependencies = project["project"]["dependencies"]
    for package, version in engine.PINNED.items():
        assert f"{package}=={version}" in dependencies


def test_the_installed_libraries_are_the_pinned_ones_with_every_patch_target():
    engine.check_engine()
    assert engine.missing_targets() == []


def test_a_missing_patch_target_is_named(monkeypatch):
    targets = (*engine.PATCH_TARGETS, ("weasyprint.layout", "no_such_function"))
    monkeypatch.setattr(engine, "PATCH_TARGETS", targets)
    assert engine.missing_targets() == ["weasyprint.layout.no_such_function"]
    with pytest.raises(engine.EngineMismatch, match="no_such_function"):
        engine.check_engine()


@pytest.mark.parametrize(("place", "digest"), ORIGINAL_SOURCES.items())
def test_the_replaced_functions_are_as_the_engine_knows_them(place, digest):
    module_name, path = place
    engine.import_weasyprint()
    source = inspect.getsource(engine.ORIGINALS[f"{module_name}.{path}"])
    assert hashlib.sha256(source.encode()).hexdigest()[:16] == digest


def test_indexed_list_behaves_as_a_list():
    a, b, c = object(), object(), object()
    items = IndexedList([a])
    items.append(b)
    assert a in items and b in items and c not in items
    items.remove(a)
    assert a not in items and list(items) == [b]
    copy = items.copy()
    copy.insert(0, c)
    assert c in copy and c not in items
    assert copy.pop(0) is c and c not in copy


@pytest.fixture(scope="module")
def long_manuscript(tmp_path_factory):
    sys.path.insert(0, str(ROOT))
    from bench.scale import scaled_manuscript

    return scaled_manuscript(ROOT / "manuscript", tmp_path_factory.mktemp("long") / "m", 4)


@pytest.mark.parametrize("name", ["long-note", "illustrated", "seed", "seed-4x"])
def test_pages_are_the_same_with_and_without_the_patches(name, long_manuscript, tmp_path):
    manuscripts = {
        "long-note": ROOT / "tests" / "fixtures" / "long-note",
        "illustrated": ROOT / "tests" / "fixtures" / "illustrated",
        "seed": ROOT / "manuscript",
        "seed-4x": long_manuscript,
    }
    outputs = {}
    for mode in ("plain", "patched"):
        env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}
        env["PIPELINE_PLAIN_WEASYPRINT"] = "1" if mode == "plain" else "0"
        target = tmp_path / f"{mode}.pdf"
        command = [sys.executable, "-c", WRITE_PDF, str(manuscripts[name]), str(target)]
        subprocess.run(command, check=True, env=env, cwd=ROOT, timeout=600)
        outputs[mode] = target.read_bytes()
    assert outputs["plain"] == outputs["patched"]


def processes_started(importer: str) -> tuple[int, str]:
    script = COUNT_PROCESSES.format(importer=importer)
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    count, header = result.stdout.split()
    return int(count), header


def test_the_pipeline_imports_weasyprint_without_starting_processes():
    count, header = processes_started(
        "from pipeline.layout.engine import import_weasyprint; import_weasyprint()"
    )
    assert (count, header) == (0, "%PDF-")


def test_a_plain_import_would_start_them():
    """What the pipeline's import avoids, so that the test above means something."""
    count, header = processes_started("")
    assert count > 0 and header == "%PDF-"


def test_speed_tweaks_apply_only_where_measured_and_asked(monkeypatch):
    measured = sys.version_info[:2] in engine.MEASURED_ON
    monkeypatch.setenv("PIPELINE_ENGINE_TWEAKS", "all")
    assert [engine.tweak_applies(t) for t in engine.TWEAKS] == [measured] * len(engine.TWEAKS)
    monkeypatch.setenv("PIPELINE_ENGINE_TWEAKS", "frozen-heap")
    assert [engine.tweak_applies(t) for t in engine.TWEAKS] == [
        t == "frozen-heap" and measured for t in engine.TWEAKS
    ]
    monkeypatch.setenv("PIPELINE_ENGINE_TWEAKS", "none")
    assert not any(engine.tweak_applies(t) for t in engine.TWEAKS)


def test_every_c_type_weasyprint_names_is_parsed_ahead():
    """A WeasyPrint that asks cffi for another type by name fails here, not silently in
    the layout's time; the only names made up as it runs are arrays of glyph ids sized by
    the list they are made from, which ``ArraysByItems`` makes unsized."""
    import re

    import weasyprint

    named, made_up = set(), set()
    for source in Path(weasyprint.__file__).parent.rglob("*.py"):
        text = source.read_text(encoding="utf-8")
        named.update(re.findall(r"ffi\.(?:new|cast|typeof|sizeof)\(\s*['\"]([^'\"]+)['\"]", text))
        made_up.update(re.findall(r"ffi\.(?:new|cast)\(\s*f['\"]([^'\"]*)['\"],([^\n]+)\)", text))
    assert named | {"hb_codepoint_t[]"} == set(engine.FFI_TYPES)
    for cdecl, items in made_up:
        sized = re.fullmatch(r"hb_codepoint_t\[\{len\((\w+)\)\}\]", cdecl)
        assert sized and re.search(rf"\b{sized[1]}\b", items), (cdecl, items)
    assert len(made_up) == 3
    engine.parse_ffi_types()


def test_an_array_given_its_items_is_the_same_array_unsized():
    from weasyprint.text.ffi import ffi

    arrays = engine.ArraysByItems(ffi)
    made = arrays.new("hb_codepoint_t[3]", [7, 8, 9])
    assert list(made) == [7, 8, 9] and len(made) == 3
    assert ffi.typeof(made) is ffi.typeof("hb_codepoint_t[]")
    assert ffi.typeof(arrays.new("hb_tag_t[100]")) is ffi.typeof("hb_tag_t[100]")
    assert arrays.NULL is ffi.NULL
