"""The parser's shortcut gives exactly what the long way gives (issue 10): an event line split with
string operations as the regex of its terminals splits it."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from jobledger.ledger import parser
from jobledger.ledger.statements import SPLITTERS, split_event

BLANKS = st.sampled_from([" ", "  ", "\t", " \t ", "\u00a0", "\u3000 "])
WORD = st.text(
    st.sampled_from("abcXYZ019#;|é.-_/!\"'\\"), min_size=1, max_size=6
)  # fmt: skip


def lines() -> st.SearchStrategy[str]:
    """Event lines of every shape, valid or not (only what the grammar accepts is split)."""
    part = st.lists(st.tuples(BLANKS, WORD), min_size=1, max_size=4).map(
        lambda words: "".join(b + w for b, w in words)
    )
    quoted = WORD.map(lambda w: ' "' + w.replace('"', '\\"') + '"')
    application = st.tuples(
        st.one_of(part, quoted), st.one_of(st.just(""), st.tuples(BLANKS, st.one_of(part, quoted)))
    ).map(lambda t: t[0] + (t[1] if isinstance(t[1], str) else t[1][0] + "|" + t[1][1]))
    tags = st.lists(st.tuples(BLANKS, WORD), max_size=3).map(
        lambda words: "".join(b + "#" + w for b, w in words)
    )
    return st.tuples(
        st.sampled_from(["2026-02-03", "2026-13-45", "٢٠٢٦-٠٢-٠٣"]), BLANKS, WORD, application, tags
    ).map(lambda t: t[0] + t[1] + t[2] + t[3] + t[4])


@settings(max_examples=3000, deadline=None)
@given(lines())
def test_an_event_line_splits_as_the_terminals_split_it(line: str) -> None:
    parser._parser()
    event = parser._parser()[0].get_terminal("EVENT").pattern.to_regexp()
    import re

    if re.fullmatch(event, line) is None:
        return  # the lexer would not make this an EVENT token
    regex = SPLITTERS.event.match(line)
    assert regex is not None
    assert split_event(line) == regex.groups()


def test_some_lines_are_split_both_ways() -> None:
    """The property above must not pass by skipping everything."""
    parser._parser()
    for line in [
        "2026-02-03 applied Acme",
        "2026-02-03\tapplied  Acme 7 | Software Engineer  #swe #remote",
        '2026-02-03 applied "Acme | Co" | "T#1"  #x',
        "2026-02-03 applied A#b c#d \u00a0#t #u",
    ]:
        regex = SPLITTERS.event.match(line)
        assert regex is not None and regex.end() == len(line)
        assert split_event(line) == regex.groups()
