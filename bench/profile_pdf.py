"""Profile the print edition of the seed scaled up (50× by default) and print where the
time goes: the functions with the most time of their own, and the calls to WeasyPrint's
renderer (one per layout pass)."""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.scale import scaled_manuscript  # noqa: E402
from pipeline.document import parse  # noqa: E402
from pipeline.layout.stage import lay_out  # noqa: E402
from pipeline.manuscript import load_manuscript  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=50)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    import weasyprint  # noqa: F401  (imported before timing, as a warm process would)

    with tempfile.TemporaryDirectory(prefix="profile-") as tmp:
        folder = scaled_manuscript(ROOT / "manuscript", Path(tmp) / "m", args.scale)
        document = parse(load_manuscript(folder))
        profile = cProfile.Profile()
        start = time.perf_counter()
        profile.enable()
        pages = lay_out(document)
        profile.disable()
        seconds = time.perf_counter() - start
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.sort_stats("tottime").print_stats(args.top)
    renders = [
        calls
        for (path, _line, name), (calls, *_rest) in stats.stats.items()
        if name == "_render" and path.endswith("stage.py")
    ]
    page_count = pages.layout.page_count
    print(
        f"{args.scale}× PDF: {seconds:.1f} s, {page_count} pages, {len(document.notes)} notes, "
        f"{sum(renders)} layout passes"
    )
    print(out.getvalue())


if __name__ == "__main__":
    main()
