"""Benchmark the pipeline against the bare tools on the seed at 1×, 10× and 50× its length.

Every figure in a row comes from the same run on the same machine, so the ratios hold even
on a noisy shared machine where the seconds do not. Prints a table and writes
bench/results.md.
"""

from __future__ import annotations

import argparse
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.scale import scaled_manuscript  # noqa: E402
from pipeline.document import pandoc_path  # noqa: E402
from pipeline.layout.engine import TWEAKS  # noqa: E402

VENV_BIN = Path(sys.executable).parent
PIPELINE = str(VENV_BIN / "pipeline")
EDITION_LINE = re.compile(r"^(\w+)\s+\S+\s+.*?([\d.]+) s$", re.MULTILINE)


def timed(command: list[str], cwd: Path | None = None) -> tuple[float, int, str]:
    """Wall seconds, peak memory (MiB) and stdout of one command, run in a fresh process."""
    probe = (
        "import resource, subprocess, sys, time;"
        "t = time.perf_counter();"
        "r = subprocess.run(sys.argv[1:], capture_output=True, text=True);"
        "e = time.perf_counter() - t;"
        "m = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss;"
        "sys.stderr.write(r.stderr);"
        "print(f'{e} {m} {r.returncode}');"
        "print(r.stdout, end='')"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, *command], capture_output=True, text=True, cwd=cwd
    )
    first, _, rest = result.stdout.partition("\n")
    seconds, kib, code = first.split()
    if code != "0":
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stderr}")
    return float(seconds), int(kib) // 1024, rest


def bare_command(work: Path, *args: str) -> list[str]:
    """pandoc on the text, with the same citations as the pipeline's, run from the
    manuscript folder with WeasyPrint on its PATH."""
    pandoc = pandoc_path()
    env_path = f"{VENV_BIN}:{Path(pandoc).parent}"
    return [
        "env",
        f"PATH={env_path}:/usr/bin:/bin",
        pandoc,
        "text.md",
        "--citeproc",
        "--bibliography=references.bib",
        f"--csl={ROOT / 'styles/csl/chicago-notes.csl'}",
        "--metadata=title:Bench",
        *args,
    ]


def bare_pdf(work: Path) -> list[str]:
    return bare_command(work, "--pdf-engine=weasyprint", "-o", str(work / "bare.pdf"))


def bare_tools(manuscript: Path, work: Path) -> dict[str, float]:
    """Time pandoc alone on the same text, with the same citations, to each format."""
    times = {}
    for name, command in {
        "pandoc html": bare_command(work, "-s", "-o", str(work / "bare.html")),
        "pandoc epub": bare_command(work, "-o", str(work / "bare.epub")),
        "pandoc+weasyprint pdf": bare_pdf(work),
        "pandoc typst": bare_command(work, "-t", "typst", "-s", "-o", str(work / "bare.typ")),
    }.items():
        times[name], _, _ = timed(command, cwd=manuscript)
    compile_typst = "import typst, sys; typst.compile(sys.argv[1], output=sys.argv[2])"
    typst_compile, _, _ = timed(
        [sys.executable, "-c", compile_typst, str(work / "bare.typ"), str(work / "bare-typst.pdf")]
    )
    times["typst pdf (pandoc + typst)"] = times.pop("pandoc typst") + typst_compile
    return times


def side_by_side(manuscript: Path, work: Path, repeats: int) -> dict[str, float]:
    """Medians of ``repeats`` builds of every edition and as many bare pandoc+WeasyPrint
    PDFs, taken in turn so that both meet the same load on a shared machine."""
    series: dict[str, list[float]] = {"": [], "bare": [], **{t: [] for t in SWITCHES}}
    out = work / "side-by-side"
    for _ in range(repeats):
        for tweak in SWITCHES:
            shutil.rmtree(out, ignore_errors=True)
            series[tweak].append(timed(without(tweak, build_command(manuscript, out)))[0])
        shutil.rmtree(out, ignore_errors=True)
        series[""].append(timed(build_command(manuscript, out))[0])
        series["bare"].append(timed(bare_pdf(work), cwd=manuscript)[0])
    medians = {
        f"all editions (median of {repeats})": statistics.median(series[""]),
        f"pandoc+weasyprint pdf (median of {repeats})": statistics.median(series["bare"]),
    }
    for tweak in SWITCHES:
        medians[f"all editions without {tweak} (median of {repeats})"] = statistics.median(
            series[tweak]
        )
    return medians


