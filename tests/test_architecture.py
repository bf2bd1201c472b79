"""Imports flow one way: ledger <- report <- render <- live <- cli, as docs/architecture.md draws.

The edges are read from the source with `ast` and resolved to real modules: `from jobledger
import cli` is an edge to `jobledger.cli`, not to `jobledger/__init__.py`, and `from
jobledger.report import metrics` is an edge to `jobledger.report.metrics`.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src"
PACKAGE = SRC / "jobledger"

# Each layer may import from the layers before it (and from within itself, acyclically).
LAYERS = (
    "base",
    "ledger",
    "transfer",
    "report",
    "pipeline",
    "render",
    "live",
    "edit",
    "cli",
    "main",
)
# Top-level modules and the layer they belong to; every folder is its own layer.
TOP_LEVEL = {
    "jobledger": "base",  # __init__: the version
    "jobledger.files": "base",
    "jobledger.forks": "base",
    "jobledger.accelerators": "base",
    "jobledger.records": "base",
    "jobledger.pipeline": "pipeline",
    "jobledger.__main__": "main",
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}


def layer(module: str) -> str:
    if module in TOP_LEVEL:
        return TOP_LEVEL[module]
    parts = module.split(".")
    assert len(parts) >= 3 or module in MODULES, f"{module}: give it a layer"
    return parts[1]


def edges(module: str, source: str | None = None) -> set[str]:
    """The jobledger modules that `module` imports, resolved to modules that exist."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(source if source is not None else path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "jobledger"}
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: from . import x / from .x import y
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join([*base, *([node.module] if node.module else [])])
            else:
                source = node.module or ""
            if source.split(".")[0] != "jobledger":
                continue
            for alias in node.names:  # `from pkg import mod` imports the module pkg.mod
                candidate = f"{source}.{alias.name}"
                found.add(candidate if candidate in MODULES else source)
    unknown = found - set(MODULES)
    assert not unknown, f"{module} imports modules that do not exist: {unknown}"
    return found


def test_every_module_is_in_a_layer() -> None:
    for module in MODULES:
        assert layer(module) in LAYERS, module


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_flow_one_way(module: str) -> None:
    mine = LAYERS.index(layer(module))
    for target in edges(module):
        theirs = LAYERS.index(layer(target))
        assert theirs <= mine, f"{module} ({layer(module)}) imports {target} ({layer(target)})"


def test_no_import_cycles() -> None:
    graph = {module: edges(module) - {module} for module in MODULES}
    state: dict[str, str] = {}

    def visit(module: str, path: tuple[str, ...]) -> None:
        if state.get(module) == "done":
            return
        assert state.get(module) != "open", "import cycle: " + " -> ".join((*path, module))
        state[module] = "open"
        for target in graph[module]:
            # A package's __init__ importing its own modules is not a cycle we care about.
            if not module.startswith(target + "."):
                visit(target, (*path, module))
        state[module] = "done"

    for module in graph:
        visit(module, ())


def test_the_edge_reader_sees_an_upward_import() -> None:
    """The check itself must catch what the review found it missed: `from jobledger import X`
    inside a lower layer, and relative imports."""
    source = (
        "from jobledger import cli\nfrom jobledger.report import build\n"
        "from . import parser\nfrom ..render.html import render_html\n"
    )
    found = edges("jobledger.ledger.model", source)
    assert found == {
        "jobledger.cli",
        "jobledger.report.build",
        "jobledger.ledger.parser",
        "jobledger.render.html",
    }
    mine = LAYERS.index(layer("jobledger.ledger.model"))
    assert [t for t in found if LAYERS.index(layer(t)) > mine]


def test_only_the_parser_knows_lark() -> None:
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text("utf-8"))
        names = {
            n.module.split(".")[0] if isinstance(n, ast.ImportFrom) and n.module else ""
            for n in ast.walk(tree)
            if isinstance(n, ast.ImportFrom)
        } | {
            a.name.split(".")[0]
            for n in ast.walk(tree)
            if isinstance(n, ast.Import)
            for a in n.names
        }
        if module != "jobledger.ledger.parser":
            assert "lark" not in names, module


def test_today_is_asked_in_one_place() -> None:
    """The report date is an input: only cli/common.py asks the clock what day it is."""
    callers = []
    for module, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and node.attr in ("today", "now")
                and isinstance(node.value, ast.Name)
                and node.value.id in ("date", "datetime")
            ):
                callers.append(module)
    assert callers == ["jobledger.cli.common"]


TEMPLATES = PACKAGE / "render" / "templates"
JINJA_CODE = re.compile(r"\{\{(.*?)\}\}|\{%(.*?)%\}", re.S)
STRING = re.compile(r'"[^"]*"|\'[^\']*\'')
COMPUTING = re.compile(
    r"\|\s*(sum|length|count|max|min)\b"  # counting filters
    r"|\.append\(|\bnamespace\("  # building lists or state
    r"|[\w)\]]\s*[-+*/%]\s*[\w(]"  # arithmetic between values
)


@pytest.mark.parametrize("template", sorted(TEMPLATES.rglob("*.j2")), ids=lambda p: p.name)
def test_templates_only_format(template: Path) -> None:
    """Numbers come from the typed report; a template may loop, test and format, not compute."""
    text = template.read_text("utf-8")
    if template.name.endswith((".js.j2", ".css.j2")):
        return  # plain script and style, no Jinja code in them
    code = ["".join(match.groups("")) for match in JINJA_CODE.finditer(text)]
    found = [c for c in code if COMPUTING.search(STRING.sub('""', c))]
    assert not found, found
