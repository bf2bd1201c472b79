"""`jobledger completion bash|zsh|fish`: a shell completion script, made from the argument parser
itself, so every command and option is there (and a new one appears by itself).

What the ledger decides — kinds, role keys, statuses, tags and application names — the scripts
ask for as they complete: `jobledger completion --list WHAT [-f FILE…]` prints one a line,
from the ledger the command line names (-f FILE), else $JOBLEDGER_FILE, else the only *.jobs
file here. A ledger with errors still gives what it can; no ledger gives the defaults.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable

from jobledger.cli.common import OK, UsageError, find_ledger
from jobledger.records import record

# What a value is completed with: "@files", a word list from the ledger ("@kinds", "@roles",
# "@statuses", "@tags", "@names"), "@none" (free text), or fixed choices.
FILES, NONE = "@files", "@none"
FROM_LEDGER = {"--role": "@roles", "--status": "@statuses", "--tag": "@tags", "--kind": "@kinds"}
FILE_METAVARS = {"FILE", "OUT", "PATH", "DIR", "CSV"}
# Positionals the parser cannot describe: `add KIND APPLICATION`.
POSITIONALS: dict[str, tuple[str, ...]] = {"add": ("@kinds", "@names")}


@record
class Option:
    flags: tuple[str, ...]
    value: str | tuple[str, ...] | None  # None: a flag that takes no value
    help: str


@record
class Command:
    name: str
    help: str
    options: tuple[Option, ...]
    positionals: tuple[str | tuple[str, ...], ...]  # the last one repeats when it is FILE…


def describe(parser: argparse.ArgumentParser) -> tuple[Command, ...]:
    """Every command of the parser with its options and positionals, as the scripts need them."""
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    helps = {a.dest: a.help or "" for a in subparsers._choices_actions}
    commands = []
    for name, sub in subparsers.choices.items():
        options, positionals = [], []
        for action in sub._actions:
            if action.option_strings:
                options.append(
                    Option(tuple(action.option_strings), _value(action), _help(action.help))
                )
            else:
                positionals.append(_value(action) or NONE)
        if name in POSITIONALS:
            positionals = list(POSITIONALS[name])
        commands.append(Command(name, helps.get(name, ""), tuple(options), tuple(positionals)))
    return tuple(commands)


def _help(text: str | None) -> str:
    if not text or text == argparse.SUPPRESS:
        return ""
    return text.split(";")[0].split(" (")[0].replace("%%", "%")


def _value(action: argparse.Action) -> str | tuple[str, ...] | None:
    if action.nargs == 0:
        return None
    if action.choices is not None:
        return tuple(str(choice) for choice in action.choices)
    for flag in action.option_strings:
        if flag in FROM_LEDGER:
            return FROM_LEDGER[flag]
    metavar = action.metavar if isinstance(action.metavar, str) else ""
    if metavar in FILE_METAVARS or action.dest in ("files", "more_files", "output", "path"):
        return FILES
    return NONE


def run(args: argparse.Namespace) -> int:
    if args.list:
        for line in listing(args.list, args.more_files):
            sys.stdout.write(line + "\n")
        return OK
    if args.shell is None:
        raise UsageError("name a shell: jobledger completion bash, zsh or fish")
    from jobledger.cli.arguments import build_parser

    commands = describe(build_parser())
    script = {"bash": bash, "zsh": zsh, "fish": fish}[args.shell](commands)
    sys.stdout.write(script)
    return OK


# ---------------------------------------------------------------- what the ledger knows


def listing(what: str, given: list[str]) -> list[str]:
    """The words for --list WHAT: from the ledger found, else the defaults (kinds, statuses)."""
    from jobledger.ledger.loader import load_files
    from jobledger.ledger.model import DEFAULT_OUTCOMES, DEFAULT_STAGES, NOTE
    from jobledger.ledger.reducer import reduce_entries

    try:
        paths = find_ledger(given, command="completion")
    except UsageError:
        paths = []
    if paths:
        try:
            ledger, _ = reduce_entries(load_files(paths).entries)
        except Exception:  # completion must never print a traceback into a shell
            paths = []
    if not paths:
        stages = [key for key, _ in DEFAULT_STAGES]
        outcomes = [key for key, _ in DEFAULT_OUTCOMES]
        roles: list[str] = []
        tags: list[str] = []
        names: list[str] = []
    else:
        config = ledger.config
        stages = [stage.key for stage in config.stages]
        outcomes = [outcome.key for outcome in config.outcomes]
        roles = [role.key for role in config.roles]
        tags = [tag for app in ledger.applications for tag in app.tags]
        names = [app.name for app in ledger.applications]
    words = {
        "kinds": [*stages, *outcomes, NOTE],
        "roles": [*roles, "other"],
        "statuses": ["active", "closed", "accepted", "ghosted", *outcomes],
        "tags": tags,
        "names": names,
    }[what]
    return _unique(words)


def _unique(words: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    kept = []
    for word in words:
        if word.casefold() not in seen and "\n" not in word:
            seen.add(word.casefold())
            kept.append(word)
    return kept


# ---------------------------------------------------------------- bash


def _sh(text: str) -> str:
    """A single-quoted shell word."""
    return "'" + text.replace("'", "'\\''") + "'"


def _words(value: tuple[str, ...]) -> str:
    return " ".join(value)


def _add_spec_cases(
    command: Command, say: str, value_cases: list[str], positional_cases: list[str]
) -> None:
    """The `case` lines (bash and zsh alike) that offer what an option's value or a positional
    of `command` may be; `say` makes the shell's statement of the words ("echo {}")."""
    for option in command.options:
        if option.value is None:
            continue
        spec = option.value if isinstance(option.value, str) else _words(option.value)
        for flag in option.flags:
            value_cases.append(f"        {command.name}:{flag}) {say.format(_sh(spec))} ;;")
    for index, wanted in enumerate(command.positionals):
        text = wanted if isinstance(wanted, str) else _words(wanted)
        last = index == len(command.positionals) - 1
        pattern = f"{command.name}:{index}" + (f"|{command.name}:*" if last else "")
        positional_cases.append(f"        {pattern}) {say.format(_sh(text))} ;;")


