"""The Jinja2 templates the editions fill in, from ``styles/templates/``.

One environment per styles folder and manuscript: a manuscript's own
``styles/templates/NAME`` overrides the shared template (see ``Manuscript.style_path``).
Every template is HTML or XML, so every value is escaped, and escaped as ``html.escape``
does; markup the pipeline made itself (the text, the notes) arrives as ``Markup`` and is
written as it is. Block tags take their own line away with them (``trim_blocks``,
``lstrip_blocks``), and a template's last newline is dropped, so that a template fills in
exactly the bytes the edition writes. Each template also sees ``labels``, the words of the
manuscript's language (see ``pipeline.labels``).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path
from string import Formatter

import jinja2
from markupsafe import Markup

from pipeline.cache import user_cache_folder
from pipeline.errors import PipelineError
from pipeline.files import read_text
from pipeline.labels import load_labels
from pipeline.manuscript import Manuscript

TEMPLATES = "templates"

_environments: dict[tuple[Path, Path], jinja2.Environment] = {}


class StylesLoader(jinja2.BaseLoader):
    """Templates from the manuscript's styles, each re-read when its file changes."""

    def __init__(self, manuscript: Manuscript):
        self.manuscript = manuscript

    def path(self, name: str) -> Path:
        return self.manuscript.style_path(f"{TEMPLATES}/{name}")

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        path = self.path(template)
        if not path.is_file():
            raise jinja2.TemplateNotFound(template)
        stamp = path.stat().st_mtime_ns

        def uptodate() -> bool:
            current = self.path(template)
            return current == path and current.is_file() and current.stat().st_mtime_ns == stamp

        return read_text(path), str(path), uptodate


def escape(value: object) -> Markup:
    """``value`` as HTML text, unless it is markup already."""
    if hasattr(value, "__html__"):
        return Markup(value.__html__())
    return Markup(html.escape(str(value), quote=True))


def fill(label: str, **values: object) -> Markup:
    """A label with its ``{placeholders}`` filled in: the label's words escaped, each value
    escaped unless it is markup (such as a list of links)."""
    parts = []
    for literal, field, _spec, _conversion in Formatter().parse(label):
        parts.append(escape(literal))
        if field is not None:
            parts.append(escape(values[field]))
    return Markup("".join(parts))


def environment(manuscript: Manuscript) -> jinja2.Environment:
    key = (manuscript.root, manuscript.styles)
    env = _environments.get(key)
    if env is None:
        env = jinja2.Environment(
            loader=StylesLoader(manuscript),
            autoescape=True,
            finalize=escape,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
            auto_reload=True,
            bytecode_cache=_compiled_templates(),
        )
        env.filters["fill"] = fill
        _environments[key] = env
    return env


def _compiled_templates() -> jinja2.BytecodeCache | None:
    """Jinja's compiled templates, kept in the user's cache folder (by the hash of each
    template's text): compiling the templates is 70 ms of every build otherwise."""
    folder = user_cache_folder()
    if folder is None:
        return None
    try:
        (folder / TEMPLATES).mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return jinja2.FileSystemBytecodeCache(str(folder / TEMPLATES))


def render(manuscript: Manuscript, name: str, **context: object) -> str:
    """The template ``name`` (inside ``templates/``) filled in with ``context``."""
    env = environment(manuscript)
    loader = env.loader
    assert isinstance(loader, StylesLoader)
    context.setdefault("labels", load_labels(manuscript))
    try:
        return env.get_template(name).render(context)
    except jinja2.TemplateNotFound:
        raise PipelineError("file not found", loader.path(name)) from None
    except jinja2.TemplateSyntaxError as exc:
        message = f"is not a valid template ({exc.message})"
        raise PipelineError(message, exc.filename, exc.lineno) from None
    except jinja2.UndefinedError as exc:
        raise PipelineError(
            f"uses a value the pipeline does not give ({exc.message})", loader.path(name)
        ) from None
