"""`jobledger status` and `jobledger todo` (issue 8): golden output on the example, the table
fitted to the terminal, colour only when wanted, sorting, filters, nothing due."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import cli_env
from helpers import report
from test_golden import check

from jobledger.records import replace
from jobledger.render.terminal import (
    color_wanted,
    fit,
    render_todo,
    truncate,
    visible,
    width,
)

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"
EXAMPLE = ["examples/blueprint.jobs", "--as-of", "2026-03-15"]
SGR = re.compile(r"\x1b\[[0-9;]*m")


def run(*args: str, columns: int | None = 100, **env: str) -> subprocess.CompletedProcess[str]:
    """The CLI with stdout a pipe; COLUMNS fixes the width (None: no COLUMNS at all)."""
    extra: dict[str, str | None] = {"COLUMNS": None if columns is None else str(columns)}
    extra |= {"NO_COLOR": None, "JOBLEDGER_FILE": None, **env}
    return subprocess.run(
        [sys.executable, "-m", "jobledger", *args],
        cwd=ROOT,
        env=cli_env(extra),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )


def on_a_terminal(*args: str, **env: str) -> str:
    """The CLI's output when its stdout is a terminal (a pseudo-terminal)."""
    main, secondary = pty.openpty()
    extra: dict[str, str | None] = {"NO_COLOR": None, "TERM": "xterm", "COLUMNS": "100", **env}
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "jobledger", *args],
            cwd=ROOT,
            env=cli_env(extra),
            stdout=secondary,
            stderr=subprocess.DEVNULL,
        )
        os.close(secondary)
        chunks = []
        while True:
            try:
                chunk = os.read(main, 65536)
            except OSError:  # EIO: the other side closed
                break
            if not chunk:
                break
            chunks.append(chunk)
        assert process.wait(timeout=60) == 0
    finally:
        os.close(main)
    return b"".join(chunks).decode("utf-8")


def rows(output: str) -> list[str]:
    """The application of each table row (the first column), header and footer left out."""
    lines = output.splitlines()[1:-1]
    return [re.split(r"\s{2,}", line)[0] for line in lines]


# ---------------------------------------------------------------- golden


def test_status_golden() -> None:
    done = run("status", *EXAMPLE, "--color=never")
    assert done.returncode == 0, done.stderr
    check(GOLDEN / "status.txt", done.stdout)


def test_todo_golden() -> None:
    done = run("todo", *EXAMPLE, "--color=never")
    assert done.returncode == 0, done.stderr
    check(GOLDEN / "todo.txt", done.stdout)


# ---------------------------------------------------------------- fitting the terminal


@pytest.mark.parametrize("columns", [30, 50, 72, 80, 100, 132])
@pytest.mark.parametrize("command", ["status", "todo"])
def test_every_line_fits_the_width(command: str, columns: int) -> None:
    done = run(command, *EXAMPLE, columns=columns)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines and all(width(line) <= columns for line in lines), done.stdout
    if command == "status":
        assert len(lines) == 17 + 2  # header, one line an application, footer: none wrapped


def test_the_widest_column_gives_way_first() -> None:
    whole = run("status", *EXAMPLE, columns=None).stdout
    assert "…" not in whole  # a pipe without COLUMNS gets whole lines
    natural = max(map(width, whole.splitlines()))
    assert natural == 131
    assert run("status", *EXAMPLE, columns=natural).stdout == whole
    # One column short: the widest column (the stage) gives way, and only it.
    cut = run("status", *EXAMPLE, columns=natural - 1).stdout
    assert [line for line in cut.splitlines() if "…" in line] == [
        line for line in cut.splitlines() if "Response, No Interview Y… " in line
    ]
    # Narrower: the next widest join it; the application's name keeps twice their room.
    narrow = run("status", *EXAMPLE, columns=120).stdout
    assert "Initech — Senior Software Engineer  Software Engineer  " in narrow
    assert "Response, No Interv…  active" in narrow and "withdrawn at Phone …  " in narrow


