"""The README and docs tell the truth: their examples are what the tool prints today."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from jobledger.cli.arguments import build_parser

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text("utf-8")


def blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", text, re.M | re.S)


def test_quick_start_has_exactly_two_commands() -> None:
    match = re.search(
        r"^#+[^\n]*quick ?start[^\n]*\n(.*?)^```[^\n]*\n(.*?)^```", README, re.I | re.M | re.S
    )
    assert match is not None
    commands = [line for line in match.group(2).splitlines() if line.strip()]
    assert len(commands) == 2
    assert "jobledger report examples/blueprint.jobs" in commands[0]
    assert "pytest" in commands[1]


def test_tour_output_is_real() -> None:
    golden = (ROOT / "tests" / "golden" / "blueprint.md").read_text("utf-8")
    tour = blocks(README, "markdown")
    assert len(tour) == 2
    for block in tour:
        assert block in golden, f"README tour block drifted from the real output:\n{block}"


def test_check_example_is_real() -> None:
    (block,) = [b for b in blocks(README, "console") if b.startswith("$ jobledger check")]
    command, *shown = block.splitlines()
    done = subprocess.run(
        [sys.executable, "-m", "jobledger", *command.split()[2:]],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT / "src")},
    )
    real = done.stderr.splitlines()
    before, after = shown[: shown.index("…")], shown[shown.index("…") + 1 :]
    assert real[: len(before)] == before
    assert real[-len(after) :] == after


def test_every_command_is_documented() -> None:
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    for name in commands:
        assert f"`jobledger {name}" in README, f"README does not document {name}"


def test_every_diagnostic_code_is_documented() -> None:
    reference = (ROOT / "docs" / "format.md").read_text("utf-8")
    source = "".join(p.read_text("utf-8") for p in (ROOT / "src" / "jobledger").rglob("*.py"))
    documented = set(re.findall(r"JL\d{3}", reference))
    for low, high in re.findall(r"(JL\d{3})\u2013(JL\d{3})", reference):
        documented |= {f"JL{n}" for n in range(int(low[2:]), int(high[2:]) + 1)}
    used = set(re.findall(r'"(JL\d{3})"', source))
    assert used <= documented, f"undocumented codes: {sorted(used - documented)}"


def test_linked_docs_exist() -> None:
    for target in re.findall(r"\]\(((?:docs|tests|grammar)/[^)#]+)\)", README):
        assert (ROOT / target).exists(), target


def test_every_option_is_in_the_command_table() -> None:
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    table = README[README.index("## Commands") : README.index("## How it works")]
    for name, command in commands.items():
        row = next(line for line in table.splitlines() if line.startswith(f"| `jobledger {name}"))
        for action in command._actions:
            if action.option_strings and "-h" not in action.option_strings:
                assert any(flag in row for flag in action.option_strings), (name, action)


def test_the_example_csv_template_renders(tmp_path: Path) -> None:
    out = tmp_path / "apps.csv"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "jobledger",
            "report",
            "examples/blueprint.jobs",
            "--as-of",
            "2026-03-15",
            "--template",
            "examples/templates/applications.csv.j2",
            "-o",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT / "src")},
    )
    assert done.returncode == 0, done.stderr
    import csv

    rows = list(csv.DictReader(out.read_text("utf-8").splitlines()))
    assert len(rows) == 17
    docker = next(r for r in rows if r["company"] == "Docker")
    assert docker["source"] == "referral" and docker["salary"] == ""


def test_the_csv_filter_makes_formulas_text() -> None:
    """The example CSV template is one users copy: its cells must not run in a spreadsheet."""
    from jobledger.render.text import csv_field

    assert csv_field('=HYPERLINK("http://x")') == '"\'=HYPERLINK(""http://x"")"'
    assert csv_field("@SUM(A1)") == '"\'@SUM(A1)"'
    assert csv_field("Acme, Inc.") == '"Acme, Inc."'
    assert csv_field(None) == '""'
    template = (ROOT / "examples" / "templates" / "applications.csv.j2").read_text("utf-8")
    assert "| csv }}" in template and "replace(" not in template
