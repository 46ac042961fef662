#!/usr/bin/env python3
"""Soak test of islet's HTTP server: several client threads send a mix of valid, invalid
and abandoned requests for a while, then the server's open descriptors and RSS must come
back to what they were before (after a warm-up, so that the engine's caches, JIT and heap
are already grown).

Not part of `make test` at full length (60 s by default): tests/wire/test_faults.py runs a
short variant. Run by hand:

    tests/soak/soak.py [--seconds 60] [--threads 4] [ISLET_BINARY]

Prints the figures (requests, errors, descriptors and RSS before/after) and
`N passed, N failed` for its checks:
  - no unexpected answer (a valid request answered wrongly, an invalid one not refused
    with its status, or the server dying);
  - open descriptors back to the baseline exactly, once the timeouts have closed what the
    clients left (idle 1 s, linger 2 s): any leaked connection shows here;
  - RSS no more than RSS_SLACK_KB (or RSS_SLACK_RATIO of the baseline, the larger) above
    the baseline: glibc keeps freed memory in its arenas and JSC's heap grows in blocks, so
    RSS does not drop to the byte, but a leak per request grows without bound.
"""
import json
import os
import random
import socket
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "pylib"))
sys.path.insert(0, os.path.join(ROOT, "tests", "wire"))
import rawhttp  # noqa: E402

WORKER = os.path.join(ROOT, "tests", "wire", "echo.js")
MAX_BODY = 100000
FLAGS = ["--max-body-bytes", str(MAX_BODY), "--header-timeout-ms", "1000",
         "--body-timeout-ms", "1000", "--idle-timeout-ms", "1000"]
RSS_SLACK_KB = 24 * 1024
RSS_SLACK_RATIO = 0.25


def bad_cases():
    """The rejected cases of tests/wire/test_smuggling.py whose answer does not depend on
    this server's limits."""
    import test_smuggling
    return [(d, st) for name, (d, st) in test_smuggling.REJECTED.items()
            if "limit" not in name]


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.counts = {"requests": 0, "valid": 0, "invalid": 0, "abandoned": 0, "errors": 0}
        self.first_errors = []

    def add(self, kind, n=1):
        with self.lock:
            self.counts[kind] += n
            self.counts["requests"] += n

    def error(self, what):
        with self.lock:
            self.counts["errors"] += 1
            if len(self.first_errors) < 10:
                self.first_errors.append(what)


def get(path, extra=b""):
    return b"GET " + path + b" HTTP/1.1\r\nHost: soak\r\n" + extra + b"\r\n"


def expect(stats, port, data, statuses, close=True):
    """Sends data (ending with a Connection: close request when close), expects responses
    with exactly these statuses and then EOF."""
    if close:
        data += get(b"/last", b"Connection: close\r\n")
        statuses = statuses + [200]
    out, closed = rawhttp.exchange(port, data, timeout=10)
    responses, rest = rawhttp.parse_responses(out)
    got = [r.status for r in responses]
    if got != statuses or rest or not closed:
        stats.error("expected %r, got %r (rest %r, closed %s)" % (statuses, got, rest[:60], closed))
    return responses


# ---- the mix ----

def valid_keep_alive(stats, port, rnd):
    n = rnd.randint(1, 5)
    expect(stats, port, b"".join(get(b"/ka%d" % i) for i in range(n)), [200] * n)
    stats.add("valid", n + 1)


def valid_post(stats, port, rnd):
    body = bytes(rnd.choice(b"abcdefgh") for _ in range(rnd.randint(0, 50000)))
    if rnd.random() < 0.5:
        req = b"POST /p HTTP/1.1\r\nHost: soak\r\nContent-Length: %d\r\n\r\n" % len(body) + body
    else:
        chunks = b""
        for i in range(0, len(body), 7000):
            piece = body[i:i + 7000]
            chunks += b"%x\r\n" % len(piece) + piece + b"\r\n"
        req = (b"POST /p HTTP/1.1\r\nHost: soak\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks
               + b"0\r\nX-Trailer: t\r\n\r\n")
    responses = expect(stats, port, req, [200])
    if responses and json.loads(responses[0].body)["body"] != body.decode():
        stats.error("POST body not echoed")
    stats.add("valid", 2)


def valid_big(stats, port, rnd):
    n = rnd.randint(1, 400000)
    responses = expect(stats, port, get(b"/big?n=%d" % n), [200])
    if responses and len(responses[0].body) != n:
        stats.error("big body %d of %d" % (len(responses[0].body), n))
    stats.add("valid", 2)


def valid_slow(stats, port, rnd):
    expect(stats, port, get(b"/slow?ms=%d" % rnd.randint(1, 50)), [200])
    stats.add("valid", 2)


def invalid(stats, port, rnd, cases):
    data, status = rnd.choice(cases)
    # The pipelined request after the bad one must not be answered.
    out, closed = rawhttp.exchange(port, data + get(b"/must-not-answer"), timeout=10)
    responses, rest = rawhttp.parse_responses(out)
    if [r.status for r in responses] != [status] or rest or not closed:
        stats.error("bad request %r: got %r" % (data[:40], [r.status for r in responses]))
    stats.add("invalid")


