"""The linear bookkeeping changes speed, never pages: the PDF is byte for byte the same."""

import os
import subprocess
import sys

from pipeline.editions.linear_layout import IndexedList
from tests.conftest import ROOT

WRITE_PDF = """
import sys
from pathlib import Path
import pipeline.editions.pdf as pdf
from pipeline.document import parse
from pipeline.editions import BuildContext
from pipeline.manuscript import load_manuscript
if sys.argv[2] == "plain":
    pdf.make_layout_linear = lambda: None
document = parse(load_manuscript(Path(sys.argv[1])))
pdf.write(document, Path(sys.argv[3]), BuildContext())
"""


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


def test_pdf_is_the_same_with_and_without(tmp_path):
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}
    outputs = {}
    for mode in ("plain", "linear"):
        target = tmp_path / f"{mode}.pdf"
        manuscript = str(ROOT / "tests" / "fixtures" / "long-note")
        command = [sys.executable, "-c", WRITE_PDF, manuscript, mode, str(target)]
        subprocess.run(command, check=True, env=env, cwd=ROOT, timeout=300)
        outputs[mode] = target.read_bytes()
    assert outputs["plain"] == outputs["linear"]
