"""Include globs: one set of rules for reading them (the loader) and for noticing a new match
(the watcher's event filter).

The rules: `*` and `?` match within one name, `[abc]`/`[!abc]` one character, `**` any number
of directories (none included); a wildcard never matches a name that starts with '.', and
`**` never descends into a hidden directory or through a symbolic link to a directory (Python
3.11's glob does, and a link to a parent makes it loop forever).

Why not wcmatch, which implements these rules: importing it costs about 40 ms, a third of the
time a whole report takes, and the example ledger has a glob include.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache

MAGIC = re.compile(r"[*?[]")


def has_magic(pattern: str) -> bool:
    return MAGIC.search(pattern) is not None


def split(pattern: str) -> tuple[str, str]:
    """'/a/b/*/c*.jobs' -> ('/a/b', '*/c*.jobs'): the fixed directory and the wildcard rest.
    A pattern without wildcards -> (its directory, its name)."""
    parts = pattern.split(os.sep)
    for index, part in enumerate(parts):
        if has_magic(part):
            base = os.sep.join(parts[:index]) or (os.sep if index else os.curdir)
            return base, "/".join(parts[index:])
    return os.path.dirname(pattern), os.path.basename(pattern)


@lru_cache(maxsize=256)
def compile_glob(pattern: str) -> re.Pattern[str]:
    """A regex that fully matches the paths `pattern` names (same separators as the pattern)."""
    if not has_magic(pattern):
        return re.compile(re.escape(pattern))
    base, rest = split(pattern)
    prefix = "" if base == os.curdir else re.escape(base.rstrip(os.sep) + os.sep)
    return re.compile(prefix + _translate(rest.split("/")))


def matches(path: str, pattern: str) -> bool:
    return compile_glob(pattern).fullmatch(path) is not None


def expand(pattern: str) -> list[str]:
    """The files that `pattern` names, sorted. Only as deep as the pattern reaches: a pattern
    without `**` never walks below its last directory."""
    if not has_magic(pattern):
        return [pattern] if os.path.isfile(pattern) else []
    base, rest = split(pattern)
    segments = rest.split("/")
    recursive = "**" in segments
    matcher = compile_glob(pattern)
    found = []
    # Fixed depth: following a link to a directory cannot loop; '**' never follows one.
    for directory, subdirectories, files in os.walk(base, followlinks=not recursive):
        depth = 0 if directory == base else os.path.relpath(directory, base).count(os.sep) + 1
        if not recursive and depth >= len(segments) - 1:
            subdirectories[:] = []
        elif recursive:
            subdirectories[:] = [d for d in subdirectories if not d.startswith(".")]
        for name in files:
            path = os.path.join(directory, name)
            if base == os.curdir:
                path = os.path.relpath(path)
            if matcher.fullmatch(path):
                found.append(path)
    return sorted(found)


def _translate(segments: list[str]) -> str:
    """Glob segments -> a regex over '/'-separated relative paths."""
    regex = ""
    sep = re.escape(os.sep)
    for position, segment in enumerate(segments):
        last = position == len(segments) - 1
        if segment == "**":
            any_dirs = f"(?:[^{sep}.][^{sep}]*{sep})*"
            regex += any_dirs if not last else f"{any_dirs}[^{sep}.][^{sep}]*"
            continue
        regex += "" if segment.startswith(".") else "(?!\\.)"
        index = 0
        while index < len(segment):
            char = segment[index]
            if char == "*":
                regex += f"[^{sep}]*"
            elif char == "?":
                regex += f"[^{sep}]"
            elif char == "[" and (end := segment.find("]", index + 2)) != -1:
                inner = segment[index + 1 : end].replace("\\", "\\\\")
                # A class never matches the separator, negated or not.
                regex += f"[^{sep}{inner[1:]}]" if inner.startswith("!") else f"(?!{sep})[{inner}]"
                index = end
            else:
                regex += re.escape(char)
            index += 1
        regex += "" if last else sep
    return regex
