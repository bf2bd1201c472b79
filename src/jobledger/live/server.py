"""A small live-reload HTTP server. It knows nothing of ledgers or HTML: it is handed a function
that returns the current page (bytes and their Content-Security-Policy, made by render/html.py,
which also holds the page's reload script), and `notify()` tells every open tab to reload.

Routes, exactly: `/` (the page; a query string is ignored) and `/events` (Server-Sent Events:
`data: reload` after each rebuild, a comment every ~15 s to keep proxies and browsers from
timing out), matched on the request target as sent (`//` is not `/`); an absolute-form target
(`http://127.0.0.1:PORT/`) is routed by its path when it names this server. Anything else is
404: no files are ever served from disk.

Each event id (and the page's cookie) is `TOKEN.GENERATION`: a random token per process and the
number of the rebuild. A tab that shows another process's page (watch was restarted on the same
port) or an older rebuild is told to reload as soon as its event stream connects.

Bound to 127.0.0.1 by default. The Host header must name this server (localhost, 127.0.0.1,
[::1] or the bound host, with the bound port): a web page on another site cannot reach the
server by rebinding its own DNS name to 127.0.0.1 (DNS rebinding).
"""

from __future__ import annotations

import contextlib
import http.cookies
import ipaddress
import re
import secrets
import socket
import sys
import threading
import urllib.parse
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from jobledger.records import record

KEEPALIVE_SECONDS = 15.0
# Limits, so that nothing a client does (a thousand tabs, a slow or stalled reader, a huge or
# dribbled request) can exhaust the process or delay a rebuild for the others.
MAX_CONNECTIONS = 64  # open at once; past this a new one is answered 503 and closed
MAX_STREAMS = 32  # open /events streams; past this, 503 with Retry-After
MAX_REQUEST_BYTES = 16 * 1024  # the request line and headers together
REQUEST_SECONDS = 10.0  # to send the whole request; a stream then writes at least this often
SEND_SECONDS = 10.0  # a client that takes longer to accept our bytes is dropped
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "[::1]", "::1"})
BLOCKED_CSP = "default-src 'none'; frame-ancestors 'none'"
DISCONNECTS = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError)
ROUTES = frozenset({"/", "/events"})
BUSY_RESPONSE = (
    b"HTTP/1.0 503 Service Unavailable\r\nContent-Length: 0\r\nRetry-After: 5\r\n"
    b"Content-Security-Policy: default-src 'none'; frame-ancestors 'none'\r\n"
    b"X-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n"
)
SHOWN_ID = re.compile(r"([0-9a-f]{16})\.([0-9]{1,15})")  # TOKEN.GENERATION, ASCII digits only
MAX_SHOWN_ID = 40  # longer is not an id of ours: never handed to int()


@record
class Page:
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    csp: str = BLOCKED_CSP  # the Content-Security-Policy header value for this page


class CannotServe(OSError):
    """Binding failed (a host that does not resolve or is not this machine's, a privileged
    port): the caller says so in one line rather than a traceback. `str()` is the reason alone,
    e.g. "name or service not known", without `[Errno N]`."""

    def __str__(self) -> str:
        return self.strerror or super().__str__()


class PortInUse(CannotServe):
    """The port is taken."""


def _reason(exc: OSError) -> str:
    text = exc.strerror or str(exc) or type(exc).__name__
    return text[:1].lower() + text[1:]


def parse_shown(value: str) -> tuple[str, int] | None:
    """`TOKEN.GENERATION` from a Last-Event-ID or cookie; None for anything else (never raises:
    the header is whatever the client sent)."""
    if len(value) > MAX_SHOWN_ID:
        return None
    match = SHOWN_ID.fullmatch(value)
    return (match.group(1), int(match.group(2))) if match else None


def needs_reload(shown: str, token: str, generation: int) -> bool:
    """Does a tab that shows `shown` (its Last-Event-ID or cookie) need to reload to show what
    this server has (`token`, `generation`)? Not if it says nothing; yes if it shows another
    process's page, an older rebuild, or something that is not an id of ours at all."""
    if not shown:
        return False
    parsed = parse_shown(shown)
    if parsed is None:
        return True
    shown_token, shown_generation = parsed
    return shown_token != token or shown_generation < generation