def build_command(manuscript: Path, out: Path) -> list[str]:
    return [PIPELINE, "build", str(manuscript), "-o", str(out), "-q"]


WORKERS = "worker processes"
KEPT_PATTERNS = "compiled patterns and templates"
SWITCHES = (*TWEAKS, WORKERS, KEPT_PATTERNS)
"""What can be switched off to measure what it gains: the engine's tweaks, the editions
written in worker processes (``--jobs 1``), the hyphenation patterns and templates compiled
by an earlier build (an empty user cache, as on a machine's first build)."""


def without(switch: str, command: list[str]) -> list[str]:
    """``command`` with one of the speed switches off."""
    if switch == WORKERS:
        return ["env", "PIPELINE_JOBS=1", *command]
    if switch == KEPT_PATTERNS:
        return ["env", f"PIPELINE_USER_CACHE={tempfile.mkdtemp(prefix='bench-cache-')}", *command]
    kept = ",".join(t for t in TWEAKS if t != switch) or "none"
    return ["env", f"PIPELINE_ENGINE_TWEAKS={kept}", *command]


def tweak_runs(manuscript: Path, out: Path) -> dict[str, float]:
    """Every edition built once with each speed tweak switched off."""
    figures = {}
    for tweak in SWITCHES:
        shutil.rmtree(out, ignore_errors=True)
        figures[f"all editions without {tweak}"] = timed(
            without(tweak, build_command(manuscript, out))
        )[0]
    return figures


def pipeline_runs(manuscript: Path, out: Path) -> dict[str, float]:
    shutil.rmtree(out, ignore_errors=True)
    figures: dict[str, float] = {}
    wall, memory, output = timed([PIPELINE, "build", str(manuscript), "-o", str(out)])
    figures["all editions"] = wall
    figures["peak MiB"] = memory
    for name, seconds in EDITION_LINE.findall(output):
        figures[f"{name} (in build)"] = float(seconds)
    subprocess.run([PIPELINE, "validators", "stop"], capture_output=True, check=True)
    figures["check (validators cold)"] = _checked(manuscript, out)
    figures["check (validators warm)"] = _checked(manuscript, _without_verdicts(out))
    make = ["make", "--no-print-directory", f"MANUSCRIPT={manuscript}", f"BUILD={out}"]
    subprocess.run(make, cwd=ROOT, capture_output=True, check=True)
    start = time.perf_counter()
    subprocess.run(make, cwd=ROOT, capture_output=True, check=True)
    figures["no-op make"] = time.perf_counter() - start
    return figures


def _checked(manuscript: Path, out: Path) -> float:
    probe = [PIPELINE, "check", str(manuscript), "--build-dir", str(out), "--json"]
    start = time.perf_counter()
    subprocess.run(probe, capture_output=True, check=False)
    return time.perf_counter() - start


def _without_verdicts(out: Path) -> Path:
    """A copy of the build folder without the validators' cached verdicts, so a check of it
    runs EPUBCheck and the Nu HTML Checker again (in the validator server, now warm)."""
    copy = out.with_name(out.name + "-verdicts-removed")
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(out, copy)
    for verdict in [*copy.glob(".cache/epubcheck-*"), *copy.glob(".cache/vnu-*")]:
        verdict.unlink()
    return copy


def warm_rebuild(manuscript: Path, out: Path, edits: int = 3) -> float:
    """Median seconds to rebuild the PDF in a process that has built it once, after a
    one-word edit (a different word each time)."""
    script = f"""
import statistics, time
from pathlib import Path
from pipeline.build import build
m, out = Path({str(manuscript)!r}), Path({str(out)!r})
build(m, ["pdf"], out)
text = m / "text.md"
source = text.read_text()
times = []
for word in ("cohort", "wave", "crop", "tide", "band")[:{edits}]:
    text.write_text(source.replace("generation", word, 1))
    start = time.perf_counter()
    build(m, ["pdf"], out)
    times.append(time.perf_counter() - start)
text.write_text(source)
print(statistics.median(times))
"""
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return float(result.stdout.split()[-1])