def test_numbers_and_dates_are_never_cut() -> None:
    narrow = run("status", *EXAMPLE, columns=60).stdout
    assert [line.split()[-1] for line in narrow.splitlines()[1:3]] == ["3", "3"]
    todo = run("todo", *EXAMPLE, columns=70).stdout
    assert "Tue 2026-03-17  in 2 days" in todo and "since 2026-03-02" in todo


def test_fit_shrinks_the_widest_down_to_the_floors() -> None:
    assert fit([10, 5], 0, [6, 5]) == [10, 5]  # no limit
    assert fit([30, 10, 8], 40, [6, 6, 8]) == [18, 10, 8]  # only the widest gives way
    assert fit([30, 20], 40, [6, 6]) == [19, 19]  # then both, widest first
    assert fit([30, 20], 40, [6, 6], [2, 1]) == [25, 13]  # weight 2 keeps twice the room
    assert fit([30, 20], 5, [6, 6]) == [6, 6]  # no further than the floors
    assert fit([10**6, 4], 80, [6, 4]) == [74, 4]  # a huge cell is cheap to fit


def test_truncate_counts_wide_characters() -> None:
    assert truncate("abcdef", 4) == "abc…"
    assert truncate("abc", 3) == "abc"
    assert width("日本語") == 6 and truncate("日本語の会社", 5) == "日本…"
    assert width("e\u0301") == 1  # a combining accent takes no column


def test_wide_names_fit_too(tmp_path: Path) -> None:
    ledger = tmp_path / "wide.jobs"
    ledger.write_text(
        "2026-03-01 applied 株式会社サンプルテクノロジーズ | ソフトウェアエンジニア\n"
        "2026-03-02 applied Acme | Staff Engineer\n",
        encoding="utf-8",
    )
    for columns in (40, 60):
        done = run("status", str(ledger), "--as-of", "2026-03-15", columns=columns)
        assert done.returncode == 0
        assert all(width(line) <= columns for line in done.stdout.splitlines()), done.stdout


# ---------------------------------------------------------------- colour


@pytest.mark.parametrize("command", ["status", "todo"])
def test_color_only_when_wanted(command: str) -> None:
    assert "\x1b" not in run(command, *EXAMPLE).stdout  # auto, into a pipe
    assert "\x1b" not in run(command, *EXAMPLE, "--color=never").stdout
    always = run(command, *EXAMPLE, "--color=always", NO_COLOR="1").stdout  # the flag wins
    assert SGR.search(always)
    assert SGR.sub("", always) == run(command, *EXAMPLE).stdout  # colour changes nothing else


def test_color_on_a_terminal_unless_no_color() -> None:
    assert SGR.search(on_a_terminal("status", *EXAMPLE))
    assert SGR.search(on_a_terminal("todo", *EXAMPLE))
    assert "\x1b" not in on_a_terminal("status", *EXAMPLE, NO_COLOR="1")
    assert "\x1b" not in on_a_terminal("status", *EXAMPLE, TERM="dumb")
    assert "\x1b" not in on_a_terminal("status", *EXAMPLE, "--color=never")


def test_color_wanted() -> None:
    assert color_wanted("auto", True, {})
    assert not color_wanted("auto", False, {})
    assert not color_wanted("auto", True, {"NO_COLOR": "1"})
    assert color_wanted("auto", True, {"NO_COLOR": ""})  # no-color.org: set and not empty
    assert color_wanted("always", False, {"NO_COLOR": "1"})
    assert not color_wanted("never", True, {})


def test_ledger_text_never_drives_the_terminal(tmp_path: Path) -> None:
    ledger = tmp_path / "esc.jobs"
    ledger.write_text(
        'role swe "Soft\x1b[31mware"\n'
        "2026-03-01 applied Evil\x1b]0;pwned\x07Corp | Dev\x9b2J #swe\n"
        "2026-03-20 phone Evil\x1b]0;pwned\x07Corp | Dev\x9b2J\n",
        encoding="utf-8",
    )
    for command in ("status", "todo"):
        for color in ("never", "always"):
            done = run(command, str(ledger), "--as-of", "2026-03-15", f"--color={color}")
            assert done.returncode == 0, done.stderr
            assert "\x07" not in done.stdout and "\x9b" not in done.stdout
            assert "\x1b" not in SGR.sub("", done.stdout), repr(done.stdout)
            assert "Evil\ufffd]0;pwned\ufffdCorp" in done.stdout
    assert visible("a\tb\nc\u202ed") == "a\ufffdb\ufffdc\ufffdd"