def is_loopback(host: str) -> bool:
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class LiveServer:
    """Serve `page()` at `/` and reload notifications at `/events` on daemon threads."""

    def __init__(
        self,
        page: Callable[[], Page],
        host: str = "127.0.0.1",
        port: int = 8000,
        *,
        keepalive: float = KEEPALIVE_SECONDS,
    ) -> None:
        self.page = page
        self.keepalive = keepalive
        self.token = secrets.token_hex(8)  # this process: a restarted watch has another
        self._changed = threading.Condition()
        self._generation = 0
        self._closing = False
        self._thread: threading.Thread | None = None
        self.streams: set[threading.Thread] = set()  # open /events connections
        server_class = _Server6 if ":" in host.strip("[]") else _Server
        try:
            self.httpd: _Server = server_class((host.strip("[]"), port), _Handler)
        except OSError as exc:
            if exc.errno in (98, 48, 10048):  # EADDRINUSE on Linux, macOS, Windows
                raise PortInUse(exc.errno, f"port {port} on {host} is already in use") from None
            raise CannotServe(exc.errno, _reason(exc)) from None
        self.httpd.live = self
        self.host = host
        self.port: int = self.httpd.server_address[1]
        self.allowed_hosts = _allowed_hosts(host, self.port)

    @property
    def url(self) -> str:
        """Where a browser on this machine finds the page: a wildcard bind (0.0.0.0, ::) is
        not an address to connect to, so its loopback address stands in."""
        host = self.host.strip("[]")
        with contextlib.suppress(ValueError):  # a name, not an address: shown as given
            address = ipaddress.ip_address(host)
            if address.is_unspecified:
                host = "::1" if address.version == 6 else "127.0.0.1"
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{self.port}/"

    def event_id(self, generation: int) -> str:
        return f"{self.token}.{generation}"

    @property
    def generation(self) -> int:
        return self._generation

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self.httpd.serve_forever,
            kwargs={"poll_interval": 0.1},
            name="jobledger-server",
            daemon=True,
        )
        self._thread.start()

    def notify(self) -> None:
        """Tell every open `/events` stream to send `data: reload`."""
        with self._changed:
            self._generation += 1
            self._changed.notify_all()

    def wait_for_change(self, seen: int, timeout: float) -> int | None:
        """The new generation once it moves past `seen`; None on timeout or while closing."""
        with self._changed:
            self._changed.wait_for(
                lambda: self._generation != seen or self._closing, timeout=timeout
            )
            return None if self._closing or self._generation == seen else self._generation

    @property
    def closing(self) -> bool:
        return self._closing

    def close(self) -> None:
        """End every event stream, stop serving, release the port."""
        with self._changed:
            self._closing = True
            self._changed.notify_all()
        if self._thread is not None:
            self.httpd.shutdown()
            self._thread.join(timeout=2)
        self.httpd.server_close()
        for stream in list(self.streams):
            stream.join(timeout=1)


def _allowed_hosts(host: str, port: int) -> frozenset[str]:
    names = set(LOOPBACK_NAMES)
    bare = host.strip("[]").lower()
    names.add(f"[{bare}]" if ":" in bare else bare)
    if not is_loopback(host):  # reached from other machines: by their name for this one
        for name in (socket.gethostname(), socket.getfqdn()):
            names.add(name.lower())
    return frozenset(f"{name}:{port}" for name in names)


def _host_allowed(header: str, server: LiveServer) -> bool:
    value = header.strip().lower().rstrip(".")
    if value in server.allowed_hosts:
        return True
    if is_loopback(server.host):
        return False
    # Bound to a public address: an IP literal cannot be a rebinding attack (that needs a DNS
    # name the attacker controls), so any address of this machine, with our port, is fine.
    name, _, port = value.rpartition(":")
    try:
        ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        return False
    return port == str(server.port)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # the default 5 made every 6th rapid connect wait a second
    live: LiveServer
    connections = 0  # handled right now
    _count = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        """One thread per connection, up to MAX_CONNECTIONS: past that the connection is told
        503 on the spot and closed, so a flood costs no thread."""
        with self._count:
            full = self.connections >= MAX_CONNECTIONS
            if not full:
                self.connections += 1
        if full:
            with contextlib.suppress(OSError):
                request.settimeout(1)
                request.sendall(BUSY_RESPONSE)
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self._count:
                self.connections -= 1

    def handle_error(self, request: Any, client_address: Any) -> None:
        """One short line on stderr, never a traceback: the terminal belongs to the rebuilds."""
        exc = sys.exc_info()[1]
        if isinstance(exc, DISCONNECTS):  # a tab went away: not our problem
            return
        try:
            detail = str(exc).splitlines()[0] if exc is not None and str(exc) else ""
        except Exception:  # a broken __str__ must not bring the traceback back
            detail = ""
        name = type(exc).__name__ if exc is not None else "error"
        line = f"{name}: {detail}" if detail else name
        if len(line) > 160:
            line = line[:157] + "..."
        sys.stderr.write(f"jobledger: a request to the server failed ({line})\n")
        sys.stderr.flush()


