"""The Jinja2 environment shared by the Markdown and HTML reports, and a user's --template.

Templates format; they never compute: the numbers come typed from report/, and the filters
here only turn values into text. Imported only when a template is rendered, so JSON output
and `check` never pay for Jinja2.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

from jobledger.files import UsageError
from jobledger.ledger.diagnostics import CONTROL_CHARACTERS
from jobledger.render.text import csv_field, days, md, md_table, plural
from jobledger.report.numbers import percent

if TYPE_CHECKING:
    import jinja2

TEMPLATES = os.path.join(os.path.dirname(__file__), "templates")
FILTERS: dict[str, Callable[..., str]] = {
    "pct": percent,
    "md": md,
    "days": days,
    "csv": csv_field,
}
GLOBALS: dict[str, Callable[..., str]] = {"md_table": md_table, "plural": plural}


def cache_pattern(jinja_version: str, settings: bytes | None = None) -> str:
    """Jinja keys cached bytecode on the template's source alone, but the compiled code also
    depends on this environment's settings (this module's source, by default) and on Jinja
    itself: key on those too, or an upgrade would run stale code."""
    if settings is None:
        with open(__file__, "rb") as source:
            settings = source.read()
    digest = hashlib.sha256(settings + jinja_version.encode()).hexdigest()[:16]
    return f"__jobledger_{digest}_%s.cache"


@cache
def environment(template_dir: str | None) -> jinja2.Environment:
    import jinja2  # here, not at the top: JSON output and `check` never pay for it

    search = [TEMPLATES] if template_dir is None else [template_dir, TEMPLATES]
    # Compiling the templates costs more than the rest of a report: keep the bytecode in
    # Jinja's per-user cache directory ($TMPDIR/_jinja2-cache-UID, 0700). Jinja refuses a
    # directory that is not ours or that others may open (someone else could have made it
    # first): then we compile every time rather than fail.
    try:
        bytecode: jinja2.BytecodeCache | None = jinja2.FileSystemBytecodeCache(
            pattern=cache_pattern(jinja2.__version__)
        )
    except (RuntimeError, OSError):
        bytecode = None
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(search),
        bytecode_cache=bytecode,
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "html.j2")),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(FILTERS)
    env.globals.update(GLOBALS)
    return env


def load_template(name: str, template: str | None) -> jinja2.Template:
    """`--template` may name a file (it replaces the report template) or a directory searched
    before the built-in templates (so it can override one partial)."""
    if template is not None and os.path.isfile(template):
        directory, name = os.path.split(os.path.abspath(template))
        return environment(directory).get_template(name)
    if template is not None and not os.path.isdir(template):
        raise UsageError(f"--template {template}: no such file or directory")
    return environment(template).get_template(name)


def render_template(name: str, template: str | None, **context: Any) -> str:
    """Render a report template. A broken user template is the user's to fix, so it becomes a
    usage error with Jinja2's message and line, not a traceback. Control characters can only
    come from the ledger (the templates have none): they become U+FFFD, so a report neither
    drives a terminal nor makes a page invalid HTML."""
    import jinja2

    try:
        text = load_template(name, template).render(**context)
    except (jinja2.TemplateError, UnicodeDecodeError) as exc:
        if template is None:
            raise  # a broken built-in template is a bug: let it show
        where = (
            f"{exc.filename}:{exc.lineno}"
            if isinstance(exc, jinja2.TemplateSyntaxError)
            else template
        )
        raise UsageError(f"template {where}: {exc}") from None
    except Exception as exc:  # `{{ 1 + "a" }}` in a template of the user's: theirs to fix
        if template is None:
            raise
        raise UsageError(f"template {template}: {type(exc).__name__}: {exc}") from None
    return CONTROL_CHARACTERS.sub("\ufffd", text)