def test_stage_names_never_drive_the_terminal_either(tmp_path: Path) -> None:
    ledger = tmp_path / "stages.jobs"
    ledger.write_text(
        'stage wish "Wish"\nstage sent "Sent\x1b[2J" "Sen\x1b]0;x\x07t"\nstage done "Done"\n'
        "2026-03-10 sent Acme\n",
        encoding="utf-8",
    )
    for command in ("status", "todo"):
        done = run(command, str(ledger), "--as-of", "2026-03-15")
        assert done.returncode == 0, done.stderr
        assert "\x1b" not in done.stdout and "\x07" not in done.stdout, repr(done.stdout)
    assert "This week: 1 sen\ufffd]0;x\ufffdt since Monday" in done.stdout


# ---------------------------------------------------------------- sorting and filters


@pytest.mark.parametrize(
    ("sort", "first", "last"),
    [
        ("last", "Initech — Senior Software Engineer", "Shopify — Backend Engineer"),
        ("first", "HashiCorp — Software Engineer", "Shopify — Backend Engineer"),
        ("name", "Acme Robotics — Software Engineer", "Vercel — Developer Advocate"),
        ("role", "Twilio — DevRel Engineer", "City Library — Web Developer"),
        ("stage", "Initech — Senior Software Engineer", "Shopify — Backend Engineer"),
        ("status", "Initech — Senior Software Engineer", "Twilio — DevRel Engineer"),
    ],
)
def test_sort(sort: str, first: str, last: str) -> None:
    shown = rows(run("status", *EXAMPLE, "--sort", sort, columns=None).stdout)
    assert (shown[0], shown[-1]) == (first, last), shown
    assert len(shown) == 17


def test_names_sort_in_any_case(tmp_path: Path) -> None:
    ledger = tmp_path / "case.jobs"
    ledger.write_text("2026-03-01 applied Zeta\n2026-03-02 applied acme\n2026-03-03 applied Beta\n")
    shown = rows(run("status", str(ledger), "--as-of", "2026-03-15", "--sort", "name").stdout)
    assert shown == ["acme", "Beta", "Zeta"]


def test_sorted_by_last_activity_by_default() -> None:
    default = rows(run("status", *EXAMPLE, columns=None).stdout)
    assert default == rows(run("status", *EXAMPLE, "--sort", "last", columns=None).stdout)
    # Initech and Twilio were both last heard of on 12 March: the name breaks the tie.
    assert default[:3] == [
        "Initech — Senior Software Engineer",
        "Twilio — DevRel Engineer",
        "HashiCorp — Software Engineer",
    ]


def test_status_sort_groups_each_status() -> None:
    out = run("status", *EXAMPLE, "--sort", "status", columns=None).stdout
    statuses = [re.split(r"\s{2,}", line)[3] for line in out.splitlines()[1:-1]]
    assert statuses[:10] == ["active"] * 10
    assert statuses[10] == "ghosted (inferred)"
    assert [s.split()[0] for s in statuses[11:]] == ["rejected"] * 4 + ["withdrawn", "ghosted"]


def test_status_filters() -> None:
    swe = rows(run("status", *EXAMPLE, "--role", "swe", columns=None).stdout)
    assert len(swe) == 8 and "City Library — Web Developer" not in swe
    active = run("status", *EXAMPLE, "--status", "active", "--tag", "remote", columns=None)
    assert rows(active.stdout) == [
        "Netlify — Developer Advocate",
        "GitLab — Software Engineer",
        "Shopify — Backend Engineer",
    ]
    assert active.stdout.splitlines()[-1] == (
        "3 applications as of 2026-03-15 · only tag remote · status active"
    )
    cohort = rows(run("status", *EXAMPLE, "--since", "2026-02", "--until", "2026-02").stdout)
    assert len(cohort) == 5  # applied in February
    assert rows(run("status", *EXAMPLE, "--company", "GLOBEX").stdout) == [
        "Globex — Software Engineer"
    ]
    none = run("status", *EXAMPLE, "--company", "nobody")
    assert none.returncode == 0 and none.stdout == 'no applications match: company "nobody"\n'


