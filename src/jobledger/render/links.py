"""Which ledger text may become a link on the page: only well-formed absolute http(s) URLs."""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from urllib.parse import quote, urlsplit

# Characters an href keeps as they are; everything else (non-ASCII in the path or query…) is
# percent-encoded so the attribute is a valid URL for the Nu validator and for browsers.
_URL_SAFE = ":/?#[]@!$&'()*+,;=%~-._"


def safe_href(value: str) -> str | None:
    """`value` as an href when it is a well-formed absolute http(s) URL with a real host name,
    else None (it is then shown as text): a ledger must never make a javascript:, data: or
    relative link, and a malformed one would fail HTML validation."""
    text = value.strip()
    if any(
        ord(c) < 0x20 or c.isspace() or c in '<>"`\\' or unicodedata.category(c) in ("Cc", "Cf")
        for c in text
    ):
        return None
    if _BAD_ESCAPE.search(text) or text.count("#") > 1:
        return None
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 -- raises on a malformed port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    if parts.netloc.count("@") > 1 or "[" in text.replace(f"[{parts.hostname}]", "", 1):
        return None
    if not _valid_host(parts.hostname):
        return None
    return quote(text, safe=_URL_SAFE)


_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")


def _valid_host(host: str) -> bool:
    """An IP address, or a DNS name written in ASCII (an internationalised one in its xn-- form).

    A host typed with non-ASCII letters (https://faß.de/) is refused, so the URL is shown as
    text: Python's only IDNA codec is IDNA 2003, which reads faß.de as fass.de, another domain
    (IDNA 2008 and browsers say xn--fa-hia.de). The `idna` package does IDNA 2008, but costs a
    dependency and 20-45 ms of import for hosts a job hunt rarely meets; typing the xn-- form
    gives a link, and the text always shows what was typed."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return True
    if not host.isascii():
        return False
    for label in host.rstrip(".").split("."):
        if not _LABEL.fullmatch(label):
            return False
        if label.lower().startswith("xn--"):
            try:
                label[4:].encode("ascii").decode("punycode")
            except UnicodeError:
                return False
    return True
