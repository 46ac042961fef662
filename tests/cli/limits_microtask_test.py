"""The CPU limit against loops made of microtasks (issue 7, item 1): `for (;;) await null`,
a then() that queues itself, queueMicrotask recursion, and a loop that starts in a timer's
run. Every piece is far shorter than JSC's per-entry watchdog slice, so only the
request's whole budget can stop them (src/jsc/watchdog_clock.c). Each gets a bare 503
within the limit plus slack, the log names the worker and the CPU used, and a new isolate
answers the next request. A well-behaved request in flight in the same isolate when the
stop happens (awaiting a timer, or a service binding) is answered 503 at once, never left
hanging (the decision in src/worker/worker.c, on_limit), and the neighbour behind the
binding is unaffected. A module whose evaluation starts such a loop does not start.
`islet test --cpu-limit-ms` fails each loop and runs the next test. Every server is
stopped by its PID."""
import os
import re
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from checks import ISLET, check, finish, stop  # noqa: E402
from islet_server import free_port, http_get, wait_port  # noqa: E402

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "limits")
CPU_MS = 200
SLICE_MS = 100  # the watchdog's period: a stop lands within one of it past the limit
SLACK_S = 2.0   # a loaded test machine; the CPU used is checked in the log


def timed_get(port, path, timeout=20):
    t = time.time()
    status, body = http_get(port, path, timeout=timeout)
    return status, body, time.time() - t


class Background:
    """A GET on its own thread, started now; result() waits for it."""

    def __init__(self, port, path):
        self.got = None
        self.thread = threading.Thread(target=self.run, args=(port, path))
        self.thread.start()

    def run(self, port, path):
        self.got = timed_get(port, path)

    def result(self):
        self.thread.join(30)
        return self.got


loops, slow = free_port(), free_port()
proc = subprocess.Popen(
    [ISLET, "serve", os.path.join(HERE, "microtask.capnp"), "-s", f"loops=127.0.0.1:{loops}",
     "-s", f"slow=127.0.0.1:{slow}", "--cpu-limit-ms", str(CPU_MS)],
    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
out = err = ""
stops = 0
try:
    check("serves", wait_port(loops, proc) and wait_port(slow, proc))
    check("answers", http_get(loops, "/") == (200, "ok 1"))

    # Each form of loop: a bare 503 within the limit plus slack, then a new isolate.
    for path in ("/await", "/then", "/queue", "/after-timer"):
        status, body, took = timed_get(loops, path)
        stops += 1
        check(f"{path}: 503", status == 503, f"{status} {body!r}")
        check(f"{path}: no internal detail", body == "Service Unavailable", repr(body))
        check(f"{path}: within the limit plus slack", took < CPU_MS / 1000 + SLACK_S, f"{took:.2f} s")
        got = http_get(loops, "/")
        check(f"{path}: a new isolate answers the next request", got == (200, "ok 1"), str(got))

    # A loop left running after the response: the client has its answer, and the loop is
    # stopped all the same (the worker answers again within the limit plus slack).
    got = http_get(loops, "/after-response")
    stops += 1
    check("a loop after the response: the response is sent", got == (200, "answered"), str(got))
    status, body, took = timed_get(loops, "/")
    check("…and the loop is stopped: the next request is answered by a new isolate",
          (status, body) == (200, "ok 1") and took < CPU_MS / 1000 + SLACK_S,
          f"{status} {body!r} {took:.2f} s")

    # A well-behaved request in flight in the same isolate (its timer due in 1 s) when a
    # loop is stopped: answered 503 at once, not left waiting for a continuation JSC may
    # have dropped.
    waiting = Background(loops, "/timer")
    time.sleep(0.2)
    status, body, took = timed_get(loops, "/await")
    stops += 1
    check("loop beside a waiting request: 503", status == 503, f"{status} {body!r}")
    status, body, took = waiting.result()
    check("the waiting request is answered 503 with the stop, not later",
          (status, body) == (503, "Service Unavailable") and took < 1.0 + SLACK_S,
          f"{status} {body!r} {took:.2f} s")
    got = http_get(loops, "/")
    check("then a new isolate answers", got == (200, "ok 1"), str(got))

    # The same while the request awaits a service binding: the neighbour finishes its own
    # request undisturbed, and its answer to the gone caller is dropped cleanly.
    waiting = Background(loops, "/binding")
    time.sleep(0.2)
    status, body, took = timed_get(loops, "/then")
    stops += 1
    check("loop beside a request awaiting a binding: 503", status == 503, f"{status} {body!r}")
    status, body, took = waiting.result()
    check("the request awaiting the binding is answered 503",
          (status, body) == (503, "Service Unavailable"), f"{status} {body!r}")
    time.sleep(1.2)  # the neighbour's answer to the old isolate arrives and is dropped
    got = http_get(slow, "/")
    check("the neighbour served both requests and goes on", got == (200, "slow 2"), str(got))
    got = http_get(loops, "/binding")
    check("the new isolate's binding works", got == (200, "binding slow 3"), str(got))
finally:
    out, err = stop(proc)

cpu_logs = re.findall(r"worker 'loops': a request exceeded the CPU limit \((\d+) ms used, "
                      r"limit (\d+) ms\)", err)
check("each stop is logged with the worker and the CPU used", len(cpu_logs) == stops, err)
check("the CPU used is at the limit, within a slice",
      all(CPU_MS <= int(u) <= CPU_MS + SLICE_MS + 50 and int(lim) == CPU_MS for u, lim in cpu_logs),
      str(cpu_logs))
check("each stop restarts the isolate", err.count("worker 'loops': isolate restarted") == stops, err)
check("the requests in flight are counted in the log",
      err.count("its isolate is restarted, 1 other request in flight answered 503") == 2, err)
check("the neighbour never appears in the limit logs", "worker 'slow'" not in err, err)
check("exits cleanly", proc.returncode == 0, str(proc.returncode))

# Startup is bounded the same way: a module whose evaluation starts a loop of microtasks
# (or one long microtask) does not start, saying why.
for name in ("startup_then.js", "startup_await.js", "startup_microtask_spin.js"):
    t = time.time()
    r = subprocess.run([ISLET, "serve", os.path.join(HERE, name), "--listen",
                        f"127.0.0.1:{free_port()}", "--cpu-limit-ms", "100"],
                       capture_output=True, text=True, timeout=60)
    took = time.time() - t
    check(f"{name}: fails to start", r.returncode == 1, f"{r.returncode} {r.stderr}")
    check(f"{name}: …saying why", "evaluation at startup exceeded the CPU limit" in r.stderr,
          r.stderr)
    check(f"{name}: …within the limit plus slack", took < 0.1 + SLACK_S + 1, f"{took:.2f} s")

# `islet test` takes the same flag: each loop fails its test, and the next test runs.
t = time.time()
r = subprocess.run([ISLET, "test", "--cpu-limit-ms", "100", os.path.join(HERE, "microtask.test.js")],
                   capture_output=True, text=True, timeout=60)
for name in ("awaitsForever", "thenForever", "queuesForever"):
    check(f"test mode: {name} fails on the CPU limit",
          re.search(rf"^FAIL {name}: exceeded the CPU limit \(\d+ ms used\)$", r.stdout, re.M),
          r.stdout + r.stderr)
check("test mode: the next test runs", "PASS runsAfter" in r.stdout, r.stdout)
check("test mode: the summary counts them", r.stdout.rstrip().endswith("1 passed, 3 failed"),
      r.stdout)
check("test mode: within the limits plus slack", time.time() - t < 3 * 0.2 + SLACK_S + 2,
      f"{time.time() - t:.2f} s")

finish()
