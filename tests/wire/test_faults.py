#!/usr/bin/env python3
"""Fault tolerance of islet's HTTP server, over raw sockets on 127.0.0.1:
  - clients that disconnect (FIN or RST) in every phase: mid-head, mid-body (both
    framings), while the worker awaits, mid-response-write of a large body; SIGPIPE;
  - running out of file descriptors (RLIMIT_NOFILE lowered for the islet process): accept
    pauses without spinning, clients wait rather than being dropped, and are served once
    descriptors free up;
  - a short soak (tests/soak/soak.py for SOAK_SECONDS, default 8): descriptors and RSS come
    back to their baseline.
After each test the server must be alive and its descriptors back to the baseline.

Usage: tests/wire/test_faults.py [ISLET_BINARY]. Prints `N passed, N failed`.
"""
import os
import resource
import socket
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "pylib"))
sys.path.insert(0, os.path.join(ROOT, "tests", "soak"))
import rawhttp  # noqa: E402

ISLET = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                        os.environ.get("ISLET", os.path.join(ROOT, "build", "islet")))
WORKER = os.path.join(HERE, "echo.js")
FLAGS = ["--header-timeout-ms", "1000", "--body-timeout-ms", "1000", "--idle-timeout-ms",
         "1000"]


class Failure(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Failure(msg)


def get(path, extra=b""):
    return b"GET " + path + b" HTTP/1.1\r\nHost: f\r\n" + extra + b"\r\n"


def still_serves(srv):
    out, closed = rawhttp.exchange(srv.port, get(b"/alive", b"Connection: close\r\n"))
    responses, _ = rawhttp.parse_responses(out)
    check(len(responses) == 1 and responses[0].status == 200, "no answer after: %r" % out[:80])


def drop(sock, rst):
    if rst:
        rawhttp.set_rst_on_close(sock)
    sock.close()


TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


def disconnect_test(name, send, settle=0.1):
    """A test that opens 10 connections, sends with send(sock), then closes them (half with
    a RST), and checks the server is unharmed."""
    def fn(srv):
        for i in range(10):
            s = rawhttp.connect(srv.port)
            send(s)
            time.sleep(settle)
            drop(s, rst=i % 2 == 1)
        still_serves(srv)
    fn.__name__ = "disconnect_" + name
    test(fn)


disconnect_test("before_sending", lambda s: None, 0)
disconnect_test("mid_request_line", lambda s: s.sendall(b"GET /x HT"))
disconnect_test("mid_head", lambda s: s.sendall(b"GET /x HTTP/1.1\r\nHost: f\r\nX-A: b"))
disconnect_test("mid_body", lambda s: s.sendall(
    b"POST /p HTTP/1.1\r\nHost: f\r\nContent-Length: 100\r\n\r\nabc"))
disconnect_test("mid_chunked_body", lambda s: s.sendall(
    b"POST /p HTTP/1.1\r\nHost: f\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nabc"))
disconnect_test("mid_trailers", lambda s: s.sendall(
    b"POST /p HTTP/1.1\r\nHost: f\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX: y"))
disconnect_test("while_the_worker_awaits", lambda s: s.sendall(get(b"/slow?ms=300")))
disconnect_test("with_pipelined_requests_queued", lambda s: s.sendall(
    get(b"/slow?ms=200") + get(b"/a") + get(b"/b")))
disconnect_test("after_a_rejected_request", lambda s: s.sendall(
    b"GET / HTTP/1.1\nHost: f\r\n\r\n" + get(b"/x")))


@test
def disconnect_mid_response_write(srv):
    """A client that reads a little of a large body and goes: the server's writes fail
    (EPIPE or ECONNRESET, never a fatal SIGPIPE) and the connection is dropped."""
    for i in range(6):
        s = rawhttp.connect(srv.port)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
        s.sendall(get(b"/big?n=20000000"))
        got = s.recv(65536)
        check(got.startswith(b"HTTP/1.1 200 "), repr(got[:40]))
        drop(s, rst=i % 2 == 1)
    time.sleep(0.3)
    still_serves(srv)


@test
def sigpipe_is_ignored(srv):
    """Writing to a socket whose peer is gone raises SIGPIPE unless it is ignored."""
    with open("/proc/%d/status" % srv.pid) as f:
        ign = [line for line in f if line.startswith("SigIgn:")][0].split()[1]
    check(int(ign, 16) & (1 << (13 - 1)), "SIGPIPE (13) not in SigIgn %s" % ign)
    # A peer that shut down its read side: the server keeps writing a big body into it.
    s = rawhttp.connect(srv.port)
    s.sendall(get(b"/big?n=8000000"))
    s.recv(100)
    s.shutdown(socket.SHUT_RD)
    drop(s, rst=False)
    time.sleep(0.3)
    check(srv.alive(), "islet died")
    still_serves(srv)


@test
def half_close_still_gets_the_answer(srv):
    s = rawhttp.connect(srv.port)
    s.sendall(get(b"/slow?ms=200") + get(b"/second"))
    s.shutdown(socket.SHUT_WR)
    out, closed = rawhttp.read_until_close(s, 5)
    responses, rest = rawhttp.parse_responses(out)
    check([r.status for r in responses] == [200, 200] and closed and not rest, repr(out[:200]))


@test
def many_clients_disconnect_at_once(srv):
    socks = []
    for i in range(100):
        s = rawhttp.connect(srv.port)
        s.sendall([b"GET /x HTTP/1.1\r\n", get(b"/slow?ms=200"),
                   b"POST / HTTP/1.1\r\nHost: f\r\nContent-Length: 9\r\n\r\nab"][i % 3])
        socks.append(s)
    time.sleep(0.1)
    for i, s in enumerate(socks):
        drop(s, rst=i % 2 == 0)
    still_serves(srv)


def test_fd_exhaustion():
    """RLIMIT_NOFILE 64 for the islet process: more connections than it can hold."""
    limit = 64

    def lower_limit():
        resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))

    srv = rawhttp.Islet(ISLET, WORKER, ["--header-timeout-ms", "30000"], preexec_fn=lower_limit)
    held, waiting = [], []
    try:
        # Connections that stay busy (a head that never ends) until we close them.
        for _ in range(limit):
            s = rawhttp.connect(srv.port)
            s.sendall(b"GET /held HTTP/1.1\r\n")
            held.append(s)
        for i in range(5):
            s = rawhttp.connect(srv.port)
            s.sendall(get(b"/waiting%d" % i))
            waiting.append(s)
        time.sleep(0.5)
        fds = rawhttp.fd_count(srv.pid)
        check(fds <= limit, "%d descriptors open, over the limit" % fds)
        cpu0 = rawhttp.cpu_seconds(srv.pid)
        time.sleep(2)
        cpu = rawhttp.cpu_seconds(srv.pid) - cpu0
        check(cpu < 0.3, "islet used %.2fs of CPU in 2s while at the limit (spinning?)" % cpu)
        for s in waiting:
            s.settimeout(0.1)
            try:
                data = s.recv(100)
                raise Failure("a waiting client got %r while at the limit" % data[:40])
            except socket.timeout:
                pass  # still waiting, neither answered nor dropped
        check("connection budget reached" in srv.log(), "no warning logged: %r" % srv.log())
        # Descriptors free up: every waiting client is served.
        for s in held:
            s.close()
        for s in waiting:
            s.settimeout(5)
            data = s.recv(100)
            check(data.startswith(b"HTTP/1.1 200 "), "after the pause: %r" % data[:40])
            s.close()
        # Idle keep-alive connections that were answered make room for new clients.
        idle = []
        for _ in range(limit):
            try:
                s = rawhttp.connect(srv.port, timeout=5)
                s.sendall(get(b"/idle"))
                idle.append(s)
            except OSError:
                break
        answered = 0
        for s in idle:
            s.settimeout(3)
            try:
                answered += s.recv(100).startswith(b"HTTP/1.1 200 ")
            except OSError:
                pass
        check(answered == len(idle), "%d of %d keep-alive clients answered" % (answered, len(idle)))
        still_serves(srv)
        for s in idle:
            s.close()
        check(srv.alive(), "islet died")
    finally:
        for s in held + waiting:
            s.close()
        srv.stop()


