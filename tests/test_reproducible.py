"""With SOURCE_DATE_EPOCH set, two builds give the same bytes in every edition."""

import hashlib
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import ROOT, SMALL

PIPELINE = str(Path(sys.executable).parent / "pipeline")


def digests(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.glob("small-pamphlet*")
    }


def test_two_builds_are_byte_identical(tmp_path):
    """The first in worker processes, the second in one process."""
    env = {"SOURCE_DATE_EPOCH": "1700000000", "PATH": "/usr/bin:/bin"}
    runs = []
    for name, jobs in (("first", "2"), ("second", "1")):
        out = tmp_path / name
        subprocess.run(
            [PIPELINE, "build", str(SMALL), "-o", str(out), "-q", "-j", jobs],
            check=True,
            env=env,
            cwd=ROOT,
        )
        runs.append(digests(out))
        time.sleep(1.1)
    assert len(runs[0]) == 5
    assert runs[0] == runs[1]
