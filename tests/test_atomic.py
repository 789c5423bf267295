"""A build that is stopped half-way leaves the last good editions in place."""

import hashlib
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.scale import scaled_manuscript
from pipeline.build import build
from tests.conftest import SEED

PIPELINE = str(Path(sys.executable).parent / "pipeline")


def digests(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir() if p.is_file()
    }


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGKILL], ids=["term", "kill"])
def test_interrupted_build_keeps_the_previous_editions(stop, tmp_path):
    manuscript = scaled_manuscript(SEED, tmp_path / "m", 4)
    out = tmp_path / "out"
    build(manuscript, ["pdf", "epub", "html"], out)
    before = digests(out)

    text = manuscript / "text.md"
    text.write_text(text.read_text() + "\nA new closing paragraph.\n")
    shutil.rmtree(out / ".cache")
    process = subprocess.Popen([PIPELINE, "build", str(manuscript), "-o", str(out), "-q"])
    time.sleep(1.0)
    assert process.poll() is None, "the build finished before it could be interrupted"
    process.send_signal(stop)
    process.wait(timeout=30)

    assert process.returncode != 0
    assert digests(out) == before
    if stop == signal.SIGTERM:
        assert not list(out.glob(".*.part"))
