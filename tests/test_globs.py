"""One set of glob rules for includes (expand) and for the watcher's filter (matches)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from jobledger.ledger import globs
from jobledger.live.watcher import Matcher, Targets


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for name in (
        "a.jobs",
        ".hidden.jobs",
        "b.txt",
        "2025/q1.jobs",
        "2025/deep/q2.jobs",
        ".git/x.jobs",
        "x/y/z.jobs",
    ):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("")
    return tmp_path


def rel(paths: list[str], root: Path) -> list[str]:
    return [os.path.relpath(p, root) for p in paths]


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("*.jobs", ["a.jobs"]),  # '*' never matches a leading '.'
        (".*.jobs", [".hidden.jobs"]),  # unless the pattern says so
        ("*/*.jobs", ["2025/q1.jobs"]),  # one directory, hidden ones excluded
        ("**/*.jobs", ["2025/deep/q2.jobs", "2025/q1.jobs", "a.jobs", "x/y/z.jobs"]),
        ("2025/**/*.jobs", ["2025/deep/q2.jobs", "2025/q1.jobs"]),  # '**' may be no directory
        ("[ab].jobs", ["a.jobs"]),
        ("[!a].jobs", []),
        ("?.jobs", ["a.jobs"]),
    ],
)
def test_expand_and_match_agree(tree: Path, pattern: str, expected: list[str]) -> None:
    absolute = str(tree / pattern)
    found = rel(globs.expand(absolute), tree)
    assert found == expected
    every_file = [str(p) for p in tree.rglob("*") if p.is_file()]
    matched = sorted(rel([p for p in every_file if globs.matches(p, absolute)], tree))
    assert matched == sorted(expected), "the watcher's rule differs from the loader's"


def test_a_class_never_matches_the_separator(tmp_path: Path) -> None:
    assert not globs.matches(str(tmp_path / "a/b.jobs"), str(tmp_path / "a[!x]b.jobs"))
    assert not globs.matches(str(tmp_path / "a/b.jobs"), str(tmp_path / "a[/]b.jobs"))


def test_globstar_does_not_follow_a_link_to_a_parent(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "one.jobs").write_text("")
    os.symlink(tmp_path, tmp_path / "sub" / "loop")
    assert rel(globs.expand(str(tmp_path / "**" / "*.jobs")), tmp_path) == ["sub/one.jobs"]


def test_a_pattern_without_globstar_walks_no_deeper_than_it_reaches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    visited: list[str] = []
    real_walk = os.walk

    def walk(top: str, **kwargs: bool):  # type: ignore[no-untyped-def]
        for entry in real_walk(top, **kwargs):
            visited.append(entry[0])
            yield entry

    for depth in range(6):
        (tmp_path / "/".join(["d"] * (depth + 1))).mkdir(exist_ok=True)
    monkeypatch.setattr(globs.os, "walk", walk)
    globs.expand(str(tmp_path / "*.jobs"))
    assert visited == [str(tmp_path)]


def test_relative_patterns(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tree)
    assert globs.expand("*/*.jobs") == ["2025/q1.jobs"]
    assert globs.matches("2025/q1.jobs", "*/*.jobs")


def test_the_watcher_uses_the_same_rules(tree: Path) -> None:
    matcher = Matcher(Targets(frozenset(), (str(tree / "2025" / "**" / "*.jobs"),)))
    assert matcher(str(tree / "2025" / "q1.jobs"))
    assert matcher(str(tree / "2025" / "deep" / "new.jobs"))
    assert not matcher(str(tree / "2025" / ".hidden" / "x.jobs"))
    assert not matcher(str(tree / "2025" / ".x.jobs"))
