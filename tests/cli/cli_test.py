"""The command line: usage errors, version, load errors, serving modules and classic
scripts, error responses, and `islet test` reporting. Servers listen on 127.0.0.1 only
and are stopped by PID."""
import os
import re
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from checks import ISLET, check, finish  # noqa: E402
import islet_server  # noqa: E402
from islet_server import free_port  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.join(HERE, "fixtures")


def run(*args, timeout=20):
    return subprocess.run([ISLET, *args], capture_output=True, text=True, timeout=timeout)


def http_get(port, path):
    return islet_server.http_get(port, path)


def Server(script, *flags):
    return islet_server.Server(ISLET, script, *flags)


# --version, --help, usage errors.
r = run("--version")
check("version", r.returncode == 0 and re.match(r"^islet \d+\.\d+\.\d+\n$", r.stdout), r.stdout)
r = run("--help")
check("help", r.returncode == 0 and "islet serve" in r.stdout and "islet test" in r.stdout)
for args in [[], ["bogus"], ["serve"], ["serve", "a.js", "--listen"], ["serve", "a.js", "--listen", "nope"],
             ["serve", "a.js", "--listen", "127.0.0.1:99999"], ["serve", "a.js", "--frobnicate"],
             ["serve", "a.js", "--max-body-bytes", "-5"], ["test"], ["test", "a.js", "b.js"]]:
    r = run(*args)
    check(f"usage error {args}", r.returncode == 2 and "usage:" in r.stderr, f"{r.returncode} {r.stderr[:200]}")

# Load errors stop serve with exit 1 and name the file and line.
r = run("serve", os.path.join(FIX, "syntax_error.js"), "--listen", f"127.0.0.1:{free_port()}")
check("syntax error exit 1", r.returncode == 1, str(r.returncode))
check("syntax error names file:line:col", "syntax_error.js:3:30: SyntaxError" in r.stderr, r.stderr)
check("syntax error shows the line", 'return new Response("x" +);' in r.stderr, r.stderr)
r = run("serve", os.path.join(FIX, "throws_at_load.js"), "--listen", f"127.0.0.1:{free_port()}")
check("load exception exit 1", r.returncode == 1, str(r.returncode))
check("load exception message and stack", "Error: cannot start" in r.stderr and "throws_at_load.js:2:" in r.stderr, r.stderr)
r = run("serve", os.path.join(FIX, "missing.js"))
check("missing file exit 1", r.returncode == 1 and "missing.js" in r.stderr, r.stderr)

# A module worker: answers, 500 without detail on exceptions, the log has the stack.
srv = Server(os.path.join(FIX, "module.js"))
st, body = http_get(srv.port, "/x")
check("module answers", st == 200 and body == "module /x", f"{st} {body!r}")
st, body = http_get(srv.port, "/throw")
check("exception is 500", st == 500 and "handler failed" not in body, f"{st} {body!r}")
# A request that never settles must not block others.
hang = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
hang.sendall(b"GET /hang HTTP/1.1\r\nHost: t\r\n\r\n")
time.sleep(0.1)
st, body = http_get(srv.port, "/after-hang")
check("a hanging request does not block others", st == 200 and body == "module /after-hang", f"{st} {body!r}")
hang.close()
code, out, err = srv.stop()
check("SIGTERM exits 0", code == 0, f"{code} {err[-500:]}")
check("log has the error with file:line", "handler failed on purpose" in err and "module.js:5:" in err, err[-800:])

# A classic script.
srv = Server(os.path.join(FIX, "classic.js"))
st, body = http_get(srv.port, "/")
check("classic script answers", st == 200 and body == "classic GET", f"{st} {body!r}")
code, _, err = srv.stop()
check("classic SIGTERM exits 0", code == 0, f"{code} {err[-300:]}")

# A classic script's global scope is an EventTarget; FetchEvent is an Event.
srv = Server(os.path.join(FIX, "classic_events.js"))
st, body = http_get(srv.port, "/")
check("fetch listeners: one throws, the next answers", st == 200 and
      body == "true true fetch true true true true", f"{st} {body!r}")
st, body = http_get(srv.port, "/none")
check("no respondWith: 500", st == 500, f"{st} {body!r}")
code, _, err = srv.stop()
check("a throwing fetch listener is logged", "first listener fails on purpose" in err, err[-500:])
check("an unanswered fetch event is logged", "no fetch listener called respondWith()" in err, err[-500:])

# islet test: PASS/FAIL lines, summary, exit status.
r = run("test", os.path.join(FIX, "failing.test.js"))
check("test exit 1 on failure", r.returncode == 1, str(r.returncode))
check("test PASS line", re.search(r"^PASS passes \(\d+\.\d ms\)$", r.stdout, re.M), r.stdout)
check("test FAIL line", "FAIL fails: Error: expected failure" in r.stdout, r.stdout)
check("async FAIL line", "FAIL rejectsLater: TypeError: async failure" in r.stdout, r.stdout)
check("never settles FAIL", "FAIL neverSettles: never settled" in r.stdout, r.stdout)
check("non-tests skipped", "notATest" not in r.stdout, r.stdout)
check("summary", r.stdout.rstrip().endswith("1 passed, 3 failed"), r.stdout)
# A pending AbortSignal.timeout does not keep the loop (and so a test) alive.
start = time.monotonic()
r = run("test", os.path.join(FIX, "timeout_signal.test.js"))
check("timeout signal does not keep the test alive",
      "FAIL waitsOnlyForATimeoutSignal: never settled" in r.stdout and time.monotonic() - start < 10,
      r.stdout + r.stderr)
r = run("test", os.path.join(FIX, "syntax_error.js"))
check("test of a broken module fails", r.returncode == 1 and "0 passed, 1 failed" in r.stdout, r.stdout + r.stderr)

finish()
