"""Shared pytest fixtures and helpers for the jobledger test suite.

External tools (Chromium, Vim, Java, axe-core) are optional on a developer machine: a test that
needs a missing tool is skipped. In CI, ``.ci/run`` exports ``JOBLEDGER_REQUIRE_TOOLS=1`` and a
missing tool becomes a test failure instead, so CI can never pass by silently skipping.

Fixtures:

* ``repo_root`` -> Path of the repository root.
* ``artifacts_dir`` -> ``<repo>/artifacts/`` (created; gitignored), for screenshots and reports.
* ``home_dir`` -> a fresh directory under $HOME (real editors treat /tmp specially), removed after.
* ``chromium_path``, ``vim_path``, ``java_path`` -> absolute path (str) of the executable.
* ``axe_js_path`` -> Path of ``node_modules/axe-core/axe.min.js`` (installed by ``npm ci``).
* ``browser`` (session) -> Playwright sync-API ``Browser``: Debian's /usr/bin/chromium, headless.
* ``page`` -> a fresh Playwright ``Page`` in its own browser context, closed after the test.
* ``run_cli`` -> ``run_cli(*args, cwd=None, env=None, input=None)`` runs
  ``python -m jobledger *args`` and returns ``subprocess.CompletedProcess[str]``.

Helpers importable from tests (``from conftest import require_tool``):

* ``require_tool(name) -> str``: path of an executable on PATH, or skip/fail.
* ``missing_tool(message) -> NoReturn``: skip locally, fail under JOBLEDGER_REQUIRE_TOOLS=1.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, Protocol

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

REPO_ROOT = Path(__file__).resolve().parent.parent
SRC_DIR = REPO_ROOT / "src"

#: Set to 1 (as .ci/run does) to turn "tool missing -> skip" into "tool missing -> fail".
REQUIRE_TOOLS_ENV = "JOBLEDGER_REQUIRE_TOOLS"

#: Debian's Chromium. Playwright must never download a browser of its own.
CHROMIUM_EXECUTABLE = "/usr/bin/chromium"

#: Without the background-networking flags Chromium keeps opening connections that this machine's
#: closed network refuses.
CHROMIUM_ARGS: tuple[str, ...] = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)

AXE_JS = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"

CLI_TIMEOUT_SECONDS = 60


# ---------------------------------------------------------------------------------------------
# The parse cache: on, as for a user, but never the user's own (~/.cache/jobledger)
# ---------------------------------------------------------------------------------------------

_TEST_CACHE_HOME: str | None = None


def pytest_configure(config: pytest.Config) -> None:
    """Every run (in process and CLI subprocesses alike) caches in a directory of its own."""
    global _TEST_CACHE_HOME
    _TEST_CACHE_HOME = tempfile.mkdtemp(prefix="jobledger-test-cache-")
    os.environ["XDG_CACHE_HOME"] = _TEST_CACHE_HOME


def pytest_unconfigure(config: pytest.Config) -> None:
    if _TEST_CACHE_HOME is not None:
        shutil.rmtree(_TEST_CACHE_HOME, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# Tool requirements
# ---------------------------------------------------------------------------------------------


def tools_required() -> bool:
    """True when missing external tools must fail the test run (CI)."""
    return os.environ.get(REQUIRE_TOOLS_ENV, "").strip().lower() not in ("", "0", "false", "no")


def missing_tool(message: str) -> NoReturn:
    """Skip the current test, or fail it when JOBLEDGER_REQUIRE_TOOLS=1."""
    if tools_required():
        pytest.fail(f"{message} ({REQUIRE_TOOLS_ENV} is set, so this is an error)", pytrace=False)
    pytest.skip(message)


def require_tool(name: str) -> str:
    """Absolute path of executable ``name`` (a bare name looked up on PATH, or a path)."""
    path = shutil.which(name)
    if path is None:
        missing_tool(f"required tool {name!r} not found on PATH")
    return path


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture
def home_dir(repo_root: Path) -> Iterator[Path]:
    """A fresh directory under $HOME, for real editors: emacs makes no backup of a file in
    /tmp, and vim skips its backup there ('backupskip'). Falls back to build/ when $HOME is
    read-only."""
    base = os.path.expanduser("~")
    if not os.access(base, os.W_OK):
        base = str(repo_root / "build")
        os.makedirs(base, exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix="jobledger-editor-", dir=base))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    path = REPO_ROOT / "artifacts"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def chromium_path() -> str:
    return require_tool(CHROMIUM_EXECUTABLE)


@pytest.fixture(scope="session")
def vim_path() -> str:
    return require_tool("vim")


@pytest.fixture(scope="session")
def java_path() -> str:
    return require_tool("java")


@pytest.fixture(scope="session")
def axe_js_path() -> Path:
    if not AXE_JS.is_file():
        missing_tool(f"axe-core not installed ({AXE_JS} missing; run `npm ci` in the repo root)")
    return AXE_JS


# ---------------------------------------------------------------------------------------------
# Browser (Playwright, sync API, Debian's Chromium)
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Browser]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing_tool("playwright is not installed (pip install -e '.[test]')")

    playwright = sync_playwright().start()
    try:
        launched = playwright.chromium.launch(
            executable_path=chromium_path,
            headless=True,
            args=list(CHROMIUM_ARGS),
        )
        try:
            yield launched
        finally:
            launched.close()
    finally:
        playwright.stop()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh page in its own context (no cookies/storage shared between tests)."""
    context = browser.new_context()
    try:
        new_page = context.new_page()
        yield new_page
        new_page.close()
    finally:
        context.close()


# ---------------------------------------------------------------------------------------------
# Running the command-line interface
# ---------------------------------------------------------------------------------------------


class RunCli(Protocol):
    def __call__(
        self,
        *args: str | os.PathLike[str],
        cwd: str | os.PathLike[str] | None = None,
        env: Mapping[str, str | None] | None = None,
        input: str | None = None,
    ) -> subprocess.CompletedProcess[str]: ...


def cli_env(env: Mapping[str, str | None] | None = None) -> dict[str, str]:
    """The environment for a CLI subprocess: ours, plus ``env`` (a None value removes a key).

    ``src/`` is put first on PYTHONPATH so the working tree is what runs, installed or not.
    """
    merged = dict(os.environ)
    merged["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(SRC_DIR), merged.get("PYTHONPATH", "")) if p
    )
    for key, value in (env or {}).items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


def _run_cli(
    *args: str | os.PathLike[str],
    cwd: str | os.PathLike[str] | None = None,
    env: Mapping[str, str | None] | None = None,
    input: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m jobledger *args``; stdin is empty unless ``input`` is given."""
    return subprocess.run(
        [sys.executable, "-m", "jobledger", *(os.fspath(a) for a in args)],
        cwd=cwd,
        env=cli_env(env),
        input=input,
        stdin=subprocess.DEVNULL if input is None else None,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=CLI_TIMEOUT_SECONDS,
        check=False,
    )


@pytest.fixture
def run_cli() -> RunCli:
    """``run_cli(*args, cwd=None, env=None, input=None) -> CompletedProcess[str]``.

    ``env`` is merged over the current environment (a None value removes a variable).
    Never raises on a non-zero exit: check ``.returncode``, ``.stdout``, ``.stderr``.
    """
    return _run_cli
