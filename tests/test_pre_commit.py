"""`.pre-commit-hooks.yaml` (issue 8), tested with the pre-commit tool itself: a temporary
repository that keeps a ledger uses this repository's hooks, as a user's would, at a commit."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from conftest import require_tool

from jobledger.cli.arguments import build_parser
from jobledger.cli.completion import describe

ROOT = Path(__file__).resolve().parent.parent
# What pip needs to install jobledger from a copy of this working tree.
PROJECT = ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "src", "grammar")
HAS_FMT = "fmt" in {command.name for command in describe(build_parser())}

pytestmark = pytest.mark.timeout(900)  # the first run installs jobledger into pre-commit's env


def git(*args: str, cwd: Path) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=test", "-c", "user.email=test@example.invalid",
         "-c", "commit.gpgsign=false", *args],
        cwd=cwd, capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    return done.stdout.strip()


@pytest.fixture(scope="module")
def hooks_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """This working tree as it is now (committed or not), committed in a repository of its
    own: pre-commit installs hooks from a repository at a revision."""
    require_tool("git")
    repo = tmp_path_factory.mktemp("jobledger-hooks")
    for name in PROJECT:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, repo / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, repo / name)
    git("init", "-q", cwd=repo)
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", "jobledger under test", cwd=repo)
    return repo, git("rev-parse", "HEAD", cwd=repo)


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One pre-commit cache for the module: the hook environment is installed once."""
    yield tmp_path_factory.mktemp("pre-commit-home")


def project(tmp_path: Path, hooks: tuple[Path, str], *ids: str) -> Path:
    """A repository that keeps a ledger and uses our hooks at the commit under test."""
    repo, rev = hooks
    config = {"repos": [{"repo": str(repo), "rev": rev, "hooks": [{"id": hook} for hook in ids]}]}
    (tmp_path / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    git("init", "-q", cwd=tmp_path)
    return tmp_path


def pre_commit(home: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JOBLEDGER_", "PYTHON"))}
    env |= {"PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never", "GIT_CONFIG_NOSYSTEM": "1"}
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip


def test_the_hooks_file_declares_both_hooks() -> None:
    hooks = {
        hook["id"]: hook for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    }
    assert set(hooks) == {"jobledger-check", "jobledger-fmt"}
    for hook in hooks.values():
        assert hook["files"] == r"\.jobs$" and hook["language"] == "python"
    assert hooks["jobledger-check"]["entry"] == "jobledger check"
    assert hooks["jobledger-fmt"]["entry"] == "jobledger fmt --check"


def test_check_hook_passes_a_clean_ledger_and_fails_a_broken_one(
    tmp_path: Path, hooks_repo: tuple[Path, str], pre_commit_home: Path
) -> None:
    repo = project(tmp_path, hooks_repo, "jobledger-check")
    (repo / "hunt.jobs").write_text("2026-02-03 applied Docker | Developer Advocate\n")
    (repo / "notes.txt").write_text("2026-02-03 appled not a ledger\n")  # not a .jobs file
    git("add", "-A", cwd=repo)
    done = pre_commit(pre_commit_home, repo, "--all-files")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "jobledger check" in done.stdout and "Passed" in done.stdout

    (repo / "hunt.jobs").write_text("2026-02-03 appled Docker | Developer Advocate\n")
    git("add", "-A", cwd=repo)
    done = pre_commit(pre_commit_home, repo, "--all-files")
    assert done.returncode == 1
    assert "Failed" in done.stdout and "- hook id: jobledger-check" in done.stdout
    assert "hunt.jobs:1:12: error: unknown kind 'appled' [JL220]" in done.stdout
    assert "  hint: did you mean 'applied'?" in done.stdout
    assert "1 file read: 1 error, 0 warnings" in done.stdout


def test_check_hook_skips_a_commit_without_ledgers(
    tmp_path: Path, hooks_repo: tuple[Path, str], pre_commit_home: Path
) -> None:
    repo = project(tmp_path, hooks_repo, "jobledger-check")
    (repo / "README").write_text("no ledger here\n")
    git("add", "-A", cwd=repo)
    done = pre_commit(pre_commit_home, repo, "--all-files")
    assert done.returncode == 0 and "(no files to check)Skipped" in done.stdout


@pytest.mark.skipif(not HAS_FMT, reason="`jobledger fmt` is built on the fmt branch (issue 8)")
def test_fmt_hook(tmp_path: Path, hooks_repo: tuple[Path, str], pre_commit_home: Path) -> None:
    repo = project(tmp_path, hooks_repo, "jobledger-fmt")
    (repo / "hunt.jobs").write_text("2026-02-03 applied Docker | Developer Advocate\n")
    git("add", "-A", cwd=repo)
    done = pre_commit(pre_commit_home, repo, "--all-files")
    assert done.returncode == 0, done.stdout + done.stderr
    (repo / "hunt.jobs").write_text("2026-02-03    applied   Docker  |  Developer Advocate\n")
    git("add", "-A", cwd=repo)
    done = pre_commit(pre_commit_home, repo, "--all-files")
    assert done.returncode == 1 and "- hook id: jobledger-fmt" in done.stdout
    assert (repo / "hunt.jobs").read_text().startswith("2026-02-03    applied")  # --check only