@pytest.mark.parametrize("command", ["status", "todo"])
def test_a_filter_that_names_nothing_is_a_usage_error(command: str) -> None:
    done = run(command, *EXAMPLE, "--role", "sw")
    assert done.returncode == 2 and "did you mean 'swe'?" in done.stderr
    assert run(command, *EXAMPLE, "--by", "role").returncode == 2  # no --by here


def test_todo_filters() -> None:
    devrel = run("todo", *EXAMPLE, "--role", "devrel").stdout
    assert "Netlify — Developer Advocate" in devrel and "Vercel" in devrel
    assert "Globex" not in devrel and "Shopify" not in devrel
    assert "This week: 0 applied since Monday 2026-03-09" in devrel


# ---------------------------------------------------------------- todo


def test_todo_order_and_window() -> None:
    out = run("todo", *EXAMPLE).stdout
    headings = [line for line in out.splitlines() if line and not line.startswith(" ")]
    assert headings == [
        "Coming up (next 7 days)",
        "Follow up (silent 7+ days)",
        "Apply or drop (never applied to)",
        "This week: 0 applied since Monday 2026-03-09; your average is 1.6 a week (11 in 7 weeks).",
    ]
    assert "Initech" not in out.split("Follow up")[0]  # its note is 8 days away
    later = run("todo", "examples/blueprint.jobs", "--as-of", "2026-03-16").stdout
    assert "Mon 2026-03-23  in 7 days  Note" in later


def test_todo_shows_today_and_comments() -> None:
    rep = report(
        """\
        2026-03-01 applied A | Dev
        2026-03-15 phone A | Dev
        2026-03-01 applied B | Dev
        2026-03-17 interview B | Dev
        """
    )
    booked = replace(rep.attention.upcoming[0], comment="bring the \x1b[2Jportfolio")
    rep = replace(rep, attention=replace(rep.attention, upcoming=(booked,)))
    out = render_todo(rep, available=0, color=False)
    assert "Sun 2026-03-15  today      Phone screen  A — Dev" in out
    assert "Tue 2026-03-17  in 2 days  Interview     B — Dev  ; bring the \ufffd[2Jportfolio" in out


def test_nothing_due(tmp_path: Path) -> None:
    ledger = tmp_path / "calm.jobs"
    ledger.write_text("2026-03-12 applied Acme | Dev\n2026-03-13 response Acme | Dev\n")
    done = run("todo", str(ledger), "--as-of", "2026-03-15")
    assert done.returncode == 0
    assert done.stdout == (
        "nothing due\n\nThis week: 1 applied since Monday 2026-03-09 (your first week).\n"
    )
    ledger.write_text("; nothing yet\n")
    done = run("todo", str(ledger), "--as-of", "2026-03-15")
    assert (done.returncode, done.stdout) == (0, "nothing due\n")
    assert run("status", str(ledger)).stdout == "no applications\n"


@pytest.mark.parametrize("command", ["status", "todo"])
def test_a_broken_ledger_exits_1_with_its_errors(command: str, tmp_path: Path) -> None:
    ledger = tmp_path / "bad.jobs"
    ledger.write_text("2026-03-01 appled Acme\n")
    done = run(command, str(ledger))
    assert done.returncode == 1 and done.stdout == ""
    assert "unknown kind 'appled'" in done.stderr and "1 error" in done.stderr


@pytest.mark.parametrize("command", ["status", "todo"])
def test_no_jinja2_no_watchdog(command: str) -> None:
    code = (
        "import sys, io, contextlib\n"
        "from jobledger.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    assert main(['{command}', 'examples/blueprint.jobs', '--as-of', '2026-03-15']) == 0\n"
        "print(','.join(m for m in ('jinja2', 'watchdog') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=cli_env(), capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""


def test_the_readme_shows_real_todo_output() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    daily = readme[readme.index("## Daily use") : readme.index("## A short tour")]
    (block,) = re.findall(r"^```text\n(.*?)^```", daily, re.M | re.S)
    assert (GOLDEN / "todo.txt").read_text("utf-8").startswith(block)
