"""The command line as a user meets it: real files, real processes, exit codes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import cmarkgfm  # type: ignore[import-untyped]
import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "blueprint.jobs"
GOOD = "2026-02-03 applied Docker | Developer Advocate\n"


def jobledger(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    inherited = {k: v for k, v in os.environ.items() if k != "JOBLEDGER_FILE"}
    full_env = {**inherited, "PYTHONPATH": str(ROOT / "src"), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "jobledger", *args],
        cwd=cwd or ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_report_on_the_example() -> None:
    done = jobledger("report", str(EXAMPLE), "--as-of", "2026-03-15")
    assert done.returncode == 0, done.stderr
    assert done.stdout == (ROOT / "tests" / "golden" / "blueprint.md").read_text("utf-8")


def test_report_json_is_stable_and_documented_keys() -> None:
    done = jobledger("report", "-f", str(EXAMPLE), "--format", "json", "--as-of", "2026-03-15")
    data = json.loads(done.stdout)
    for key in (
        "as_of",
        "title",
        "stages",
        "outcomes",
        "totals",
        "funnel",
        "groups",
        "applications",
        "attention",
        "insights",
    ):
        assert key in data
    assert set(data["totals"]) >= {"tracked", "active", "accepted", "ghosted_inferred", "outcomes"}
    assert set(data["funnel"][0]) >= {"key", "label", "at", "reached", "conversion", "of_base"}
    assert set(data["groups"][0]) >= {"key", "label", "tracked", "funnel", "exits"}
    assert set(data["applications"][0]) >= {
        "company",
        "title",
        "role",
        "tags",
        "meta",
        "stage",
        "highest_stage",
        "status",
        "inferred",
        "first_date",
        "last_date",
        "history",
    }
    assert {a["kind"] for a in data["attention"]} == {"follow-up", "apply-or-drop", "upcoming"}
    assert set(data["attention"][0]) >= {"kind", "company", "title", "date", "days"}


def test_check_clean_and_broken(tmp_path: Path) -> None:
    (tmp_path / "good.jobs").write_text(GOOD)
    done = jobledger("check", str(tmp_path / "good.jobs"))
    assert done.returncode == 0 and "0 errors" in done.stderr
    (tmp_path / "bad.jobs").write_text("2026-02-03 appled X\nnonsense\n")
    done = jobledger("check", str(tmp_path / "bad.jobs"))
    assert done.returncode == 1
    assert f"{tmp_path / 'bad.jobs'}:1:12: error: unknown kind 'appled'" in done.stderr
    assert f"{tmp_path / 'bad.jobs'}:2:1: error: not a valid line" in done.stderr
    assert "Traceback" not in done.stderr


def test_check_json(tmp_path: Path) -> None:
    (tmp_path / "bad.jobs").write_text("2026-02-03 appled X\n")
    done = jobledger("check", "--format", "json", str(tmp_path / "bad.jobs"))
    assert done.returncode == 1
    payload = json.loads(done.stdout)
    assert payload["errors"] == 1
    (item,) = payload["diagnostics"]
    assert (item["line"], item["column"], item["code"]) == (1, 12, "JL220")
    assert item["hint"] == "did you mean 'applied'?"


def test_strict(tmp_path: Path) -> None:
    (tmp_path / "w.jobs").write_text("2026-02-03 phone A\n2026-02-04 applied A\n")
    assert jobledger("check", str(tmp_path / "w.jobs")).returncode == 0
    assert jobledger("check", "--strict", str(tmp_path / "w.jobs")).returncode == 1


def test_report_with_errors_prints_them_and_exits_1(tmp_path: Path) -> None:
    (tmp_path / "bad.jobs").write_text("2026-02-30 applied A\n")
    done = jobledger("report", str(tmp_path / "bad.jobs"))
    assert done.returncode == 1 and done.stdout == ""
    assert "not a calendar date" in done.stderr


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert jobledger("report", "--as-of", "tomorrow", str(EXAMPLE)).returncode == 2
    assert jobledger("report", "--format", "pdf", str(EXAMPLE)).returncode == 2
    assert jobledger("frobnicate").returncode == 2
    done = jobledger("report", cwd=tmp_path)
    assert done.returncode == 2 and "no ledger given" in done.stderr


def test_file_discovery(tmp_path: Path) -> None:
    (tmp_path / "one.jobs").write_text(GOOD)
    assert jobledger("check", cwd=tmp_path).returncode == 0
    (tmp_path / "two.jobs").write_text(GOOD)
    done = jobledger("check", cwd=tmp_path)
    assert done.returncode == 2
    assert "one.jobs, two.jobs" in done.stderr
    env_file = tmp_path / "elsewhere.jobs"
    env_file.write_text("nonsense\n")
    done = jobledger("check", cwd=tmp_path, env={"JOBLEDGER_FILE": str(env_file)})
    assert done.returncode == 1 and "elsewhere.jobs:1:1" in done.stderr


def test_output_file_is_written_whole(tmp_path: Path) -> None:
    out = tmp_path / "report.md"
    out.write_text("old")
    done = jobledger("report", str(EXAMPLE), "-o", str(out), "--as-of", "2026-03-15")
    assert done.returncode == 0
    assert out.read_text("utf-8").startswith("# Spring 2026 job hunt")
    assert [p.name for p in tmp_path.iterdir()] == ["report.md"]  # no temp file left behind
    done = jobledger("report", str(EXAMPLE), "-o", str(tmp_path / "no" / "such" / "dir.md"))
    assert done.returncode == 2 and "Traceback" not in done.stderr


@pytest.mark.parametrize("fmt", ["json", "html"])
def test_a_reader_that_stops_early_gets_no_traceback(tmp_path: Path, fmt: str) -> None:
    """`jobledger report big.jobs | head`: the report goes out in pieces, and the pipe closes
    after the first; jobledger stops quietly, and as it did when it wrote in one go (0)."""
    ledger = tmp_path / "big.jobs"
    events = "".join(f"2026-02-{day:02d} applied Company{n} | Engineer\n" for n in range(3000)
                     for day in (1 + n % 28,))  # fmt: skip
    ledger.write_text(events, encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "jobledger", "report", str(ledger), "--format", fmt,
         "--as-of", "2026-03-15", "--no-cache"],
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.read(100)
    process.stdout.close()  # as `head -c 100` does
    error = process.stderr.read().decode()
    assert process.wait(timeout=60) == 0
    assert error == ""


def test_an_output_that_cannot_write_the_text_is_said_before_any_of_it(tmp_path: Path) -> None:
    ledger = tmp_path / "hunt.jobs"
    # the text it cannot write is in the last application's history only: far into the JSON
    lines = [f"2026-02-01 applied Acme{n} | Developer\n" for n in range(50)]
    ledger.write_text("".join(lines) + "2026-02-02 note Acme49 | Developer  ; café\n", "utf-8")
    done = jobledger(
        "report", str(ledger), "--format", "json", "--no-cache", "--as-of", "2026-03-01",
        env={"PYTHONIOENCODING": "ascii"},
    )  # fmt: skip
    assert done.returncode == 2 and done.stdout == ""
    assert "encoding (ascii) cannot write" in done.stderr and "Traceback" not in done.stderr


def test_template_override(tmp_path: Path) -> None:
    custom = tmp_path / "mine.md.j2"
    custom.write_text("{{ report.totals.tracked }} tracked, {{ report.funnel[1].reached }}\n")
    done = jobledger("report", str(EXAMPLE), "--template", str(custom), "--as-of", "2026-03-15")
    assert done.stdout == "17 tracked, 11\n"


def test_help_has_examples_for_every_command() -> None:
    from jobledger.cli.arguments import COMMANDS

    for command in sorted(COMMANDS):
        done = jobledger(command, "--help")
        assert done.returncode == 0
        assert "example" in done.stdout and "jobledger " + command in done.stdout


def test_help_and_check_do_not_import_jinja2_or_watchdog() -> None:
    def heavy_imports(modules: str) -> list[str]:
        code = (
            f"import sys, {modules}; "
            "print(','.join(m for m in ('jinja2', 'watchdog', 'lark') if m in sys.modules))"
        )
        done = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            env={"PYTHONPATH": str(ROOT / "src")},
            check=True,
        )
        return [m for m in done.stdout.strip().split(",") if m]

    assert heavy_imports("jobledger.cli") == []  # --help
    assert heavy_imports("jobledger.cli, jobledger.cli.check") == []  # check: no jinja2


def test_lark_is_loaded_only_when_a_file_is_not_in_the_parse_cache(tmp_path: Path) -> None:
    """A file found in the parse cache needs no parser: Lark's import is a third of a small
    report's start-up."""
    ledger = tmp_path / "hunt.jobs"
    shutil.copy(EXAMPLE, ledger)
    code = (
        "import sys; from jobledger.cli import main; "
        f"main(['check', {str(ledger)!r}]); print('lark' in sys.modules)"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "PYTHONPATH": str(ROOT / "src")}

    def loads_lark() -> bool:
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
        )
        return done.stdout.strip().endswith("True")

    assert loads_lark()  # cold: the file is parsed
    assert not loads_lark()  # warm
    with ledger.open("a", encoding="utf-8") as file:
        file.write("2026-03-16 note Globex | Software Engineer\n")
    assert loads_lark()  # changed: parsed again


