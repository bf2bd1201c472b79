"""'Did you mean …?' guesses, shared by every stage that suggests a fix."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache


def closest(word: str, candidates: Iterable[str], cutoff: float = 0.6) -> str | None:
    return _closest(word, tuple(candidates), cutoff)


@lru_cache(maxsize=1024)  # a ledger repeats its typos; difflib is slow enough to notice
def _closest(word: str, options: tuple[str, ...], cutoff: float) -> str | None:
    for option in options:  # a case slip is the likeliest mistake
        if option.casefold() == word.casefold():
            return option
    import difflib  # only when there is a word to correct

    matches = difflib.get_close_matches(word, options, n=1, cutoff=cutoff)
    return matches[0] if matches else None


def shorten(text: str, width: int = 40) -> str:
    """Ledger text quoted in a message or a chart label: a 1 MB token must not become a 1 MB
    message."""
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"
