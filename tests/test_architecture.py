"""Imports flow downstream only: model <- parser <- reducer <- metrics <- render <- cli/watch."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "jobledger"

# Each module may import only modules of a lower layer (or its own, where noted).
LAYERS = {
    "diagnostics": 0,
    "suggest": 0,
    "files": 0,
    "__init__": 0,
    "model": 1,
    "parser": 2,
    "loader": 3,
    "reducer": 3,
    "metrics": 4,
    "pipeline": 5,
    "charts": 6,
    "render": 6,
    "html": 7,
    "server": 8,
    "watch": 8,
    "commands": 9,
    "cli": 10,
    "__main__": 11,
}


def imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("jobledger"):
            name = node.module.removeprefix("jobledger").lstrip(".")
            found.add(name or "__init__")
        elif isinstance(node, ast.Import):
            found |= {
                a.name.split(".", 1)[1] for a in node.names if a.name.startswith("jobledger.")
            }
    return found


def test_every_module_has_a_layer() -> None:
    modules = {p.stem for p in PACKAGE.glob("*.py")}
    assert modules <= set(LAYERS), f"give these a layer: {sorted(modules - set(LAYERS))}"


def test_imports_flow_downstream() -> None:
    for path in PACKAGE.glob("*.py"):
        for target in imports(path):
            assert LAYERS[target] < LAYERS[path.stem], f"{path.stem} imports {target}"


def test_only_the_parser_knows_lark() -> None:
    for path in PACKAGE.glob("*.py"):
        text = path.read_text("utf-8")
        if path.stem != "parser":
            assert "import lark" not in text and "from lark" not in text, path.name