@pytest.mark.parametrize("case", ["blueprint", "markdown-hostile", "custom-stages"])
def test_markdown_is_valid_gfm(case: str) -> None:
    """Render the golden Markdown with GitHub's own cmark-gfm and check the tables survive and
    no ledger text turned into markup."""
    text = (ROOT / "tests" / "golden" / f"{case}.md").read_text("utf-8")
    html = cmarkgfm.github_flavored_markdown_to_html(text)
    tables_in_source = text.count("\n|-") + text.count("\n|:")
    assert html.count("<table>") == tables_in_source
    for block in text.split("\n\n"):
        rows = [r for r in block.splitlines() if r.startswith("|")]
        if rows:
            widths = {len(cmarkgfm_cells(r)) for r in rows}
            assert len(widths) == 1, f"ragged table:\n{block}"
    assert "<script" not in html and "<b>" not in html and "<i>" not in html
    assert 'href="javascript' not in html


def cmarkgfm_cells(row: str) -> list[str]:
    """Split a GFM table row the way cmark-gfm does: on '|' not escaped with a backslash."""
    cells, current, escaped = [], "", False
    for char in row.strip()[1:-1]:
        if char == "|" and not escaped:
            cells.append(current)
            current = ""
        else:
            current += char
        escaped = char == "\\" and not escaped
    return [*cells, current]