def bash(commands: tuple[Command, ...]) -> str:
    names = " ".join(command.name for command in commands)
    option_cases: list[str] = []
    value_cases: list[str] = []
    positional_cases: list[str] = []
    takes_value: list[str] = []
    for command in commands:
        flags = " ".join(flag for option in command.options for flag in option.flags)
        option_cases.append(f"        {command.name}) echo {_sh(flags)} ;;")
        valued = [flag for option in command.options if option.value for flag in option.flags]
        if valued:
            patterns = "|".join(f"{command.name}:{flag}" for flag in valued)
            takes_value.append(f"        {patterns}) return 0 ;;")
        _add_spec_cases(command, "echo {}", value_cases, positional_cases)
    return BASH.format(
        names=names,
        option_cases="\n".join(option_cases),
        value_cases="\n".join(value_cases),
        positional_cases="\n".join(positional_cases),
        takes_value="\n".join(takes_value),
    )


BASH = """\
# jobledger completion for bash. Load it with:  eval "$(jobledger completion bash)"
# Commands and options are those of the jobledger that printed this; kinds, roles, statuses,
# tags and application names come from the ledger, asked for as you complete.

_jobledger_options() {{
    case $1 in
{option_cases}
        '') echo '-h --help --version' ;;
    esac
}}

_jobledger_takes_value() {{  # command, option: does the option take a value?
    case $1:$2 in
{takes_value}
    esac
    return 1
}}

_jobledger_value() {{  # command, option: what its value is completed with
    case $1:$2 in
{value_cases}
    esac
}}

_jobledger_positional() {{  # command, index: what that positional is completed with
    case $1:$2 in
{positional_cases}
    esac
}}

_jobledger() {{
    local cur=${{COMP_WORDS[COMP_CWORD]}} command="" option="" word i positional=0 expect=""
    local -a files=()
    COMPREPLY=()
    for (( i = 1; i < COMP_CWORD; i++ )); do
        word=${{COMP_WORDS[i]}}
        if [[ -n $expect ]]; then
            [[ $word == = ]] && continue  # --role=x: bash splits the word at '='
            [[ $expect == -f || $expect == --file ]] && files+=(-f "$word")
            expect=""
        elif [[ $word == -* ]]; then
            _jobledger_takes_value "$command" "$word" && expect=$word
        elif [[ -z $command ]]; then
            command=$word
        else
            (( positional++ ))
        fi
    done
    if [[ $cur == = ]]; then
        cur="" option=${{COMP_WORDS[COMP_CWORD-1]}}
    elif [[ -n $expect ]]; then
        option=$expect
    fi
    local spec
    if [[ -n $option ]]; then
        spec=$(_jobledger_value "$command" "$option")
    elif [[ $cur == -* ]]; then
        COMPREPLY=( $(compgen -W "$(_jobledger_options "$command")" -- "$cur") )
        return 0
    elif [[ -z $command ]]; then
        COMPREPLY=( $(compgen -W '{names}' -- "$cur") )
        return 0
    else
        spec=$(_jobledger_positional "$command" "$positional")
    fi
    case $spec in
        ''|@files|@none) return 0 ;;  # bash's own completion: file names
        @*)
            local line quote=""
            case $cur in \\'*|\\"*) quote=${{cur:0:1}} cur=${{cur:1}} ;; esac
            while IFS= read -r line; do
                [[ $line == "$cur"* ]] || continue
                if [[ -n $quote ]]; then
                    COMPREPLY+=( "$quote$line$quote" )
                else
                    COMPREPLY+=( "$(printf '%q' "$line")" )
                fi
            done < <(command jobledger completion --list "${{spec#@}}" "${{files[@]}}" 2>/dev/null)
            ;;
        *) COMPREPLY=( $(compgen -W "$spec" -- "$cur") ) ;;
    esac
    return 0
}}

complete -o bashdefault -o default -F _jobledger jobledger
"""