SEED = "seed"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scales", default="1,10,50", help="comma-separated multiples")
    parser.add_argument(
        "--repeats", type=int, default=7, help="side-by-side runs on the seed (median taken)"
    )
    args = parser.parse_args()
    columns: list[str | int] = [SEED, *(int(s) for s in args.scales.split(","))]
    rows: dict[str | int, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        work = Path(tmp)
        for column in columns:
            if column == SEED:
                manuscript = work / "seed"
                shutil.copytree(ROOT / "manuscript", manuscript)
            else:
                manuscript = scaled_manuscript(ROOT / "manuscript", work / f"m{column}", column)
            print(f"{_label(column)}: building…", file=sys.stderr)
            row = pipeline_runs(manuscript, work / f"out-{column}")
            row.update(bare_tools(manuscript, work))
            if column != SEED:
                row.update(tweak_runs(manuscript, work / f"tweaks-{column}"))
            if column == SEED:
                row.update(side_by_side(manuscript, work, args.repeats))
                row["warm PDF rebuild (median of 3 edits)"] = warm_rebuild(manuscript, work / "w")
            rows[column] = row
    subprocess.run([PIPELINE, "validators", "stop"], capture_output=True, check=False)
    report = format_report(rows)
    notes = ROOT / "bench" / "notes.md"
    if notes.is_file():
        report += "\n" + notes.read_text(encoding="utf-8")
    print(report)
    (ROOT / "bench" / "results.md").write_text(report, encoding="utf-8")


def _label(column: str | int) -> str:
    return "the seed" if column == SEED else f"{column}×"


def format_report(rows: dict[str | int, dict[str, float]]) -> str:
    names = list(dict.fromkeys(name for row in rows.values() for name in row))
    lines = [
        "# Benchmark results",
        "",
        f"Machine: {platform.machine()}, Python {platform.python_version()}; "
        "seconds of wall time unless marked MiB. Every figure below comes from one run; the "
        "seed's build and bare PDF are also timed in turn several times, and their medians "
        "given. "
        "The seed is `manuscript/` as it is (18 notes); 1×, 10× and 50× are made from it "
        "with one note per paragraph (`bench/scale.py`).",
        "",
        "| measure | " + " | ".join(_label(c) for c in rows) + " |",
        "|---|" + "---|" * len(rows),
    ]
    for name in names:
        cells = [_cell(row.get(name), name) for row in rows.values()]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += ["", "## Ratios", ""]
    for column, row in rows.items():
        ours, bare, how = _build_and_bare(row)
        lines.append(
            f"- {_label(column)}: all editions / bare pandoc+WeasyPrint PDF = "
            f"{ours / bare:.2f}{how} (target ≤ 1.3 for the seed)"
        )
    for tweak in SWITCHES:
        lines.append(
            f"- with / without {tweak}: "
            + ", ".join(_tweak_ratio(c, r, tweak) for c, r in rows.items())
        )
    if 10 in rows and 50 in rows:
        growth = rows[50]["all editions"] / rows[10]["all editions"]
        lines.append(f"- all editions, 50× / 10× = {growth:.2f} (target ≤ 5.5)")
    seed = rows.get(SEED)
    if seed:
        lines.append(f"- no-op make, seed: {seed['no-op make']:.3f} s (target < 0.2)")
        warm = seed["warm PDF rebuild (median of 3 edits)"]
        lines.append(f"- warm PDF rebuild, seed: {warm:.2f} s (target ≤ 1.0)")
        build = _build_and_bare(seed)[0]
        lines.append(
            "- check / build, seed: "
            f"{seed['check (validators cold)'] / build:.2f} with the validators cold, "
            f"{seed['check (validators warm)'] / build:.2f} warm "
            "(target < 1: the checks faster than the build)"
        )
    if 50 in rows:
        lines.append(f"- peak memory at 50×: {rows[50]['peak MiB']:.0f} MiB (target < 2048)")
    return "\n".join(lines) + "\n"


def _build_and_bare(row: dict[str, float]) -> tuple[float, float, str]:
    """The build of every edition and the bare PDF: the side-by-side medians where taken."""
    for name, value in row.items():
        if name.startswith("all editions (median of"):
            bare = row[name.replace("all editions", "pandoc+weasyprint pdf")]
            return value, bare, f", {name.removeprefix('all editions (').rstrip(')')} in turn"
    return row["all editions"], row["pandoc+weasyprint pdf"], ""


def _tweak_ratio(column: str | int, row: dict[str, float], tweak: str) -> str:
    """The build with the tweak over the build without it (below 1: the tweak pays)."""
    ours = _build_and_bare(row)[0]
    without_it = next(v for n, v in row.items() if n.startswith(f"all editions without {tweak}"))
    return f"{ours / without_it:.2f} at {_label(column)}"


def _cell(value: float | None, name: str) -> str:
    if value is None:
        return "–"
    return f"{value:.0f}" if "MiB" in name else f"{value:.2f}"


if __name__ == "__main__":
    main()
