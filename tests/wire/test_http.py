#!/usr/bin/env python3
"""Wire-level tests of islet's HTTP/1.1 server: raw bytes over sockets on 127.0.0.1.

Starts `build/islet serve tests/wire/echo.js --listen 127.0.0.1:PORT` (plus short limits)
on a free port, checks status lines, framing and connection closing, and kills only the
process it started. Prints `N passed, N failed`; exit status 1 on failure.

Usage: tests/wire/test_http.py [ISLET_BINARY]   (default build/islet, or $ISLET)
VERBOSE=1 shows the server's stderr.
"""
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
import islet_server  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ISLET = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                        os.environ.get("ISLET", os.path.join(ROOT, "build", "islet")))
WORKER = os.path.join(ROOT, "tests", "wire", "echo.js")
MAX_BODY = 10000
FLAGS = ["--max-body-bytes", str(MAX_BODY), "--header-timeout-ms", "500",
         "--body-timeout-ms", "500", "--idle-timeout-ms", "1000", "--shutdown-grace-ms", "3000"]
DATE_RE = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep"
                     r"|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d GMT$")


class Failure(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Failure(msg)


free_port = islet_server.free_port


class Server:
    """One `islet serve` child process on its own port."""

    def __init__(self, flags=FLAGS):
        self.port = free_port()
        cmd = [ISLET, "serve", WORKER, "--listen", "127.0.0.1:%d" % self.port] + flags
        err = None if os.environ.get("VERBOSE") else subprocess.DEVNULL
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
        deadline = time.time() + 10
        while True:
            if self.proc.poll() is not None:
                raise Failure("islet serve exited with %s" % self.proc.returncode)
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if time.time() > deadline:
                    self.stop()
                    raise Failure("islet serve did not start listening")
                time.sleep(0.05)

    def alive(self):
        if self.proc.poll() is not None:
            return False
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
            return True
        except OSError:
            return False

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()  # by PID: only the process this suite started
        self.proc.wait()


class Response:
    def __init__(self, status, reason, headers, body):
        self.status, self.reason, self.headers, self.body = status, reason, headers, body

    def header(self, name):
        vals = [v for n, v in self.headers if n.lower() == name.lower()]
        return vals[0] if vals else None

    def count(self, name):
        return sum(1 for n, _ in self.headers if n.lower() == name.lower())

    def json(self):
        return json.loads(self.body)


class Conn:
    def __init__(self, port, timeout=3.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = b""

    def send(self, data):
        self.sock.sendall(data if isinstance(data, bytes) else data.encode())

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise Failure("connection closed while reading a response (have %r)" % self.buf[:80])
        self.buf += chunk

    def response(self, head=False):
        """Reads one response; 1xx are returned as responses of their own."""
        while b"\r\n\r\n" not in self.buf:
            self._fill()
        raw, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = raw.decode("latin-1").split("\r\n")
        m = re.match(r"^HTTP/1\.1 (\d{3}) (.*)$", lines[0])
        check(m, "bad status line %r" % lines[0])
        status = int(m.group(1))
        headers = []
        for line in lines[1:]:
            name, sep, value = line.partition(":")
            check(sep and name and name == name.strip(), "bad header line %r" % line)
            headers.append((name, value.strip()))
        res = Response(status, m.group(2), headers, b"")
        check(res.header("transfer-encoding") is None, "unexpected Transfer-Encoding")
        if status < 200 or status in (204, 304) or head:
            if status < 200 or status in (204, 304):
                check(res.header("content-length") is None, "%d with Content-Length" % status)
            return res
        check(res.count("content-length") == 1, "no single Content-Length: %r" % headers)
        n = int(res.header("content-length"))
        while len(self.buf) < n:
            self._fill()
        res.body, self.buf = self.buf[:n], self.buf[n:]
        return res

    def rest(self):
        """Everything until the peer closes: (bytes, closed). closed is False on timeout."""
        data = self.buf
        self.buf = b""
        try:
            while True:
                chunk = self.sock.recv(65536)
                if not chunk:
                    return data, True
                data += chunk
        except socket.timeout:
            return data, False
        except ConnectionResetError:
            return data, True

    def close(self):
        self.sock.close()


TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


def get(path, host="a.test", extra=""):
    return "GET %s HTTP/1.1\r\nHost: %s\r\n%s\r\n" % (path, host, extra)


def expect_rejected(srv, data, status):
    """One response with `status`, Connection: close, a short text body, then EOF; a valid
    request pipelined after the bad bytes gets no response."""
    c = Conn(srv.port)
    c.send(data + (get("/must-not-answer")).encode())
    r = c.response()
    check(r.status == status, "expected %d, got %d %r" % (status, r.status, r.body))
    check(r.header("connection") == "close", "no Connection: close")
    check((r.header("content-type") or "").startswith("text/plain"), "error body not text/plain")
    check(0 < len(r.body) < 100, "error body %r" % r.body)
    rest, closed = c.rest()
    check(rest == b"", "bytes after the error response: %r" % rest[:80])
    check(closed, "connection left open after %d" % status)
    c.close()


# ---- basics ----

@test
def get_echoes_method_url_and_headers(srv):
    c = Conn(srv.port)
    c.send(get("/path?q=1", extra="X-Test:   padded value \t\r\n"))
    r = c.response()
    check(r.status == 200, "status %d" % r.status)
    j = r.json()
    check(j["method"] == "GET" and j["url"] == "http://a.test/path?q=1", repr(j))
    check(j["headers"]["x-test"] == "padded value", repr(j["headers"]))
    check(DATE_RE.match(r.header("date") or ""), "Date %r" % r.header("date"))
    check(r.header("connection") is None, "HTTP/1.1 keep-alive needs no Connection header")


@test
def keep_alive_serves_two_requests(srv):
    c = Conn(srv.port)
    c.send(get("/one"))
    check(c.response().json()["url"].endswith("/one"), "first")
    c.send(get("/two"))
    check(c.response().json()["url"].endswith("/two"), "second")


@test
def pipelined_responses_come_in_order(srv):
    c = Conn(srv.port)
    c.send(get("/slow?ms=200") + "POST /b HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi"
           + get("/c"))
    r1, r2, r3 = c.response(), c.response(), c.response()
    check(r1.body == b"slow 200", "first %r" % r1.body)
    check(r2.json()["url"] == "http://a/b" and r2.json()["body"] == "hi", "second %r" % r2.body)
    check(r3.json()["url"] == "http://a.test/c", "third %r" % r3.body)


@test
def absolute_form_target_is_the_url(srv):
    c = Conn(srv.port)
    c.send(get("http://other.test:81/abs?x", host="a.test"))
    check(c.response().json()["url"] == "http://other.test:81/abs?x", "url")


@test
def repeated_request_headers_are_all_kept(srv):
    c = Conn(srv.port)
    c.send(get("/", extra="X-Test: one\r\nx-test: two\r\n"))
    check(c.response().json()["headers"]["x-test"] == "one, two", "combined by Headers.get")


@test
def http10_without_keep_alive_closes(srv):
    c = Conn(srv.port)
    c.send("GET /old HTTP/1.0\r\n\r\n")
    r = c.response()
    check(r.status == 200 and r.json()["url"] == "http://127.0.0.1:%d/old" % srv.port,
          "url from the listen address: %r" % r.body)
    check(r.header("connection") == "close", "Connection %r" % r.header("connection"))
    rest, closed = c.rest()
    check(closed and rest == b"", "not closed")


@test
def http10_with_keep_alive_stays_open(srv):
    c = Conn(srv.port)
    c.send("GET /a HTTP/1.0\r\nHost: h\r\nConnection: keep-alive\r\n\r\n")
    r = c.response()
    check(r.header("connection") == "keep-alive", "Connection %r" % r.header("connection"))
    c.send("GET /b HTTP/1.0\r\nHost: h\r\nConnection: keep-alive\r\n\r\n")
    check(c.response().json()["url"] == "http://h/b", "second")


@test
def content_length_body_is_read(srv):
    c = Conn(srv.port)
    c.send("POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\nhello")
    time.sleep(0.05)
    c.send(" world")
    j = c.response().json()
    check(j["method"] == "POST" and j["body"] == "hello world", repr(j))


@test
def chunked_body_is_decoded(srv):
    c = Conn(srv.port)
    c.send("POST /p HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
           "5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nTrailer-X: t\r\n\r\n")
    check(c.response().json()["body"] == "hello world", "body")
    c.send(get("/after"))
    check(c.response().json()["url"].endswith("/after"), "connection reusable after chunked")


@test
def expect_100_continue_gets_interim_response(srv):
    c = Conn(srv.port)
    c.send("PUT /e HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n")
    r = c.response()
    check(r.status == 100, "expected 100 Continue before sending the body, got %d" % r.status)
    c.send("data")
    r = c.response()
    check(r.status == 200 and r.json()["body"] == "data", repr(r.body))


@test
def unknown_expectation_gets_417(srv):
    expect_rejected(srv, b"PUT / HTTP/1.1\r\nHost: a\r\nExpect: magic\r\nContent-Length: 1\r\n\r\nx",
                    417)


@test
def head_has_length_but_no_body(srv):
    c = Conn(srv.port)
    c.send("HEAD /big?n=5000 HTTP/1.1\r\nHost: a\r\n\r\n" + get("/next"))
    r = c.response(head=True)
    check(r.status == 200 and r.header("content-length") == "5000", repr(r.headers))
    r2 = c.response()  # would fail to parse if body bytes had been sent
    check(r2.json()["url"].endswith("/next"), "next")


@test
def big_body_is_complete(srv):
    c = Conn(srv.port)
    c.send(get("/big"))
    r = c.response()
    check(len(r.body) == 1 << 20 and r.body == b"x" * (1 << 20), "len %d" % len(r.body))


@test
def worker_framing_headers_are_replaced(srv):
    c = Conn(srv.port)
    c.send(get("/framing"))
    r = c.response()
    check(r.body == b"framed" and r.header("x-kept") == "yes", repr(r.headers))
    check(r.header("keep-alive") is None and r.header("connection") is None, repr(r.headers))
    c.send(get("/again"))
    check(c.response().status == 200, "connection still usable")


@test
def no_content_statuses_have_no_body(srv):
    c = Conn(srv.port)
    for code in (204, 304):
        c.send(get("/status?code=%d" % code))
        check(c.response().status == code, "status")
    c.send(get("/after"))
    check(c.response().json()["url"].endswith("/after"), "framing intact")


# ---- limits ----

@test
def content_length_over_limit_gets_413(srv):
    expect_rejected(srv, b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: %d\r\n\r\n"
                    % (MAX_BODY + 1), 413)


@test
def chunked_body_over_limit_gets_413(srv):
    chunks = b"".join(b"400\r\n" + b"z" * 1024 + b"\r\n" for _ in range(MAX_BODY // 1024 + 2))
    expect_rejected(srv, b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + chunks + b"0\r\n\r\n", 413)


@test
def long_request_line_gets_414(srv):
    expect_rejected(srv, ("GET /" + "a" * 9000 + " HTTP/1.1\r\nHost: a\r\n\r\n").encode(), 414)


@test
def large_headers_get_431(srv):
    hdrs = "".join("X-%d: %s\r\n" % (i, "v" * 8000) for i in range(9))
    expect_rejected(srv, ("GET / HTTP/1.1\r\nHost: a\r\n" + hdrs + "\r\n").encode(), 431)


@test
def too_many_headers_get_431(srv):
    hdrs = "".join("X-%d: v\r\n" % i for i in range(101))
    expect_rejected(srv, ("GET / HTTP/1.1\r\nHost: a\r\n" + hdrs + "\r\n").encode(), 431)


BAD = {
    "invalid_chunk_size": b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                          b"zz\r\nabc\r\n0\r\n\r\n",
    "content_length_with_transfer_encoding": b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5"
                                             b"\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    "two_different_content_lengths": b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n"
                                     b"Content-Length: 4\r\n\r\nabcd",
    "bare_lf_line_endings": b"GET / HTTP/1.1\nHost: a\n\n",
    "bare_lf_after_request_line": b"GET / HTTP/1.1\nHost: a\r\n\r\n",
    "space_before_colon": b"GET / HTTP/1.1\r\nHost : a\r\n\r\n",
    "obs_fold": b"GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n folded\r\n\r\n",
    "invalid_method_token": b"G(T / HTTP/1.1\r\nHost: a\r\n\r\n",
    "invalid_version": b"GET / HTTP/1.x\r\nHost: a\r\n\r\n",
    "missing_host_in_http11": b"GET / HTTP/1.1\r\nX: a\r\n\r\n",
    "two_hosts": b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
    "host_with_path": b"GET / HTTP/1.1\r\nHost: a/b\r\n\r\n",
}


def make_bad_test(name, data):
    def fn(srv):
        expect_rejected(srv, data, 400)
    fn.__name__ = "bad_request_400_" + name
    return fn


for _name, _data in BAD.items():
    test(make_bad_test(_name, _data))


# ---- timeouts ----

@test
def slow_headers_get_408(srv):
    c = Conn(srv.port)
    start = time.time()
    c.send("GET / HTTP/1.1\r\nHost: a\r\n")
    data, closed = c.rest()
    check(data.startswith(b"HTTP/1.1 408 ") and b"\r\nConnection: close\r\n" in data, repr(data))
    check(closed and 0.4 < time.time() - start < 2.5, "closed after %.2fs" % (time.time() - start))


@test
def stalled_body_gets_408(srv):
    c = Conn(srv.port)
    c.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc")
    data, closed = c.rest()
    check(data.startswith(b"HTTP/1.1 408 ") and closed, repr(data))


@test
def idle_connection_is_closed(srv):
    c = Conn(srv.port)
    c.send(get("/"))
    c.response()
    start = time.time()
    data, closed = c.rest()
    check(closed and data == b"", "idle close: %r" % data)
    check(0.8 < time.time() - start < 2.5, "closed after %.2fs" % (time.time() - start))


def graceful_shutdown_finishes_in_flight_request():
    srv = Server()
    try:
        idle = Conn(srv.port)
        busy = Conn(srv.port)
        busy.send(get("/slow?ms=700"))
        time.sleep(0.2)
        srv.proc.send_signal(signal.SIGTERM)
        r = busy.response()
        check(r.status == 200 and r.body == b"slow 700", "in-flight %r" % r.body)
        check(r.header("connection") == "close", "Connection %r" % r.header("connection"))
        _, closed = busy.rest()
        check(closed, "busy connection not closed")
        data, closed = idle.rest()
        check(closed and data == b"", "idle connection: %r" % data)
        try:
            code = srv.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            raise Failure("islet did not exit after SIGTERM")
        check(code == 0, "exit status %d" % code)
    finally:
        srv.stop()


def main():
    passed = failed = 0

    def run(name, fn, *args, srv=None):
        nonlocal passed, failed
        start = time.time()
        try:
            fn(*args)
            if srv and not srv.alive():
                raise Failure("islet died (exit status %s)" % srv.proc.poll())
            passed += 1
            print("PASS %s (%.0f ms)" % (name, (time.time() - start) * 1000))
        except (Failure, OSError, ValueError, KeyError) as e:
            failed += 1
            msg = "%s: %s" % (type(e).__name__, e)
            if srv and not srv.alive():
                msg += " (islet died, exit status %s)" % srv.proc.poll()
            print("FAIL %s: %s" % (name, msg))
        sys.stdout.flush()

    srv = None
    try:
        for fn in TESTS:
            # A server that died (a crash is a failure of the test that caused it) is
            # replaced so that the remaining tests still say something.
            if srv is None or not srv.alive():
                if srv:
                    srv.stop()
                try:
                    srv = Server()
                except Failure as e:
                    print("FAIL %s: cannot start islet: %s" % (fn.__name__, e))
                    failed += 1
                    continue
            run(fn.__name__, fn, srv, srv=srv)
    finally:
        if srv:
            srv.stop()
    run("graceful_shutdown_finishes_in_flight_request", graceful_shutdown_finishes_in_flight_request)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