# ---------------------------------------------------------------- zsh


def zsh(commands: tuple[Command, ...]) -> str:
    described = "\n".join(
        f"        {_sh(command.name.replace(':', chr(92) + ':') + ':' + command.help)}"
        for command in commands
    )
    option_cases: list[str] = []
    value_cases: list[str] = []
    positional_cases: list[str] = []
    takes_value: list[str] = []
    for command in commands:
        entries = " ".join(
            _sh(flag.replace(":", "\\:") + (":" + option.help if option.help else ""))
            for option in command.options
            for flag in option.flags
        )
        option_cases.append(f"        {command.name}) options=({entries}) ;;")
        valued = [flag for option in command.options if option.value for flag in option.flags]
        if valued:
            takes_value.append(f"        {command.name}:({'|'.join(valued)})) return 0 ;;")
        _add_spec_cases(command, "spec={}", value_cases, positional_cases)
    return ZSH.format(
        described=described,
        option_cases="\n".join(option_cases),
        value_cases="\n".join(value_cases),
        positional_cases="\n".join(positional_cases),
        takes_value="\n".join(takes_value),
    )


ZSH = """\
#compdef jobledger
# jobledger completion for zsh. Load it with:  eval "$(jobledger completion zsh)"  (after
# compinit), or save it as _jobledger in a directory of $fpath.

_jobledger_takes_value() {{
    case $1:$2 in
{takes_value}
    esac
    return 1
}}

_jobledger() {{
    local command="" option="" word spec expect="" cur=${{words[CURRENT]}}
    local -i i positional=0
    local -a files options commands
    for (( i = 2; i < CURRENT; i++ )); do
        word=${{words[i]}}
        if [[ -n $expect ]]; then
            [[ $expect == (-f|--file) ]] && files+=(-f "$word")
            expect=""
        elif [[ $word == -* ]]; then
            [[ $word == *=* ]] && continue
            _jobledger_takes_value "$command" "$word" && expect=$word
        elif [[ -z $command ]]; then
            command=$word
        else
            (( positional++ ))
        fi
    done
    if [[ -n $expect ]]; then
        option=$expect
    elif [[ $cur == --*=* ]]; then
        option=${{cur%%=*}}
        compset -P '*='
    fi
    if [[ -n $option ]]; then
        case $command:$option in
{value_cases}
        esac
    elif [[ $cur == -* ]]; then
        case $command in
{option_cases}
            '') options=('--help:show the help' '--version:show the version') ;;
        esac
        _describe -t options 'option' options
        return
    elif [[ -z $command ]]; then
        commands=(
{described}
        )
        _describe -t commands 'jobledger command' commands
        return
    else
        case $command:$positional in
{positional_cases}
        esac
    fi
    case $spec in
        ''|@none) return 1 ;;
        @files) _files ;;
        @*)
            local -a found
            local list=${{spec#@}}
            found=( ${{(f)"$(command jobledger completion --list $list $files 2>/dev/null)"}} )
            compadd -- $found
            ;;
        *) compadd -- ${{=spec}} ;;
    esac
}}

if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
    _jobledger "$@"
else
    compdef _jobledger jobledger
fi
"""


