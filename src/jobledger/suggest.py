"""'Did you mean …?' guesses, shared by every stage that suggests a fix."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(word: str, candidates: Iterable[str], cutoff: float = 0.6) -> str | None:
    options = list(candidates)
    for option in options:  # a case slip is the likeliest mistake
        if option.casefold() == word.casefold():
            return option
    matches = difflib.get_close_matches(word, options, n=1, cutoff=cutoff)
    return matches[0] if matches else None
