#!/usr/bin/env python3
"""One server start for bench/scale.sh: launches the server, polls every socket until
each answers with its expected body, reads the RSS, and stops the server by its PID.

    startup.py --timeout S --settle S --pidfile F PORT_BASE N -- SERVER ARGS...

Socket i (1..N) is 127.0.0.1:PORT_BASE+i-1 and must answer GET / with "w<i>" (the
workers bench/gen-scale.py writes). Prints one line, "start_ms rss_kb threads sweep_ms", or
"FAIL reason" and exits 1. The start time runs from just before the server's exec to
the moment the last socket gave its expected answer: a request to each worker is part
of it, so a server that sets workers up lazily pays for that too. The RSS is VmRSS from
/proc/PID/status after SETTLE seconds. sweep_ms is one more GET to every socket once all
answer: the share of start_ms that is the polling's own cost rather than startup.
"""
import argparse
import http.client
import os
import signal
import subprocess
import sys
import time


def answer(port, timeout):
    """The body of GET / on 127.0.0.1:port, or None if it does not answer (yet)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", "/")
        res = conn.getresponse()
        return res.read().decode("utf-8", "replace") if res.status == 200 else None
    except (OSError, http.client.HTTPException):
        return None
    finally:
        conn.close()


def status_field(pid, key):
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def stop(proc):
    """TERM, up to 5 s grace, then KILL: only this one PID."""
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--timeout", type=float, default=30)
    ap.add_argument("--settle", type=float, default=1)
    ap.add_argument("--pidfile")
    ap.add_argument("--log", default=os.devnull)
    ap.add_argument("port_base", type=int)
    ap.add_argument("n", type=int)
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd[:1] == ["--"] else a.cmd
    if not cmd or a.n < 1:
        ap.error("need N >= 1 and a server command after --")

    # The shell's timeout sends TERM: turn it into an exception so the server is stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    pending = {a.port_base + i: f"w{i + 1}" for i in range(a.n)}
    with open(a.log, "ab") as log:
        t0 = time.monotonic()
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    try:
        if a.pidfile:
            with open(a.pidfile, "w", encoding="ascii") as f:
                f.write(f"{proc.pid}\n")
        deadline = t0 + a.timeout
        while pending:
            if proc.poll() is not None:
                print(f"FAIL exited with status {proc.returncode} before every socket "
                      f"answered ({len(pending)} of {a.n} did not)")
                return 1
            if time.monotonic() > deadline:
                print(f"FAIL {len(pending)} of {a.n} sockets did not answer within "
                      f"{a.timeout:g}s (first: port {min(pending)})")
                return 1
            for port in sorted(pending):
                body = answer(port, 1.0)
                if body is None:
                    break                 # not listening yet: poll again from here
                if body != pending[port]:
                    print(f"FAIL port {port} answered {body[:60]!r}, expected {pending[port]!r}")
                    return 1
                del pending[port]
            else:
                continue
            time.sleep(0.002)
        start_ms = (time.monotonic() - t0) * 1000
        # The cost of the polling itself: one more sweep over the (now warm) sockets.
        t1 = time.monotonic()
        for port in range(a.port_base, a.port_base + a.n):
            answer(port, 1.0)
        sweep_ms = (time.monotonic() - t1) * 1000
        time.sleep(a.settle)
        rss = status_field(proc.pid, "VmRSS")
        threads = status_field(proc.pid, "Threads")
        if rss is None or proc.poll() is not None:
            print("FAIL server exited after answering")
            return 1
        print(f"{start_ms:.1f} {rss} {threads} {sweep_ms:.1f}")
        return 0
    finally:
        stop(proc)


if __name__ == "__main__":
    sys.exit(main())