# ---------------------------------------------------------------- fish


def _fq(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def fish(commands: tuple[Command, ...]) -> str:
    valued = sorted(
        {flag for command in commands for option in command.options if option.value
         for flag in option.flags}
    )  # fmt: skip
    lines = [FISH.replace("@VALUED@", "|".join(valued))]
    names = " ".join(command.name for command in commands)
    for command in commands:
        lines.append(
            f"complete -c jobledger -n '__jobledger_command; and not __fish_seen_subcommand_from "
            f"{names}' -a {command.name} -d {_fq(command.help)}"
        )
    for command in commands:
        seen = f"-n '__fish_seen_subcommand_from {command.name}'"
        for option in command.options:
            parts = []
            for flag in option.flags:
                parts.append(f"-l {flag[2:]}" if flag.startswith("--") else f"-s {flag[1:]}")
            value = ""
            if option.value == FILES:
                value = " -rF"
            elif isinstance(option.value, tuple):
                value = f" -xa {_fq(_words(option.value))}"
            elif option.value in (None, NONE):
                value = "" if option.value is None else " -x"
            else:
                value = f" -xa '(__jobledger_list {option.value[1:]})'"
            described = f" -d {_fq(option.help)}" if option.help else ""
            if value.startswith(" -xa"):  # its values without the option's description
                lines.append(f"complete -c jobledger {seen} {' '.join(parts)}{value}")
                value = " -x"
            lines.append(f"complete -c jobledger {seen} {' '.join(parts)}{value}{described}")
        for index, spec in enumerate(command.positionals):
            last = index == len(command.positionals) - 1
            condition = f"-n '__jobledger_positional {command.name} {index} {int(last)}'"
            if spec == FILES:
                lines.append(f"complete -c jobledger {condition} -F")
            elif isinstance(spec, tuple):
                lines.append(f"complete -c jobledger {condition} -xa {_fq(_words(spec))}")
            elif spec != NONE:
                lines.append(
                    f"complete -c jobledger {condition} -xa '(__jobledger_list {spec[1:]})'"
                )
    return "\n".join(lines) + "\n"


FISH = """\
# jobledger completion for fish. Load it with:  jobledger completion fish | source
# or save it:  jobledger completion fish > ~/.config/fish/completions/jobledger.fish

complete -c jobledger -e
complete -c jobledger -f

function __jobledger_command  # true while no command has been typed yet
    set -l tokens (commandline -opc)
    for token in $tokens[2..-1]
        string match -q -- '-*' $token; or return 1
    end
    return 0
end

function __jobledger_files  # the -f FILE given so far, for --list
    set -l tokens (commandline -opc)
    set -l next 0
    for token in $tokens
        if test $next = 1
            printf '%s\\n' -f $token
            set next 0
        else if contains -- $token -f --file
            set next 1
        else if string match -q -- '--file=*' $token
            printf '%s\\n' -f (string replace -- '--file=' '' $token)
        end
    end
end

function __jobledger_list
    command jobledger completion --list $argv[1] (__jobledger_files) 2>/dev/null
end

function __jobledger_positional  # command, index, repeats: is the word being typed that one?
    set -l tokens (commandline -opc)
    set -l command ''
    set -l count 0
    set -l skip 0
    for token in $tokens[2..-1]
        if test $skip = 1
            set skip 0
        else if string match -q -- '-*' $token
            if string match -q -r -- '^(@VALUED@)$' $token
                set skip 1
            end
        else if test -z "$command"
            set command $token
        else
            set count (math $count + 1)
        end
    end
    test "$command" = $argv[1]; or return 1
    test $count -eq $argv[2]; and return 0
    test $argv[3] = 1; and test $count -gt $argv[2]
end
"""
