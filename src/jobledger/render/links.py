"""Which ledger text may become a link on the page: only well-formed absolute http(s) URLs."""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from urllib.parse import quote, urlsplit, urlunsplit

# Characters an href keeps as they are; everything else (spaces, quotes, non-ASCII…) is
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
    host = _ascii_host(parts.hostname)
    if host is None:
        return None
    if not parts.hostname.isascii():  # an internationalised name goes in as IDNA, not %-escapes
        userinfo = parts.netloc.rpartition("@")[0]
        port = f":{parts.port}" if parts.port is not None else ""
        text = urlunsplit(parts._replace(netloc=(userinfo + "@" if userinfo else "") + host + port))
    return quote(text, safe=_URL_SAFE)


_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")


def _ascii_host(host: str) -> str | None:
    """The host as ASCII when it is an IP address or a valid DNS name (internationalised ones
    through IDNA), else None."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return f"[{host}]" if address.version == 6 else host
    try:
        ascii_host = host.rstrip(".").encode("idna").decode("ascii")
    except UnicodeError:
        return None
    for label in ascii_host.split("."):
        if not _LABEL.fullmatch(label):
            return None
        if label.lower().startswith("xn--"):
            try:
                label[4:].encode("ascii").decode("punycode")
            except UnicodeError:
                return None
    return ascii_host
