"""The built wheel is complete and works when installed on its own, away from the source tree.

Builds a wheel with ``pip wheel``, installs it (with its dependencies from the package index)
into a brand-new virtualenv that cannot see this environment's site-packages, and runs the
installed ``jobledger`` script from an unrelated directory.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from collections.abc import Sequence
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent

VALID_LEDGER = "2026-02-03 applied Docker | Developer Advocate\n"

BUILD_TIMEOUT_SECONDS = 600


def _clean_env() -> dict[str, str]:
    """Our environment without anything that would let the new venv see the source tree."""
    env = dict(os.environ)
    for key in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP"):
        env.pop(key, None)
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def _run(
    cmd: Sequence[str | os.PathLike[str]], cwd: Path, timeout: float = BUILD_TIMEOUT_SECONDS
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [os.fspath(c) for c in cmd],
        cwd=cwd,
        env=_clean_env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
        check=False,
    )
    return result


def _describe(result: subprocess.CompletedProcess[str]) -> str:
    return (
        f"command: {result.args}\nexit: {result.returncode}\n"
        f"--- stdout ---\n{result.stdout}\n--- stderr ---\n{result.stderr}"
    )


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheelhouse")
    result = _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", out, REPO_ROOT], cwd=REPO_ROOT
    )
    assert result.returncode == 0, _describe(result)
    wheels = sorted(out.glob("jobledger-*.whl"))
    assert len(wheels) == 1, f"expected one jobledger wheel, found {wheels}\n{_describe(result)}"
    return wheels[0]


@pytest.fixture(scope="module")
def installed_venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv (no system site-packages) with only the wheel and its dependencies."""
    venv = tmp_path_factory.mktemp("venv")
    result = _run([sys.executable, "-m", "venv", venv], cwd=venv)
    assert result.returncode == 0, _describe(result)
    result = _run([venv / "bin" / "python", "-m", "pip", "install", wheel], cwd=venv)
    assert result.returncode == 0, _describe(result)
    return venv


def test_wheel_contains_grammar_and_templates(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
    assert "jobledger/grammar/jobs.lark" in names, names
    templates = [
        n for n in names if n.startswith("jobledger/render/templates/") and not n.endswith("/")
    ]
    assert templates, f"no files under jobledger/render/templates/ in the wheel: {names}"
    assert "jobledger/__init__.py" in names, names
    assert "jobledger/cli/__init__.py" in names, names


def test_installed_wheel_runs_from_another_directory(installed_venv: Path, tmp_path: Path) -> None:
    workdir = tmp_path / "elsewhere"
    workdir.mkdir()
    script = installed_venv / "bin" / "jobledger"
    assert script.is_file(), f"console script not installed: {script}"

    # The package imported by the venv is the installed copy, not the source tree.
    where = _run(
        [installed_venv / "bin" / "python", "-c", "import jobledger; print(jobledger.__file__)"],
        cwd=workdir,
        timeout=60,
    )
    assert where.returncode == 0, _describe(where)
    imported = Path(where.stdout.strip()).resolve()
    assert imported.is_relative_to(installed_venv.resolve()), imported

    helped = _run([script, "--help"], cwd=workdir, timeout=60)
    assert helped.returncode == 0, _describe(helped)
    assert helped.stdout.strip(), _describe(helped)

    ledger = workdir / "hunt.jobs"
    ledger.write_text(VALID_LEDGER, encoding="utf-8")
    checked = _run([script, "check", ledger.name], cwd=workdir, timeout=60)
    assert checked.returncode == 0, _describe(checked)