class _Server6(_Server):
    address_family = socket.AF_INET6


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "jobledger"
    sys_version = ""
    # Not "HTTP/0.9": a request line without a version (or not parsed at all) must still get a
    # status line and the security headers, never a bare body.
    default_request_version = "HTTP/1.0"
    # HTTP/1.0: one request per connection, closed after the response: no keep-alive to limit.
    protocol_version = "HTTP/1.0"
    timeout = REQUEST_SECONDS  # a silent or dribbling client gives its thread up this soon
    _csp_sent = False

    def parse_request(self) -> bool:
        """The request line and headers are read by the standard library, line by line; cap
        their total size (it allows 100 headers of 64 KB each)."""
        if not super().parse_request():
            return False
        size = len(self.requestline) + sum(len(k) + len(v) + 4 for k, v in self.headers.items())
        if size > MAX_REQUEST_BYTES:
            self.send_error(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE)
            return False
        self.connection.settimeout(SEND_SECONDS)  # from now on: how long a send may take
        return True

    def log_message(self, format: str, *args: Any) -> None:
        pass  # one line per rebuild is what the terminal shows, not one per request

    def end_headers(self) -> None:
        if not self._csp_sent:
            self.send_header("Content-Security-Policy", BLOCKED_CSP)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("X-Frame-Options", "DENY")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def do_HEAD(self) -> None:
        self._route(send_body=False)

    def do_GET(self) -> None:
        self._route(send_body=True)

    def _route(self, *, send_body: bool) -> None:
        live = self.server.live
        hosts = self.headers.get_all("Host") or []
        if not hosts:
            self.send_error(HTTPStatus.BAD_REQUEST, "missing Host header")
            return
        if len(hosts) > 1:
            self.send_error(HTTPStatus.BAD_REQUEST, "more than one Host header")
            return
        if not _host_allowed(hosts[0], live):
            self.send_error(HTTPStatus.FORBIDDEN, "unexpected Host header")
            return
        path = self._target_path(live)
        try:
            if path == "/":
                generation = live.generation  # before page(): never newer than the page
                self._send_page(live.page(), generation, send_body)
            elif path == "/events" and send_body:
                self._stream_events(live)
            elif path == "/events":
                self.send_response(HTTPStatus.OK)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
            else:
                self.send_error(HTTPStatus.NOT_FOUND)
        except DISCONNECTS:
            self.close_connection = True

    def _target_path(self, live: LiveServer) -> str:
        """The path of the request target AS SENT (self.path has `//` folded into `/`), without
        its query; "" for a target that is none of ours (so: 404)."""
        words = self.requestline.split()
        target = words[1] if len(words) >= 2 else ""
        if not target.startswith("/"):  # absolute-form: http://127.0.0.1:PORT/
            try:
                parts = urllib.parse.urlsplit(target)
            except ValueError:
                return ""
            if parts.scheme != "http" or parts.fragment or not _host_allowed(parts.netloc, live):
                return ""
            target = parts.path or "/"
        path = target.split("?", 1)[0]
        return path if path in ROUTES else ""

    def _send_page(self, page: Page, generation: int, send_body: bool) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", page.content_type)
        # Which rebuild this page shows: if another comes before the page's EventSource
        # connects, /events sees the older number in the cookie and says "reload" at once.
        self.send_header(
            "Set-Cookie",
            f"{self._cookie_name()}={self.server.live.event_id(generation)}; "
            "Path=/; HttpOnly; SameSite=Strict",
        )
        self.send_header("Content-Length", str(len(page.body)))
        self.send_header("Content-Security-Policy", page.csp)
        self._csp_sent = True
        self.end_headers()
        if send_body:
            self.wfile.write(page.body)

    def _stream_events(self, live: LiveServer) -> None:
        if len(live.streams) >= MAX_STREAMS:
            self.send_response(HTTPStatus.SERVICE_UNAVAILABLE)
            self.send_header("Retry-After", "5")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        seen = live.generation  # before the headers: a rebuild after them is never missed
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        live.streams.add(threading.current_thread())
        try:
            self._send_events(live, seen)
        finally:
            live.streams.discard(threading.current_thread())

    def _send_events(self, live: LiveServer, seen: int) -> None:
        # A rebuild this tab missed (it reconnects with the last id it saw, or its page came
        # with an older generation in the cookie), or a page from another process (watch was
        # restarted on this port), means reload now.
        shown = self.headers.get("Last-Event-ID", "") or self._cookie()
        self._write(f"retry: 1000\nid: {live.event_id(seen)}\n: connected\n\n")
        if needs_reload(shown.strip(), live.token, seen):
            self._write(f"id: {live.event_id(seen)}\ndata: reload\n\n")
        while not live.closing:
            changed = live.wait_for_change(seen, live.keepalive)
            if live.closing:
                return
            if changed is None:
                self._write(": keep-alive\n\n")
            else:
                seen = changed
                self._write(f"id: {live.event_id(seen)}\ndata: reload\n\n")

    def _cookie_name(self) -> str:
        return f"jobledger-{self.server.live.port}"  # cookies ignore ports; names need not

    def _cookie(self) -> str:
        jar = http.cookies.SimpleCookie()
        try:
            jar.load(self.headers.get("Cookie", ""))
        except http.cookies.CookieError:
            return ""
        morsel = jar.get(self._cookie_name())
        return morsel.value if morsel is not None else ""

    def _write(self, text: str) -> None:
        self.wfile.write(text.encode("utf-8"))
        self.wfile.flush()