def test_report_never_writes_over_the_ledger(tmp_path: Path) -> None:
    ledger = tmp_path / "hunt.jobs"
    ledger.write_text(GOOD)
    done = jobledger("report", str(ledger), "-o", str(ledger))
    assert done.returncode == 2 and "refusing" in done.stderr
    assert ledger.read_text() == GOOD


def test_broken_templates_are_usage_errors(tmp_path: Path) -> None:
    for body in ("{{ report.nope }", "{{ report.nope }}", b"\xff\xfe{{ x }}"):
        template = tmp_path / "t.md.j2"
        if isinstance(body, bytes):
            template.write_bytes(body)
        else:
            template.write_text(body)
        done = jobledger("report", str(EXAMPLE), "--template", str(template))
        assert done.returncode == 2, done.stderr
        assert done.stderr.startswith("jobledger: template ") and "Traceback" not in done.stderr
    done = jobledger("report", str(EXAMPLE), "--template", str(tmp_path / "missing"))
    assert done.returncode == 2 and "no such file" in done.stderr


def test_as_of_must_be_a_plain_date() -> None:
    for text in ("20260101", "2026-W01-1", "2026-02-30"):
        assert jobledger("report", str(EXAMPLE), "--as-of", text).returncode == 2


def test_output_errors_name_the_output(tmp_path: Path) -> None:
    done = jobledger("report", str(EXAMPLE), "-o", str(tmp_path))
    assert done.returncode == 2 and f"cannot write {tmp_path}: it is a directory" in done.stderr
    done = jobledger("report", str(EXAMPLE), "-o", str(tmp_path / "no" / "r.md"))
    assert ".jobledger-" not in done.stderr and "no such file or directory" in done.stderr


def test_output_through_a_symlinked_directory_is_still_the_ledger(tmp_path: Path) -> None:
    ledger = tmp_path / "hunt.jobs"
    ledger.write_text(GOOD)
    (tmp_path / "sub").symlink_to(".")
    done = jobledger("report", str(ledger), "-o", str(tmp_path / "sub" / "hunt.jobs"))
    assert done.returncode == 2 and ledger.read_text() == GOOD


