"""The optional accelerators of `pip install jobledger[fast]` (lark-cython for the parser, orjson
for JSON): the same results, sooner. JOBLEDGER_PURE_PYTHON=1 turns them off, so the test suite
can run both ways and a suspected difference can be checked."""

from __future__ import annotations

import os
from functools import cache
from types import ModuleType

PURE_ENV = "JOBLEDGER_PURE_PYTHON"


def turned_off() -> bool:
    return os.environ.get(PURE_ENV, "") not in ("", "0")


@cache
def load(name: str) -> ModuleType | None:
    """The accelerator module `name`, or None when it is missing or turned off."""
    if turned_off():
        return None
    try:
        return __import__(name)
    except ImportError:
        return None
