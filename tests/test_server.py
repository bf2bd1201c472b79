"""The live server on a real loopback socket: exact routes, the Host check, security headers,
Server-Sent Events after a save, tabs that vanish mid-stream, a busy port, --port 0."""

from __future__ import annotations

import http.client
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from watch_process import WatchProcess, ledger_text, read, start_watch, wait_until

from jobledger.server import LiveServer, Page, text_page

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


def test_a_reconnect_that_missed_a_rebuild_reloads_at_once(server: LiveServer) -> None:
    server.notify()
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    request = f"GET /events HTTP/1.1\r\nHost: localhost:{server.port}\r\nLast-Event-ID: 0\r\n"
    sock.sendall(request.encode() + b"\r\n")
    data = b""
    while b"data: reload" not in data:
        chunk = sock.recv(4096)
        assert chunk, data
        data += chunk
    sock.close()


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


def test_text_page_csp_allows_exactly_its_inline_blocks() -> None:
    page = text_page("# Title\n<b>x</b>", title="T", problems="a.jobs:1:1: error: <oops>")
    body = page.body.decode()
    assert "&lt;b&gt;x&lt;/b&gt;" in body and "&lt;oops&gt;" in body
    assert "connect-src 'self'" in page.csp
    assert page.csp.count("'sha256-") == 2
    assert "'unsafe-inline'" not in page.csp


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
    assert f"port {port} on 127.0.0.1 is already in use" in err
    assert "--port 0" in err
    assert "Traceback" not in err
    assert not (tmp_path / "hunt.html").exists()


def test_port_zero_picks_a_free_port_and_non_loopback_warns(tmp_path: Path) -> None:
    ledger = tmp_path / "hunt.jobs"
    ledger.write_text(ledger_text(1))
    with start_watch(ledger, "--host", "0.0.0.0", "--port", "0") as watch:
        match = watch.wait_for(r"^serving http://0\.0\.0\.0:(\d+)/$")
        assert int(match.group(1)) > 0
        watch.wait_for(r"warning: serving on 0\.0\.0\.0", stream="err")
        assert watch.stop() == 0
    assert re.search(r"tracked", read(tmp_path / "hunt.md"))


def test_a_page_older_than_the_last_rebuild_reloads_when_its_stream_connects(
    server: LiveServer,
) -> None:
    """A save between loading the page and its EventSource connecting is not lost."""
    _, headers, _ = get(server, "/")
    cookie = headers["Set-Cookie"].split(";", 1)[0]
    assert cookie == f"jobledger-{server.port}=0"
    assert "HttpOnly" in headers["Set-Cookie"] and "SameSite=Strict" in headers["Set-Cookie"]
    server.notify()  # the rebuild that came too early
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    request = f"GET /events HTTP/1.1\r\nHost: localhost:{server.port}\r\nCookie: {cookie}\r\n"
    sock.sendall(request.encode() + b"\r\n")
    data = b""
    while b"data: reload" not in data:
        chunk = sock.recv(4096)
        assert chunk, data
        data += chunk
    sock.close()
    # ... while a page that is up to date gets no reload
    tab = EventStream(server.port)
    lines = [tab.read_line(timeout=2) for _ in range(8)]  # a few keep-alives' worth
    assert ": keep-alive\n" in lines
    assert not [line for line in lines if line.startswith("data:")]
    tab.close()
