"""File access shared by every stage: sandboxed reading, atomic writing, build paths."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from pipeline.errors import PipelineError


def _styles_dir() -> Path:
    """The shared styles: $PIPELINE_STYLES, else the checkout's styles/ folder, else the copy
    installed with the package."""
    if os.environ.get("PIPELINE_STYLES"):
        return Path(os.environ["PIPELINE_STYLES"])
    checkout = Path(__file__).resolve().parent.parent / "styles"
    if checkout.is_dir():
        return checkout
    return Path(sys.prefix) / "share" / "pamphlet-pipeline" / "styles"


STYLES_DIR = _styles_dir()


def read_text(path: Path) -> str:
    """Read a UTF-8 text file (a BOM and CRLF endings are accepted) or fail naming the file."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise PipelineError("file not found", path) from None
    except OSError as exc:
        raise PipelineError(f"cannot be read ({exc.strerror})", path) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise PipelineError("is not valid UTF-8 text", path, line) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def resolve_inside(reference: str, base: Path, allowed: list[Path]) -> Path:
    """Resolve ``reference`` against ``base``; refuse it unless it lies inside ``allowed``,
    symbolic links followed."""
    if "://" in reference or reference.startswith(("file:", "data:", "//")):
        raise PipelineError(f"refers to {reference!r}, which is not a file inside the manuscript")
    candidate = base / reference
    target = _resolved(candidate, reference)
    if _within(target, allowed):
        return target
    if _within(Path(os.path.normpath(candidate.absolute())), allowed):
        raise PipelineError(
            f"refers to {reference!r}, a symbolic link that leads outside the manuscript folder"
            f" (to {target})"
        )
    raise PipelineError(f"refers to {reference!r}, which lies outside the manuscript folder")


def confined(path: Path, allowed: list[Path]) -> Path:
    """``path`` with its symbolic links followed, or a PipelineError naming the link when
    it leads outside the ``allowed`` folders.

    Every file of a manuscript is found through here (or through ``resolve_inside``) before
    it is read, so a link to ``/etc/passwd`` named ``text.md`` is never opened.
    """
    target = _resolved(path, path.name)
    if _within(target, allowed):
        return target
    link = _first_link(path, allowed)
    if link is not None:
        raise PipelineError(f"is a symbolic link to {target}, outside the manuscript folder", link)
    raise PipelineError("lies outside the manuscript folder", path)


def _resolved(path: Path, shown: str) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise PipelineError(f"refers to {shown!r}, which cannot be resolved ({reason})") from None


def _within(target: Path, allowed: list[Path]) -> bool:
    return any(target.is_relative_to(root.resolve()) for root in allowed)


def _first_link(path: Path, allowed: list[Path]) -> Path | None:
    """The first symbolic link on the way from an allowed folder to ``path``."""
    path = Path(os.path.normpath(path.absolute()))
    for step in [*reversed(path.parents), path]:
        if step.is_symlink() and _within(Path(os.path.normpath(step)), allowed):
            return step
    return None


@contextlib.contextmanager
def atomic_output(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it over ``target`` only on success.

    A failed or interrupted build therefore never leaves a half-written file where a good
    one was.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def atomic_write(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` atomically."""
    with atomic_output(target) as tmp:
        tmp.write_bytes(data)
