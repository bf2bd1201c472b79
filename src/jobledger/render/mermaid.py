"""The Sankey diagram as a Mermaid `sankey-beta` block, which GitHub renders in Markdown.

Mermaid reads the lines as CSV (source,target,value): a name with a comma or a double quote is
double-quoted, a quote inside doubled. Its CSV reader takes printable ASCII only, even inside
quotes (mermaid-js/mermaid#6822), so names are written in ASCII: accents dropped (`Café` is
`Cafe`), dashes and quotes made plain, anything else `?`; names that would then coincide are
told apart with a number.
"""

from __future__ import annotations

import unicodedata

from jobledger.render.sankeymatic import sankey_flows
from jobledger.report.model import Report

_PLAIN = str.maketrans(
    {
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2026": "...",
        "\u00a0": " ",
        "`": "'",  # a name must not close the Markdown fence around the block
        "\u00df": "ss",
        "\u00e6": "ae",
        "\u00c6": "AE",
        "\u0153": "oe",
        "\u0152": "OE",
        "\u00f8": "o",
        "\u00d8": "O",
        "\u0142": "l",
        "\u0141": "L",
    }
)


def ascii_name(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name.translate(_PLAIN))
    kept = "".join(
        c if 0x20 <= ord(c) < 0x7F else "?"
        for c in decomposed
        if not unicodedata.combining(c) and c not in "\r\n\t"
    )
    return " ".join(kept.split()).lstrip("%") or "?"  # `%%` starts a Mermaid comment


def _field(name: str) -> str:
    if any(c in name for c in ',"'):
        return '"' + name.replace('"', '""') + '"'
    return name


def render_mermaid(report: Report) -> str:
    """`sankey-beta` and one `source,target,value` line per flow; an empty string when nothing
    is tracked (Mermaid refuses a diagram without a line)."""
    flows = sankey_flows(report)
    if not flows:
        return ""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for name in (n for f in flows for n in (f.source, f.target)):
        if name not in names:
            plain, number = ascii_name(name), 1
            while (plain if number == 1 else f"{plain} ({number})") in taken:
                number += 1
            names[name] = plain if number == 1 else f"{plain} ({number})"
            taken.add(names[name])
    lines = [f"{_field(names[f.source])},{_field(names[f.target])},{f.count}" for f in flows]
    return "sankey-beta\n\n" + "\n".join(lines) + "\n"
