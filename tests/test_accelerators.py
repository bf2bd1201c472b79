"""jobledger[fast] gives the same results as pure Python (issue 10): the same entries and
diagnostics for real ledgers, broken ones and junk; the same JSON bytes."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import cli_env, missing_tool
from helpers import mutant_corpus

ROOT = Path(__file__).resolve().parent.parent

DUMP = """
import sys
from jobledger.ledger.parser import accelerated, parse_text
print(accelerated())
for path in sys.argv[1:]:
    with open(path, encoding="utf-8", newline="") as handle:
        result = parse_text(handle.read(), path)
    print(repr(result.entries))
    print(repr(result.diagnostics))
"""


def corpus(tmp_path: Path) -> list[Path]:
    """Real ledgers, the error cases and mutants of the example (errors of every kind)."""
    pieces = ['"', "|", "#", ";", ":", "\t", "\n", "  ", "2026-02-30", "x" * 80, "\u00a0", "é"]
    return mutant_corpus(tmp_path, pieces, seed=7, count=200)


def dump(paths: list[Path], *, pure: bool) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", DUMP, *map(str, paths)],
        env=cli_env({"JOBLEDGER_PURE_PYTHON": "1" if pure else "0", "PYTHONHASHSEED": "0"}),
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return done.stdout.splitlines()


@pytest.fixture(scope="module")
def fast_installed() -> None:
    if (
        importlib.util.find_spec("lark_cython") is None
        or importlib.util.find_spec("orjson") is None
    ):
        missing_tool("jobledger[fast] is not installed (pip install -e '.[fast]')")


@pytest.mark.usefixtures("fast_installed")
def test_lark_cython_parses_exactly_as_lark(tmp_path: Path) -> None:
    paths = corpus(tmp_path)
    fast, pure = dump(paths, pure=False), dump(paths, pure=True)
    assert fast[0] == "True" and pure[0] == "False"
    assert fast[1:] == pure[1:]


@pytest.mark.usefixtures("fast_installed")
def test_orjson_writes_the_same_bytes() -> None:
    outputs = []
    for pure in (False, True):
        done = subprocess.run(
            [sys.executable, "-m", "jobledger", "report", "examples/blueprint.jobs",
             "tests/cases/markdown-hostile.jobs", "--as-of", "2026-03-15", "--format", "json"],
            cwd=ROOT, env=cli_env({"JOBLEDGER_PURE_PYTHON": "1" if pure else "0"}),
            capture_output=True, timeout=60, check=False,
        )  # fmt: skip
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1] and json.loads(outputs[0])["totals"]["tracked"] > 0
