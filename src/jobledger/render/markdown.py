"""Report -> text: Markdown and HTML through Jinja2 templates, JSON through json.dumps.

Templates format; they never compute. Numbers come from metrics, text helpers live here.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

from jobledger.files import UsageError
from jobledger.ledger.diagnostics import CONTROL_CHARACTERS
from jobledger.ledger.model import display_name
from jobledger.report.metrics import Report, percent

if TYPE_CHECKING:
    import jinja2

TEMPLATES = os.path.join(os.path.dirname(__file__), "templates")
FORMATS = ("md", "json", "html")
MAX_PAD = 60

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&#!])")


def md(text: object) -> str:
    """Escape ledger text for Markdown: names like `*Acme*` or `A|B` must stay literal."""
    return _MD_SPECIAL.sub(r"\\\1", "" if text is None else str(text))


def md_table(header: Sequence[str], rows: Sequence[Sequence[object]], align: str = "") -> str:
    """A GFM table with padded columns, readable as plain text in a terminal too.
    `align` has one letter per column: 'l' or 'r' (default 'l')."""
    cells = [[str(c) for c in header]] + [["" if c is None else str(c) for c in r] for r in rows]
    # Pad to the widest cell, but not past MAX_PAD: one 200 KB name must not pad every row.
    widths = [min(MAX_PAD, max(3, *(len(row[i]) for row in cells))) for i in range(len(header))]
    sides = [(align[i] if i < len(align) else "l") for i in range(len(header))]

    def line(row: Sequence[str]) -> str:
        padded = (
            c.rjust(w) if side == "r" else c.ljust(w)
            for c, w, side in zip(row, widths, sides, strict=True)
        )
        return "| " + " | ".join(padded) + " |"

    rule = (
        "|"
        + "|".join(
            "-" * (w + 1) + ":" if side == "r" else "-" * (w + 2)
            for w, side in zip(widths, sides, strict=True)
        )
        + "|"
    )
    return "\n".join([line(cells[0]), rule, *(line(r) for r in cells[1:])])


def app_name(item: dict[str, Any]) -> str:
    return display_name(str(item["company"]), item.get("title"))


def plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count} {word if count == 1 else (many or word + 's')}"


def days(value: float | int | None) -> str:
    if value is None:
        return "—"
    return plural(value, "day") if isinstance(value, int) else f"{value:g} days"


def _cache_pattern(jinja_version: str) -> str:
    """Jinja keys cached bytecode on the template's source alone, but the compiled code also
    depends on this environment's settings (here) and on Jinja itself: key on those too, or an
    upgrade would run stale code."""
    with open(__file__, "rb") as source:
        digest = hashlib.sha256(source.read() + jinja_version.encode()).hexdigest()[:16]
    return f"__jobledger_{digest}_%s.cache"


@cache
def _environment(template_dir: str | None) -> jinja2.Environment:
    import jinja2  # here, not at the top: JSON output and `check` never pay for it

    search = [TEMPLATES] if template_dir is None else [template_dir, TEMPLATES]
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(search),
        # Compiling the templates costs more than the rest of a report: keep the bytecode in
        # Jinja's per-user cache directory, as Lark keeps its parse tables.
        bytecode_cache=jinja2.FileSystemBytecodeCache(pattern=_cache_pattern(jinja2.__version__)),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "html.j2")),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(pct=percent, md=md, days=days, name=app_name)
    env.globals.update(md_table=md_table, plural=plural, percent=percent)
    return env


def load_template(name: str, template: str | None) -> jinja2.Template:
    """`--template` may name a file (it replaces the report template) or a directory searched
    before the built-in templates (so it can override one partial)."""
    if template is not None and os.path.isfile(template):
        directory, name = os.path.split(os.path.abspath(template))
        return _environment(directory).get_template(name)
    if template is not None and not os.path.isdir(template):
        raise UsageError(f"--template {template}: no such file or directory")
    return _environment(template).get_template(name)


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
    return CONTROL_CHARACTERS.sub("\ufffd", text)


def labels(report: Report) -> dict[str, dict[str, str]]:
    """Key -> label lookups the templates need for stages, outcomes and roles."""
    return {
        "stage": {s["key"]: s["label"] for s in report["stages"]},
        "outcome": {o["key"]: o["label"] for o in report["outcomes"]},
        "role": {g["key"]: g["label"] for g in report["groups"]},
    }


def render_markdown(report: Report, template: str | None = None) -> str:
    return render_template("report.md.j2", template, report=report, labels=labels(report))


def render_json(report: Report) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"
