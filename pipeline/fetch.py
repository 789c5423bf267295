"""The only way WeasyPrint may load a file: from the manuscript or styles folders.

Stylesheets, fonts and images named by a manuscript or a style are read through this
fetcher; anything outside the allowed folders (symbolic links followed), and anything over
the network, stops the build with an error naming the reference instead of being fetched:
WeasyPrint raises its ``FatalURLFetchingError`` (not an ``Exception``), which every call
into WeasyPrint turns into that error (``refused_error``). An SVG image is handed over as
``pipeline.svg`` cleaned it, never as the file stands.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from pipeline.errors import PipelineError

ALLOWED_SCHEMES = {"file", "data"}


def sandboxed_fetcher(allowed: list[Path]):
    """A WeasyPrint URL fetcher that reads only files inside ``allowed`` folders."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    from pipeline.svg import SvgError, is_svg, media_bytes

    roots = [root.resolve() for root in allowed]

    class SandboxedFetcher(URLFetcher):
        def __init__(self) -> None:
            super().__init__(timeout=2, allowed_protocols=ALLOWED_SCHEMES, fail_on_errors=True)
            self.refused: list[str] = []
            self.errors: list[PipelineError] = []

        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if parts.scheme == "data":
                return super().fetch(url, headers)
            if parts.scheme == "file":
                path = _local_path(parts.path)
                if path is not None and any(path.is_relative_to(root) for root in roots):
                    response = super().fetch(url, headers)
                    if not is_svg(path, response.content_type):
                        return response
                    response.close()
                    try:
                        data = media_bytes(path, roots[0])
                    except SvgError as error:
                        self.errors.append(error)
                        raise
                    return URLFetcherResponse(url, data, {"Content-Type": "image/svg+xml"})
            self.refused.append(url)
            raise PermissionError(f"{url} lies outside the manuscript and styles folders")

    return SandboxedFetcher()


def _local_path(quoted: str) -> Path | None:
    try:
        return Path(unquote(quoted)).resolve()
    except (OSError, RuntimeError, ValueError):
        return None


def refused_error(fetcher, base: Path) -> PipelineError:
    """The error for the first reference the fetcher refused (or could not clean)."""
    if getattr(fetcher, "errors", None):
        return fetcher.errors[0]
    url = fetcher.refused[0] if fetcher.refused else "a resource"
    if url.startswith("file:"):
        shown = unquote(urlsplit(url).path)
        return PipelineError(
            f"a style or image refers to {shown}, outside the allowed folders", base
        )
    return PipelineError(f"a style or image refers to {url}; a build never uses the network", base)