def test_short_soak():
    import soak
    seconds = float(os.environ.get("SOAK_SECONDS", "8"))
    fig, checks = soak.run(ISLET, seconds=seconds, threads=3, out=lambda s: print("    " + s))
    bad = ["%s (%s)" % (n, d) for n, ok, d in checks if not ok]
    check(not bad, "; ".join(bad))


def main():
    passed = failed = 0

    def run(name, fn, *args):
        nonlocal passed, failed
        start = time.time()
        try:
            fn(*args)
            passed += 1
            print("PASS %s (%.0f ms)" % (name, (time.time() - start) * 1000))
        except (Failure, OSError, ValueError, KeyError, RuntimeError) as e:
            failed += 1
            print("FAIL %s: %s: %s" % (name, type(e).__name__, e))
        sys.stdout.flush()

    srv = rawhttp.Islet(ISLET, WORKER, FLAGS)
    try:
        time.sleep(0.2)
        baseline = rawhttp.fd_count(srv.pid)

        def with_checks(fn):
            fn(srv)
            check(srv.alive(), "islet died (exit status %s)" % srv.proc.poll())
            # Timeouts (idle 1 s, linger 2 s) close what the clients left behind.
            if not rawhttp.wait_for(lambda: rawhttp.fd_count(srv.pid) <= baseline, 6, 0.1):
                raise Failure("descriptors: %d open, %d before" % (rawhttp.fd_count(srv.pid),
                                                                   baseline))
        for fn in TESTS:
            if not srv.alive():
                srv.stop()
                srv = rawhttp.Islet(ISLET, WORKER, FLAGS)
                time.sleep(0.2)
                baseline = rawhttp.fd_count(srv.pid)
            run(fn.__name__, with_checks, fn)
    finally:
        srv.stop()
    run("fd_exhaustion_pauses_accept_and_resumes", test_fd_exhaustion)
    run("short_soak", test_short_soak)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
