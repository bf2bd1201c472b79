"""`jobledger completion bash|zsh|fish` (issue 8): the scripts load in the real shells and
complete commands, options, their values and, from the ledger, kinds, roles and names."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import cli_env, require_tool
from test_golden import check

from jobledger.cli.arguments import build_parser
from jobledger.cli.completion import bash, describe, fish, zsh

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = str(ROOT / "examples" / "blueprint.jobs")
COMMANDS = {command.name for command in describe(build_parser())}


@pytest.fixture(scope="module")
def on_path(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """An environment where `jobledger` runs this working tree, as the scripts call it."""
    bin_dir = tmp_path_factory.mktemp("bin")
    wrapper = bin_dir / "jobledger"
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m jobledger "$@"\n')
    wrapper.chmod(0o755)
    env = cli_env({"JOBLEDGER_FILE": None, "HOME": str(bin_dir)})
    env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"
    return env


def script(shell: str, parser: argparse.ArgumentParser | None = None) -> str:
    """The script as `jobledger completion SHELL` prints it (or for another parser)."""
    if parser is not None:
        return {"bash": bash, "zsh": zsh, "fish": fish}[shell](describe(parser))
    done = subprocess.run(
        [sys.executable, "-m", "jobledger", "completion", shell],
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def with_add() -> argparse.ArgumentParser:
    """This parser plus an `add KIND APPLICATION` as the add branch declares it (issue 8)."""
    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    if "add" not in commands.choices:
        add = commands.add_parser("add", help="append one event to the ledger")
        add.add_argument("kind", metavar="KIND")
        add.add_argument("application", metavar="APPLICATION")
        add.add_argument("-f", "--file", action="append", dest="more_files", metavar="FILE")
        add.add_argument("--date", metavar="DATE")
        add.add_argument("--tag", action="append", metavar="TAG")
    return parser


# ---------------------------------------------------------------- bash

BASH_DRIVER = r"""
source "$1"
shift
spec=$(complete -p jobledger)
[[ $spec == *"-F _jobledger jobledger"* ]] || { echo "not registered: $spec"; exit 3; }
COMP_WORDS=("$@")
COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
COMP_LINE="${COMP_WORDS[*]}"
COMP_POINT=${#COMP_LINE}
COMPREPLY=()
_jobledger jobledger "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\n' "${COMPREPLY[@]}"
"""


def complete_bash(
    text: str, words: list[str], env: dict[str, str], tmp_path: Path, cwd: Path = ROOT
) -> list[str]:
    """COMPREPLY for the command line `words` (the last one being typed), in a real bash."""
    bash_path = require_tool("bash")
    (tmp_path / "completion.bash").write_text(text)
    done = subprocess.run(
        [bash_path, "--norc", "--noprofile", "-c", BASH_DRIVER, "driver",
         str(tmp_path / "completion.bash"), *words],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0 and not done.stderr, done.stdout + done.stderr
    return [line for line in done.stdout.splitlines() if line]


def test_bash_completes_ad_to_add(on_path: dict[str, str], tmp_path: Path) -> None:
    if "add" not in COMMANDS:
        pytest.skip("`jobledger add` is being built on another branch (issue 8); not here yet")
    assert complete_bash(script("bash"), ["jobledger", "ad"], on_path, tmp_path) == ["add"]


def test_bash_completes_commands(on_path: dict[str, str], tmp_path: Path) -> None:
    text = script("bash")
    assert complete_bash(text, ["jobledger", "sta"], on_path, tmp_path) == ["status"]
    assert complete_bash(text, ["jobledger", "t"], on_path, tmp_path) == ["todo"]
    every = complete_bash(text, ["jobledger", ""], on_path, tmp_path)
    assert set(every) == COMMANDS and {"init", "completion", "check"} <= set(every)
    # With the add command as its branch declares it, `ad` completes to `add`.
    added = script("bash", with_add())
    assert complete_bash(added, ["jobledger", "ad"], on_path, tmp_path) == ["add"]


def test_bash_completes_options_and_their_values(on_path: dict[str, str], tmp_path: Path) -> None:
    text = script("bash")
    assert complete_bash(text, ["jobledger", "status", "--so"], on_path, tmp_path) == ["--sort"]
    assert complete_bash(text, ["jobledger", "status", "--sort", "st"], on_path, tmp_path) == [
        "stage",
        "status",
    ]
    assert complete_bash(text, ["jobledger", "todo", "--color", ""], on_path, tmp_path) == [
        "auto",
        "always",
        "never",
    ]
    assert complete_bash(text, ["jobledger", "report", "--by", "s"], on_path, tmp_path) == [
        "source"
    ]
    # --role=… : bash splits the word at '='.
    words = ["jobledger", "report", "-f", EXAMPLE, "--role", "=", "s"]
    assert complete_bash(text, words, on_path, tmp_path) == ["swe", "sales"]
    assert complete_bash(text, ["jobledger", "completion", ""], on_path, tmp_path) == [
        "bash",
        "zsh",
        "fish",
    ]


def test_bash_reads_roles_and_statuses_from_the_ledger(
    on_path: dict[str, str], tmp_path: Path
) -> None:
    text = script("bash")
    words = ["jobledger", "status", "-f", EXAMPLE, "--role", ""]
    assert complete_bash(text, words, on_path, tmp_path) == ["devrel", "swe", "sales", "other"]
    # No -f: $JOBLEDGER_FILE, as every command finds the ledger.
    env = {**on_path, "JOBLEDGER_FILE": EXAMPLE}
    assert complete_bash(text, ["jobledger", "todo", "--role", "d"], env, tmp_path) == ["devrel"]
    # Else the only *.jobs here; none: just the role every ledger has.
    (tmp_path / "mine.jobs").write_text('role pm "Product Manager"\n')
    words = ["jobledger", "status", "--role", ""]
    assert complete_bash(text, words, on_path, tmp_path, cwd=tmp_path) == ["pm", "other"]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert complete_bash(text, words, on_path, tmp_path, cwd=empty) == ["other"]
    words = ["jobledger", "status", "-f", EXAMPLE, "--status", "w"]
    assert complete_bash(text, words, on_path, tmp_path) == ["withdrawn"]


def test_bash_completes_kinds_and_names_for_add(on_path: dict[str, str], tmp_path: Path) -> None:
    text = script("bash", with_add())
    kinds = complete_bash(text, ["jobledger", "add", "-f", EXAMPLE, ""], on_path, tmp_path)
    assert kinds[:2] == ["wishlist", "applied"] and kinds[-1] == "note" and "rejected" in kinds
    names = ["jobledger", "add", "-f", EXAMPLE, "phone", "Ini"]
    assert complete_bash(text, names, on_path, tmp_path) == [
        r"Initech\ \|\ Senior\ Software\ Engineer"
    ]  # quoted for the shell: the name is one word
    quoted = ["jobledger", "add", "-f", EXAMPLE, "--date", "2026-03-20", "phone", "'Glo"]
    assert complete_bash(text, quoted, on_path, tmp_path) == ["'Globex | Software Engineer'"]


def test_a_ledger_with_errors_still_completes(on_path: dict[str, str], tmp_path: Path) -> None:
    broken = tmp_path / "broken.jobs"
    broken.write_text('role ops "Operations"\n2026-02-30 applied X\n2026-02-01 appled Y\n')
    words = ["jobledger", "status", "-f", str(broken), "--role", ""]
    assert complete_bash(script("bash"), words, on_path, tmp_path) == ["ops", "other"]


# ---------------------------------------------------------------- --list


@pytest.mark.parametrize("what", ["kinds", "roles", "statuses", "tags", "names"])
def test_list_golden(what: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "jobledger", "completion", "--list", what, "-f", EXAMPLE],
        env=cli_env({"JOBLEDGER_FILE": None}),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0 and done.stderr == ""
    check(ROOT / "tests" / "golden" / f"completion-{what}.txt", done.stdout)


def test_completion_needs_a_shell() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "jobledger", "completion"],
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "name a shell" in done.stderr


# ---------------------------------------------------------------- zsh and fish

ZSH_DRIVER = r"""
compdef() { print -r -- "compdef $*" }
compadd() { while [[ $1 != -- ]]; do shift; done; shift; print -rl -- "$@" }
_describe() { local name=${@[-1]}; print -rl -- ${${(P)name}%%:*} }
_files() { print -r -- "(files)" }
compset() { }
source "$1"
shift
words=("$@")
CURRENT=${#words}
_jobledger
"""


def complete_zsh(text: str, words: list[str], env: dict[str, str], tmp_path: Path) -> list[str]:
    """What the zsh function offers for `words` (zsh's own matching is stubbed out: all of
    the candidates, unfiltered)."""
    zsh_path = require_tool("zsh")
    (tmp_path / "_jobledger").write_text(text)
    done = subprocess.run(
        [zsh_path, "-f", "-c", ZSH_DRIVER, "driver", str(tmp_path / "_jobledger"), *words],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert not done.stderr, done.stderr
    return done.stdout.splitlines()


def test_zsh_script_parses_and_completes(on_path: dict[str, str], tmp_path: Path) -> None:
    zsh_path = require_tool("zsh")
    text = script("zsh")
    (tmp_path / "c.zsh").write_text(text)
    done = subprocess.run([zsh_path, "-n", str(tmp_path / "c.zsh")], capture_output=True)
    assert done.returncode == 0, done.stderr
    offered = complete_zsh(text, ["jobledger", "st"], on_path, tmp_path)
    assert offered[0] == "compdef _jobledger jobledger"  # registered when sourced
    assert "status" in offered and "todo" in offered
    assert "add" in complete_zsh(script("zsh", with_add()), ["jobledger", "ad"], on_path, tmp_path)
    words = ["jobledger", "status", "-f", EXAMPLE, "--role", ""]
    assert complete_zsh(text, words, on_path, tmp_path)[1:] == ["devrel", "swe", "sales", "other"]
    words = ["jobledger", "status", "--sort", ""]
    assert complete_zsh(text, words, on_path, tmp_path)[1:] == [
        "last", "first", "name", "role", "stage", "status",
    ]  # fmt: skip
    assert complete_zsh(text, ["jobledger", "report", ""], on_path, tmp_path)[1:] == ["(files)"]
    words = ["jobledger", "add", "-f", EXAMPLE, "phone", ""]
    names = complete_zsh(script("zsh", with_add()), words, on_path, tmp_path)
    assert "Initech | Senior Software Engineer" in names


def complete_fish(text: str, line: str, env: dict[str, str], tmp_path: Path) -> list[str]:
    """fish's own completion of `line` (complete -C), the descriptions left out."""
    fish_path = require_tool("fish")
    (tmp_path / "jobledger.fish").write_text(text)
    command = f"source {tmp_path / 'jobledger.fish'}; complete -C{line!r}"
    done = subprocess.run(
        [fish_path, "--no-config", "-c", command],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0 and not done.stderr, done.stderr
    return [entry.split("\t")[0] for entry in done.stdout.splitlines()]


def test_fish_script_parses_and_completes(on_path: dict[str, str], tmp_path: Path) -> None:
    fish_path = require_tool("fish")
    text = script("fish")
    (tmp_path / "c.fish").write_text(text)
    done = subprocess.run([fish_path, "-n", str(tmp_path / "c.fish")], capture_output=True)
    assert done.returncode == 0, done.stderr
    assert complete_fish(text, "jobledger sta", on_path, tmp_path) == ["status"]
    assert complete_fish(script("fish", with_add()), "jobledger ad", on_path, tmp_path) == ["add"]
    assert complete_fish(text, "jobledger status --so", on_path, tmp_path) == ["--sort"]
    line = f"jobledger todo -f {EXAMPLE} --role "
    assert sorted(complete_fish(text, line, on_path, tmp_path)) == [
        "devrel", "other", "sales", "swe",
    ]  # fmt: skip
    line = f"jobledger add -f {EXAMPLE} phone Glo"
    names = complete_fish(script("fish", with_add()), line, on_path, tmp_path)
    assert names == ["Globex | Software Engineer"]
    line = f"jobledger add -f {EXAMPLE} "
    kinds = complete_fish(script("fish", with_add()), line, on_path, tmp_path)
    assert "applied" in kinds and "note" in kinds and "Globex | Software Engineer" not in kinds