def test_output_where_an_include_glob_would_read_it(tmp_path: Path) -> None:
    from jobledger.pipeline import is_ledger_file

    pattern = str(tmp_path / "*.jobs")
    assert is_ledger_file(str(tmp_path / "report.jobs"), (), (pattern,))
    assert not is_ledger_file(str(tmp_path / "report.html"), (), (pattern,))


def test_escape_sequences_never_reach_the_terminal(tmp_path: Path) -> None:
    (tmp_path / "esc.jobs").write_text("2026-01-01 ap\x1b[2Jplied B\x07\n")
    done = jobledger("check", str(tmp_path / "esc.jobs"))
    assert done.returncode == 1
    assert "\x1b" not in done.stderr and "\x07" not in done.stderr
    assert "unknown kind 'ap?[2Jplied'" in done.stderr


def test_compiled_templates_of_another_setup_are_never_reused(tmp_path: Path) -> None:
    """Jinja keys cached bytecode on template source only; ours also covers the environment's
    settings and Jinja's version, so an upgrade never runs stale compiled templates."""
    import jinja2

    from jobledger.render import templates

    env = templates.environment(None)
    assert isinstance(env.bytecode_cache, jinja2.FileSystemBytecodeCache)
    assert env.bytecode_cache.pattern == templates.cache_pattern(jinja2.__version__)

    def compile_with(settings: bytes, version: str) -> None:
        cache = jinja2.FileSystemBytecodeCache(
            str(tmp_path), templates.cache_pattern(version, settings)
        )
        loader = jinja2.DictLoader({"t.j2": "{{ x }}"})
        jinja2.Environment(loader=loader, bytecode_cache=cache).get_template("t.j2")

    compile_with(b"settings of one release", "3.1.6")
    compile_with(b"settings of one release", "3.1.6")  # the same setup: reused
    assert len(list(tmp_path.iterdir())) == 1
    compile_with(b"settings of the next release", "3.1.6")  # an upgrade of jobledger
    compile_with(b"settings of the next release", "3.2.0")  # an upgrade of Jinja
    assert len(list(tmp_path.iterdir())) == 3


