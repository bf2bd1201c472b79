"""The live server on a real loopback socket: exact routes, the Host check, security headers,
Server-Sent Events after a save, tabs that vanish mid-stream, a busy port, --port 0."""

from __future__ import annotations

import http.client
import re
import socket
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from watch_process import WatchProcess, ledger_text, read, start_watch, wait_until

from jobledger.live import server as server_module
from jobledger.live.server import (
    CannotServe,
    LiveServer,
    Page,
    PortInUse,
    needs_reload,
    parse_shown,
)

PAGE = Page(b"<!DOCTYPE html><title>t</title><p>hello</p>", csp="default-src 'none'; x")


@pytest.fixture
def server() -> Iterator[LiveServer]:
    live = LiveServer(lambda: PAGE, "127.0.0.1", 0, keepalive=0.3)
    live.start()
    yield live
    live.close()


def get(
    server: LiveServer, path: str, *, host: str | None = None, method: str = "GET"
) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        connection.putrequest(method, path, skip_host=True)
        if host != "":
            connection.putheader("Host", host or f"127.0.0.1:{server.port}")
        connection.endheaders()
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def raw(port: int, request: bytes, *, timeout: float = 5.0) -> bytes:
    """Send `request` as is; everything the server answers, up to its close."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(4096):
            data += chunk
    return data


def events_until_reload(port: int, headers: str, *, timeout: float = 3.0) -> bytes:
    """Open /events with extra header lines; what came up to the first `data: reload`, or up to
    a keep-alive comment when no reload is sent (the fixture's keepalive is 0.3 s)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        request = f"GET /events HTTP/1.1\r\nHost: localhost:{port}\r\n{headers}\r\n"
        sock.sendall(request.encode("latin-1"))
        data = b""
        while b"data: reload" not in data and b": keep-alive" not in data:
            chunk = sock.recv(4096)
            assert chunk, data
            data += chunk
    return data


class EventStream:
    """A raw /events connection, read line by line."""

    def __init__(self, port: int, host: str = "localhost") -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.sock.sendall(f"GET /events HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode())
        self.file = self.sock.makefile("rb")
        self.status = self.file.readline().decode()
        while self.file.readline() not in (b"\r\n", b""):
            pass

    def next_data(self, timeout: float = 5.0) -> str:
        """The next `data:` line, skipping comments, ids and retry lines."""
        self.sock.settimeout(timeout)
        deadline = time.monotonic() + timeout  # keep-alives must not make this wait forever
        while time.monotonic() < deadline:
            line = self.file.readline().decode()
            if not line:
                raise EOFError("stream closed")
            if line.startswith("data:"):
                return line[5:].strip()
        raise TimeoutError(f"no data within {timeout} s")

    def read_line(self, timeout: float = 5.0) -> str:
        self.sock.settimeout(timeout)
        return self.file.readline().decode()

    def close(self) -> None:
        self.file.close()
        self.sock.close()


def test_root_serves_the_page_with_security_headers(server: LiveServer) -> None:
    status, headers, body = get(server, "/")
    assert status == 200
    assert body == PAGE.body
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert headers["Content-Security-Policy"] == PAGE.csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Cache-Control"] == "no-store"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert get(server, "/?from=bookmark")[2] == PAGE.body  # a query string is ignored
    status, headers, body = get(server, "/", method="HEAD")
    assert status == 200 and body == b""


@pytest.mark.parametrize(
    "path",
    [
        "/index.html",
        "/../x",
        "/..%2f..%2fetc/passwd",
        "//hunt.jobs",  # (the stdlib folds a leading // into /)
        "//",
        "///",
        "//?x",
        "/./",
        "/%2F",
        "*",
        "hunt.jobs",
        "/events/",
        "/hunt.jobs",
        "/favicon.ico",
        "/%2e%2e/",
        "http://evil.example/",
    ],
)
def test_anything_else_is_404_with_the_same_headers(server: LiveServer, path: str) -> None:
    status, headers, _ = get(server, path)
    assert status == 404
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Content-Security-Policy"].startswith("default-src 'none'")


@pytest.mark.parametrize(
    ("host", "status"),
    [
        ("localhost:{port}", 200),
        ("127.0.0.1:{port}", 200),
        ("[::1]:{port}", 200),
        ("LOCALHOST:{port}", 200),
        ("evil.example:{port}", 403),  # DNS rebinding: a name that resolves to 127.0.0.1
        ("localhost.evil.example:{port}", 403),
        ("localhost:1", 403),  # the wrong port
        ("localhost", 403),
        ("", 400),
    ],
)
def test_host_header_is_checked(server: LiveServer, host: str, status: int) -> None:
    assert get(server, "/", host=host.format(port=server.port))[0] == status
    assert get(server, "/events", host=host.format(port=server.port), method="HEAD")[0] == status


@pytest.mark.parametrize("path", ["//events", "///events", "//events?x", "/./events"])
def test_events_only_at_exactly_slash_events(server: LiveServer, path: str) -> None:
    assert get(server, path)[0] == 404  # not a stream that never ends
    assert get(server, path, method="HEAD")[0] == 404


def test_absolute_form_targets_are_routed_only_for_this_server(server: LiveServer) -> None:
    port = server.port
    status, _, body = get(server, f"http://127.0.0.1:{port}/")
    assert (status, body) == (200, PAGE.body)
    assert get(server, f"http://localhost:{port}/?x=1")[0] == 200
    assert get(server, f"http://127.0.0.1:{port}")[0] == 200  # an empty path is `/`
    assert get(server, f"http://127.0.0.1:{port}/events", method="HEAD")[0] == 200
    for other in (
        f"http://evil.example:{port}/",
        "http://127.0.0.1:1/",
        f"https://127.0.0.1:{port}/",
        f"http://127.0.0.1:{port}//",
        f"http://127.0.0.1:{port}/x",
        f"http://user@127.0.0.1:{port}/",
        f"http://[::1:{port}/",
    ):
        assert get(server, other)[0] == 404, other


def test_more_than_one_host_header_is_refused(server: LiveServer) -> None:
    port = server.port
    for second in (f"evil.example:{port}", f"127.0.0.1:{port}"):
        answer = raw(
            port, f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nHost: {second}\r\n\r\n".encode()
        )
        assert answer.startswith(b"HTTP/1.0 400 "), answer[:80]
        assert PAGE.body not in answer


@pytest.mark.parametrize(
    ("request_line", "status"),
    [
        (b"GARBAGE\r\n\r\n", 400),
        (b"GET /\r\n\r\n", 400),  # HTTP/0.9: no version, so no Host header either
        (b"GET / HTTP/2.0\r\nHost: 127.0.0.1:{port}\r\n\r\n", 505),
        (b"GET / FTP/1.0\r\n\r\n", 400),
        (b"GET / HTTP/1.1 extra\r\n\r\n", 400),
    ],
)
def test_malformed_requests_get_a_status_line_and_the_security_headers(
    server: LiveServer, request_line: bytes, status: int
) -> None:
    answer = raw(server.port, request_line.replace(b"{port}", str(server.port).encode()))
    head = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    assert head.startswith(f"HTTP/1.0 {status} "), answer[:200]
    assert "\r\nContent-Security-Policy: default-src 'none'" in head
    assert "\r\nX-Content-Type-Options: nosniff" in head
    assert PAGE.body not in answer


def test_the_listen_backlog_is_not_the_default_five(server: LiveServer) -> None:
    assert server.httpd.request_queue_size >= 128
    started = time.monotonic()
    socks = [socket.create_connection(("127.0.0.1", server.port), timeout=2) for _ in range(40)]
    assert time.monotonic() - started < 0.9  # no connect waited for a SYN retry
    for sock in socks:
        sock.close()


def test_other_methods_are_refused(server: LiveServer) -> None:
    assert get(server, "/", method="POST")[0] == 501
    assert get(server, "/", method="PUT")[0] == 501


def test_events_reload_every_tab_and_survive_a_vanishing_tab(server: LiveServer) -> None:
    tabs = [EventStream(server.port) for _ in range(3)]
    assert all(tab.status.startswith("HTTP/1.0 200") for tab in tabs)
    tabs[1].sock.setsockopt(
        socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
    )
    tabs[1].close()  # the tab goes away (a reset, not a polite close)
    server.notify()
    assert tabs[0].next_data() == "reload"
    assert tabs[2].next_data() == "reload"
    time.sleep(0.4)  # keep-alive comments reach the dead socket: the server must not care
    server.notify()
    assert tabs[0].next_data() == "reload"
    assert tabs[2].next_data() == "reload"
    assert get(server, "/")[0] == 200
    for tab in (tabs[0], tabs[2]):
        tab.close()


def test_keepalive_comments(server: LiveServer) -> None:
    tab = EventStream(server.port)
    lines = [tab.read_line(timeout=2) for _ in range(8)]
    assert ": keep-alive\n" in lines
    tab.close()


def _events_until_reload(port: int, header: str, within: float = 3.0) -> None:
    """Open /events with one extra request header; return once the stream says reload, fail
    if it has not within `within` seconds (keep-alives keep coming: a socket timeout alone
    would wait forever)."""
    deadline = time.monotonic() + within
    with socket.create_connection(("127.0.0.1", port), timeout=within) as sock:
        request = f"GET /events HTTP/1.1\r\nHost: localhost:{port}\r\n{header}\r\n"
        sock.sendall(request.encode() + b"\r\n")
        data = b""
        while b"data: reload" not in data:
            assert time.monotonic() < deadline, f"no reload within {within} s: {data!r}"
            chunk = sock.recv(4096)
            assert chunk, data
            data += chunk


def test_a_reconnect_that_missed_a_rebuild_reloads_at_once(server: LiveServer) -> None:
    server.notify()
    _events_until_reload(server.port, "Last-Event-ID: 0")


def test_needs_reload_compares_token_and_generation() -> None:
    token = "0123456789abcdef"
    assert not needs_reload("", token, 3)  # says nothing: nothing to compare
    assert not needs_reload(f"{token}.3", token, 3)
    assert not needs_reload(f"{token}.4", token, 3)
    assert needs_reload(f"{token}.2", token, 3)  # an older rebuild
    assert needs_reload("fedcba9876543210.3", token, 3)  # another process's page
    assert needs_reload("fedcba9876543210.9", token, 3)
    for junk in ("3", "\xb2", f"{token}.\xb2", f"{token}.٣", "9" * 5000, f"{token}." + "9" * 5000):
        assert needs_reload(junk, token, 3)  # not an id of ours: reload, never raise
        assert parse_shown(junk) is None
    assert parse_shown(f"{token}.12") == (token, 12)


def test_a_tab_from_a_previous_watch_on_the_same_port_reloads() -> None:
    """watch restarted on the same port starts counting again: a tab that showed rebuild 4 of
    the old process is stale even though the new one is only at rebuild 1."""
    first = LiveServer(lambda: PAGE, "127.0.0.1", 0, keepalive=0.3)
    first.start()
    port = first.port
    for _ in range(4):
        first.notify()
    _, headers, _ = get(first, "/")
    cookie = headers["Set-Cookie"].split(";", 1)[0]
    assert cookie == f"jobledger-{port}={first.token}.4"
    data = events_until_reload(port, "")
    last_id = re.findall(rb"^id: (\S+)$", data, re.M)[-1].decode()
    assert last_id == f"{first.token}.4"
    first.close()

    second = LiveServer(lambda: PAGE, "127.0.0.1", port, keepalive=0.3)
    second.start()
    try:
        assert second.token != first.token
        second.notify()  # its first build
        for header in (f"Last-Event-ID: {last_id}\r\n", f"Cookie: {cookie}\r\n"):
            data = events_until_reload(port, header)
            assert b"data: reload" in data, header
            assert f"id: {second.token}.1".encode() in data
        # ... and once reloaded (its own cookie), the tab is left alone
        _, headers, _ = get(second, "/")
        fresh = headers["Set-Cookie"].split(";", 1)[0]
        assert fresh == f"jobledger-{port}={second.token}.1"
        assert b"data: reload" not in events_until_reload(port, f"Cookie: {fresh}\r\n")
    finally:
        second.close()


@pytest.mark.parametrize(
    ("header", "reload"),
    [
        ("Last-Event-ID: \xb2", True),  # '²'.isdigit() is True, int('²') is not
        ("Last-Event-ID: " + "9" * 5000, True),  # more digits than int() converts
        ("Cookie: jobledger-{port}=" + "9" * 5000, True),
        ("Cookie: jobledger-{port}=0123456789abcdef." + "9" * 5000, True),
        ("Last-Event-ID: 0123456789abcdef.-1", True),
        ('Cookie: jobledger-{port}="\\x"; =;;', False),  # no cookie to be read: says nothing
    ],
)
def test_odd_last_event_ids_and_cookies_never_print_a_traceback(
    server: LiveServer, header: str, reload: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    server.notify()
    data = events_until_reload(server.port, header.format(port=server.port) + "\r\n")
    assert data.startswith(b"HTTP/1.0 200 ")
    assert (b"data: reload" in data) == reload  # not an id of ours: reload and get one
    assert get(server, "/")[0] == 200  # and the server goes on
    assert capsys.readouterr().err == ""


def test_a_failing_handler_prints_one_short_line(capsys: pytest.CaptureFixture[str]) -> None:
    def broken() -> Page:
        raise ValueError("Exceeds the limit (4300 digits)\n" + "x" * 10_000)

    live = LiveServer(broken, "127.0.0.1", 0)
    live.start()
    err: list[str] = []
    try:
        with pytest.raises(http.client.RemoteDisconnected):
            get(live, "/")
        assert wait_until(lambda: err.append(capsys.readouterr().err) or "\n" in "".join(err))
    finally:
        live.close()
    lines = "".join(err).splitlines()
    assert len(lines) == 1, lines
    assert "ValueError: Exceeds the limit (4300 digits)" in lines[0]
    assert len(lines[0]) < 200
    assert "Traceback" not in lines[0]


def test_close_ends_streams_and_threads() -> None:
    live = LiveServer(lambda: PAGE, "127.0.0.1", 0)
    live.start()
    tabs = [EventStream(live.port) for _ in range(2)]
    before = time.monotonic()
    live.close()
    assert time.monotonic() - before < 1.5
    for tab in tabs:
        with pytest.raises(EOFError):
            tab.next_data(timeout=2)
        tab.close()
    assert wait_until(
        lambda: not [t for t in threading.enumerate() if t.name == "jobledger-server"], 2
    )
    assert not live.streams


# ---------------------------------------------------------------- the command


def test_watch_serve_sends_reload_after_a_save(tmp_path: Path) -> None:
    ledger = tmp_path / "hunt.jobs"
    ledger.write_text(ledger_text(2))
    with start_watch(ledger, "--serve", "--port", "0") as watch:
        url = watch.wait_for(r"^serving (http://127\.0\.0\.1:(\d+)/)$")
        port = int(url.group(2))
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        connection.request("GET", "/")
        response = connection.getresponse()
        assert response.status == 200
        assert "2 tracked" in response.read().decode().replace("**", "")
        tab = EventStream(port)
        ledger.write_text(ledger_text(5))
        started = time.monotonic()
        assert tab.next_data(timeout=5) == "reload"
        assert time.monotonic() - started < 1.0
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        connection.request("GET", "/")
        assert "5 tracked" in connection.getresponse().read().decode().replace("**", "")
        started = time.monotonic()
        assert watch.stop() == 0  # Ctrl-C with a tab still listening
        assert time.monotonic() - started < 1.5
        with pytest.raises(EOFError):
            tab.next_data(timeout=2)
        tab.close()
    assert "Traceback" not in "\n".join(watch.err)


def test_busy_port_is_a_usage_error_without_traceback(tmp_path: Path) -> None:
    ledger = tmp_path / "hunt.jobs"
    ledger.write_text(ledger_text(1))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with WatchProcess(ledger, "--serve", "--port", str(port), cwd=tmp_path) as watch:
            assert watch.proc.wait(10) == 2
    err = "\n".join(watch.err)
    assert f"jobledger: port {port} on 127.0.0.1 is already in use; pick another" in err
    assert "--port 0" in err
    assert "Errno" not in err
    assert "Traceback" not in err
    assert not (tmp_path / "hunt.html").exists()


def test_bind_errors_read_as_one_clean_line() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(PortInUse) as busy:
            LiveServer(lambda: PAGE, "127.0.0.1", port)
    assert str(busy.value) == f"port {port} on 127.0.0.1 is already in use"
    with pytest.raises(CannotServe) as unknown:
        LiveServer(lambda: PAGE, "nosuch.invalid", 0)
    assert "Errno" not in str(unknown.value) and str(unknown.value)[:1].islower()


@pytest.mark.parametrize(
    ("host", "reason"),
    [
        ("nosuch.invalid", "name|resolution|not known"),  # (offline: "temporary failure ...")
        ("10.255.255.1", "cannot assign requested address"),  # not an address of this machine
    ],
)
def test_a_host_we_cannot_serve_on_is_a_usage_error(tmp_path: Path, host: str, reason: str) -> None:
    ledger = tmp_path / "hunt.jobs"
    ledger.write_text(ledger_text(1))
    with WatchProcess(ledger, "--host", host, "--port", "0", cwd=tmp_path) as watch:
        assert watch.proc.wait(10) == 2
    err = "\n".join(watch.err)
    assert re.fullmatch(
        rf"jobledger: cannot serve on --host {re.escape(host)}: .*({reason}).*", err
    ), err
    assert "Errno" not in err and "Traceback" not in err


def test_port_zero_picks_a_free_port_and_non_loopback_warns(tmp_path: Path) -> None:
    ledger = tmp_path / "hunt.jobs"
    ledger.write_text(ledger_text(1))
    with start_watch(ledger, "--host", "0.0.0.0", "--port", "0") as watch:
        match = watch.wait_for(r"^serving (http://127\.0\.0\.1:(\d+)/)$")  # not 0.0.0.0: usable
        assert int(match.group(2)) > 0
        with urllib.request.urlopen(match.group(1), timeout=5) as response:
            assert response.status == 200
        watch.wait_for(r"warning: serving on 0\.0\.0\.0", stream="err")
        assert watch.stop() == 0
    assert re.search(r"tracked", read(tmp_path / "hunt.md"))


@pytest.mark.parametrize(
    ("host", "url"),
    [
        ("0.0.0.0", "http://127.0.0.1:{port}/"),
        ("::", "http://[::1]:{port}/"),
        ("[::]", "http://[::1]:{port}/"),
        ("127.0.0.1", "http://127.0.0.1:{port}/"),
        ("localhost", "http://localhost:{port}/"),
    ],
)
def test_the_url_of_a_wildcard_bind_is_a_loopback_address(host: str, url: str) -> None:
    try:
        live = LiveServer(lambda: PAGE, host, 0)
    except CannotServe:  # e.g. no IPv6 here
        pytest.skip(f"cannot bind {host}")
    try:
        assert live.url == url.format(port=live.port)
    finally:
        live.close()


def test_a_page_older_than_the_last_rebuild_reloads_when_its_stream_connects(
    server: LiveServer,
) -> None:
    """A save between loading the page and its EventSource connecting is not lost."""
    _, headers, _ = get(server, "/")
    cookie = headers["Set-Cookie"].split(";", 1)[0]
    assert cookie == f"jobledger-{server.port}={server.token}.0"
    assert "HttpOnly" in headers["Set-Cookie"] and "SameSite=Strict" in headers["Set-Cookie"]
    server.notify()  # the rebuild that came too early
    _events_until_reload(server.port, f"Cookie: {cookie}")
    # ... while a page that is up to date gets no reload
    tab = EventStream(server.port)
    lines = [tab.read_line(timeout=2) for _ in range(8)]  # a few keep-alives' worth
    assert ": keep-alive\n" in lines
    assert not [line for line in lines if line.startswith("data:")]
    tab.close()


# ---------------------------------------------------------------- limits (issue 10)


def test_a_stalled_client_delays_neither_a_rebuild_nor_the_other_tabs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(server_module, "SEND_SECONDS", 0.5)
    big = Page(b"<!DOCTYPE html><title>t</title><p>" + b"x" * 8_000_000, csp="default-src 'none'")
    live = LiveServer(lambda: big, "127.0.0.1", 0, keepalive=0.3)
    live.start()
    stalled = socket.create_connection(("127.0.0.1", live.port))
    stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
    try:
        # A client that asks for the 8 MB page and never reads it...
        stalled.sendall(f"GET / HTTP/1.1\r\nHost: localhost:{live.port}\r\n\r\n".encode())
        tab = EventStream(live.port)
        assert wait_until(lambda: live.streams, 2)
        for _ in range(3):  # ...holds up neither a rebuild nor another tab
            started = time.monotonic()
            live.notify()
            assert time.monotonic() - started < 0.05
            assert tab.next_data(timeout=2) == "reload"
        started = time.monotonic()
        assert get(live, "/")[0] == 200
        assert time.monotonic() - started < 5
        tab.close()
        # and it is dropped once a send has waited SEND_SECONDS.
        assert wait_until(lambda: live.httpd.connections == 0, 5)
    finally:
        stalled.close()
        live.close()


def test_the_number_of_event_streams_is_bounded(
    server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(server_module, "MAX_STREAMS", 3)
    tabs = [EventStream(server.port) for _ in range(3)]
    try:
        assert wait_until(lambda: len(server.streams) == 3, 2)
        refused = EventStream(server.port)
        assert refused.status.startswith("HTTP/1.0 503")
        refused.close()
        assert get(server, "/")[0] == 200  # the page itself is still served
    finally:
        for tab in tabs:
            tab.close()


def test_the_number_of_connections_is_bounded(
    server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(server_module, "MAX_CONNECTIONS", 4)
    idle = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(4)]
    try:
        assert wait_until(lambda: server.httpd.connections == 4, 2)
        extra = socket.create_connection(("127.0.0.1", server.port), timeout=2)
        assert extra.recv(200).startswith(b"HTTP/1.0 503")
        extra.close()
    finally:
        for sock in idle:
            sock.close()
    assert wait_until(lambda: get(server, "/")[0] == 200, 15)  # free again once they go


def test_a_silent_or_dribbling_client_gives_its_thread_up(
    server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(server_module._Handler, "timeout", 0.5)
    dribbler = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    dribbler.sendall(b"GET / HTTP/1.1\r\n")  # and then nothing
    assert wait_until(lambda: server.httpd.connections == 1, 2)
    assert wait_until(lambda: server.httpd.connections == 0, 3)
    dribbler.close()


def test_a_huge_request_is_refused(server: LiveServer) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        headers = "".join(f"X-Filler-{n}: {'a' * 1000}\r\n" for n in range(30))
        sock.sendall(f"GET / HTTP/1.1\r\nHost: localhost:{server.port}\r\n{headers}\r\n".encode())
        assert sock.recv(200).startswith(b"HTTP/1.0 431")


def test_one_request_per_connection(server: LiveServer) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        request = f"GET / HTTP/1.1\r\nHost: localhost:{server.port}\r\n\r\n".encode()
        sock.sendall(request + request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    assert data.count(b"HTTP/1.0 200") == 1  # no keep-alive: closed after one response