def abandoned(stats, port, rnd):
    kind = rnd.randrange(6)
    s = rawhttp.connect(port, 10)
    try:
        if kind == 0:    # mid-head
            s.sendall(b"GET /x HTTP/1.1\r\nHost: so")
        elif kind == 1:  # mid-body
            s.sendall(b"POST /p HTTP/1.1\r\nHost: soak\r\nContent-Length: 1000\r\n\r\nabc")
        elif kind == 2:  # while the worker awaits
            s.sendall(get(b"/slow?ms=100"))
        elif kind == 3:  # mid-response-write
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
            s.sendall(get(b"/big?n=3000000"))
            s.recv(10000)
        elif kind == 4:  # mid-chunked-body
            s.sendall(b"POST /p HTTP/1.1\r\nHost: soak\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab")
        # kind 5: connect and go
        if rnd.random() < 0.5:
            rawhttp.set_rst_on_close(s)
        else:
            time.sleep(rnd.random() * 0.02)
    except OSError:
        pass
    s.close()
    stats.add("abandoned")


def client(stats, port, seed, until, cases):
    rnd = random.Random(seed)
    actions = [valid_keep_alive, valid_post, valid_big, valid_slow]
    while time.time() < until:
        r = rnd.random()
        try:
            if r < 0.5:
                rnd.choice(actions)(stats, port, rnd)
            elif r < 0.75:
                invalid(stats, port, rnd, cases)
            else:
                abandoned(stats, port, rnd)
        except (OSError, ValueError, KeyError) as e:
            stats.error("%s: %s" % (type(e).__name__, e))


def load(stats, port, seconds, threads, cases, seed=1):
    until = time.time() + seconds
    ts = [threading.Thread(target=client, args=(stats, port, seed * 100 + i, until, cases))
          for i in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()


def settle(srv, target_fds, secs=10):
    """Waits for the descriptors to reach target (timeouts closing what clients left)."""
    return rawhttp.wait_for(lambda: rawhttp.fd_count(srv.pid) <= target_fds, secs, 0.2)


def run(islet, seconds=60, threads=4, out=print):
    """Runs the soak; returns (figures dict, list of (check name, passed, detail))."""
    cases = bad_cases()
    srv = rawhttp.Islet(islet, WORKER, FLAGS)
    try:
        fds_start = rawhttp.fd_count(srv.pid)
        # Warm-up: the same mix for a while, so the baseline includes the engine's growth.
        load(Stats(), srv.port, min(5, max(2, seconds / 6)), threads, cases, seed=7)
        settle(srv, fds_start)
        time.sleep(1)
        fds_before, rss_before = rawhttp.fd_count(srv.pid), rawhttp.rss_kb(srv.pid)
        stats = Stats()
        start = time.time()
        load(stats, srv.port, seconds, threads, cases)
        elapsed = time.time() - start
        peak_fds = rawhttp.fd_count(srv.pid)
        settled = settle(srv, fds_before)
        time.sleep(1)
        fds_after, rss_after = rawhttp.fd_count(srv.pid), rawhttp.rss_kb(srv.pid)
        alive = srv.alive()
    finally:
        srv.stop()
    fig = dict(stats.counts, seconds=round(elapsed, 1), threads=threads,
               fds_before=fds_before, fds_after=fds_after, fds_at_end_of_load=peak_fds,
               rss_before_kb=rss_before, rss_after_kb=rss_after,
               rss_growth_kb=rss_after - rss_before)
    slack = max(RSS_SLACK_KB, int(rss_before * RSS_SLACK_RATIO))
    checks = [
        ("no unexpected answers", stats.counts["errors"] == 0 and alive,
         "; ".join(stats.first_errors) or ("islet died" if not alive else "")),
        ("descriptors back to baseline", settled and fds_after == fds_before,
         "%d before, %d after" % (fds_before, fds_after)),
        ("rss within slack", rss_after - rss_before <= slack,
         "%+d KiB (slack %d KiB)" % (rss_after - rss_before, slack)),
    ]
    out("soak: " + ", ".join("%s=%s" % kv for kv in fig.items()))
    return fig, checks


def main():
    args = sys.argv[1:]
    seconds, threads = 60.0, 4
    islet = os.path.join(ROOT, "build", "islet")
    while args:
        a = args.pop(0)
        if a == "--seconds":
            seconds = float(args.pop(0))
        elif a == "--threads":
            threads = int(args.pop(0))
        else:
            islet = a
    _, checks = run(os.path.abspath(islet), seconds, threads)
    failed = 0
    for name, ok, detail in checks:
        print("%s %s%s" % ("PASS" if ok else "FAIL", name, (": " + detail) if detail else ""))
        failed += not ok
    print("%d passed, %d failed" % (len(checks) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