def test_a_jinja_cache_directory_someone_else_made_costs_speed_not_the_report(
    tmp_path: Path,
) -> None:
    """Another user on the machine may create /tmp/_jinja2-cache-UID first (open to all):
    Jinja then refuses it, and the report is made without a bytecode cache, not a traceback."""
    if os.getuid() != 0:
        pytest.skip("making a directory another user owns needs root (CI runs as root)")
    squatted = tmp_path / f"_jinja2-cache-{os.getuid()}"
    squatted.mkdir()
    os.chown(squatted, 65534, 65534)  # nobody's
    os.chmod(squatted, 0o777)
    done = subprocess.run(
        [sys.executable, "-m", "jobledger", "report", str(EXAMPLE), "--as-of", "2026-03-15"],
        capture_output=True,
        text=True,
        env={**os.environ, "TMPDIR": str(tmp_path), "PYTHONPATH": str(ROOT / "src")},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("# Spring 2026 job hunt")
    assert os.listdir(squatted) == []  # nothing written into a directory others may read


# -------------------------------------------------------- issue 7: messages that point at the fix


def test_an_unknown_option_shows_the_commands_usage() -> None:
    done = jobledger("report", "examples/blueprint.jobs", "--colour", "x")
    assert done.returncode == 2
    assert done.stderr.startswith("usage: jobledger report ")
    assert "jobledger report: error: unrecognized arguments: --colour x" in done.stderr


def test_which_ledger_names_the_command_that_ran(tmp_path: Path) -> None:
    (tmp_path / "one.jobs").write_text(GOOD)
    (tmp_path / "two.jobs").write_text(GOOD)
    done = jobledger("check", cwd=tmp_path)
    assert "e.g. jobledger check -f one.jobs" in done.stderr


def test_the_format_follows_the_output_extension(tmp_path: Path) -> None:
    ledger = tmp_path / "hunt.jobs"
    ledger.write_text(GOOD)
    for name, start in (("r.html", "<!DOCTYPE html>"), ("r.json", "{"), ("r.md", "# Job hunt")):
        done = jobledger("report", str(ledger), "-o", str(tmp_path / name))
        assert done.returncode == 0, done.stderr
        assert (tmp_path / name).read_text("utf-8").startswith(start), name
    done = jobledger("report", str(ledger), "--format", "md", "-o", str(tmp_path / "x.html"))
    assert done.returncode == 2 and "--format md but -o" in done.stderr
    assert not (tmp_path / "x.html").exists()


def test_private_keys_are_left_out(tmp_path: Path) -> None:
    ledger = tmp_path / "hunt.jobs"
    ledger.write_text(
        GOOD + "    salary: 99k\n    Contact: jo@x.example\n    url: https://x.example\n"
    )
    for fmt in ("md", "json", "html"):
        done = jobledger("report", str(ledger), "--format", fmt, "--private", "salary,contact")
        assert done.returncode == 0, done.stderr
        assert "99k" not in done.stdout and "jo@x.example" not in done.stdout
        if fmt != "md":  # Markdown shows no metadata; the others keep what is not private
            assert "x.example" in done.stdout


# ---------------------------------------------------------------- filters and cohorts (issue 8)


def test_filters_show_in_the_report_and_the_json() -> None:
    done = jobledger(
        "report", "examples/blueprint.jobs", "--as-of", "2026-03-15", "--role", "swe",
        "--since", "2026-02", "--until", "2026-02", "--format", "json",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["filters"]["roles"] == ["swe"]
    assert (data["filters"]["since"], data["filters"]["until"]) == ("2026-02-01", "2026-02-28")
    assert data["totals"]["tracked"] == 2  # Initech and Globex, applied in February
    markdown = jobledger(
        "report", "examples/blueprint.jobs", "--as-of", "2026-03-15", "--role", "swe"
    )
    assert "*Only role swe.*" in markdown.stdout


def test_by_source_cuts_the_pipeline_table() -> None:
    done = jobledger("report", "examples/blueprint.jobs", "--as-of", "2026-03-15", "--by", "source")
    assert "| Source " in done.stdout and "| referral " in done.stdout
    assert "| (no source) " in done.stdout and "Average of sources" in done.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "sw"], "--role sw: no such role; did you mean 'swe'?"),
        (["--status", "rejectd"], "--status rejectd: did you mean 'rejected'?"),
        (["--since", "2026-13"], "there is no month 13"),
        (["--since", "March"], "'March' is not a date, a month or a year"),
        (["--since", "2026-03", "--until", "2026-02"], "is after --until"),
    ],
)
def test_a_filter_that_names_nothing_is_a_usage_error(args: list[str], message: str) -> None:
    done = jobledger("report", "examples/blueprint.jobs", "--as-of", "2026-03-15", *args)
    assert done.returncode == 2 and message in done.stderr, done.stderr


def test_each_command_declares_only_its_own_options() -> None:
    """`main` declares the options of the command named on the line alone (start-up time):
    its list of commands must be the parser's, and every command still gets its options."""
    import argparse

    from jobledger.cli.arguments import COMMANDS, build_parser

    def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
        (action,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        return dict(action.choices)

    full = subcommands(build_parser())
    assert set(full) == COMMANDS
    listed = subcommands(build_parser(only=""))  # the top-level --help
    assert set(listed) == COMMANDS
    assert [name for name, parser in listed.items() if len(parser._actions) > 1] == []
    for name in COMMANDS:
        alone = subcommands(build_parser(only=name))
        assert set(alone) == {name}  # the others are not even made
        declared = {o for a in alone[name]._actions for o in a.option_strings}
        assert declared == {o for a in full[name]._actions for o in a.option_strings}, name


def test_version_is_printed_without_argparse() -> None:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "jobledger", "--version"],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT / "src")},
        check=True,
    )
    assert done.stdout.startswith("jobledger ")
    assert " argparse\n" not in done.stderr  # the fast path: nothing to parse
    assert jobledger("report", "--version").returncode == 2  # a command's options are its own


def test_help_before_the_command_is_the_top_level_help() -> None:
    """`jobledger --help report` shows the top-level help, with every command listed."""
    from jobledger.cli.arguments import COMMANDS

    done = jobledger("--help", "report")
    assert done.returncode == 0
    assert all(command in done.stdout for command in COMMANDS)
