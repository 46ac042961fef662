"""Limits end to end (README, "Limits"): two workers of one config served on 127.0.0.1
with small limits. A request that spins gets a bare 503 within its CPU limit plus slack,
whether it spins in one run, in a microtask, across awaits or across timers, and a new
isolate answers the next request; a request that allocates without end gets 503 and the
worker's isolate is restarted; the other worker keeps serving, its state intact; the
subrequest limit rejects the call past it with a clear error; waitUntil() work is
abandoned after its bound and timers of a finished request do not fire; module
evaluation is bounded at startup; `islet test --cpu-limit-ms` fails a spinning test and
runs the next. Every server is stopped by its PID."""
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from checks import ISLET, check, finish, stop  # noqa: E402
from islet_server import free_port, http_get, wait_port  # noqa: E402

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "limits")
CPU_MS = 150
SLACK_S = 2.0  # a loaded test machine; the limit itself is checked in the log


def timed_get(port, path, timeout=20):
    t = time.time()
    status, body = http_get(port, path, timeout=timeout)
    return status, body, time.time() - t


busy, quiet = free_port(), free_port()
proc = subprocess.Popen(
    [ISLET, "serve", os.path.join(HERE, "limits.capnp"), "-s", f"busy=127.0.0.1:{busy}",
     "-s", f"quiet=127.0.0.1:{quiet}", "--cpu-limit-ms", str(CPU_MS), "--memory-limit-mb", "48",
     "--subrequest-limit", "5", "--wait-until-limit-ms", "300"],
    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
out = err = ""
try:
    check("serves", wait_port(busy, proc) and wait_port(quiet, proc))
    check("busy answers", http_get(busy, "/") == (200, "ok 1"))
    check("quiet answers", http_get(quiet, "/") == (200, "quiet 1"))

    # CPU: every way of spending it ends in a bare 503 within the limit plus slack, and
    # the next request is answered by a new isolate (its counter starts again): after a
    # stop the old one's state cannot be trusted (src/worker/worker.c, on_limit).
    for path in ("/spin", "/spin-catch", "/spin-microtask", "/spin-awaits", "/spin-timers"):
        status, body, took = timed_get(busy, path)
        check(f"{path}: 503", status == 503, f"{status} {body!r}")
        check(f"{path}: no internal detail", body == "Service Unavailable", repr(body))
        check(f"{path}: within the limit plus slack", took < CPU_MS / 1000 + SLACK_S, f"{took:.2f} s")
        got = http_get(busy, "/")
        check(f"{path}: the next request is answered by a new isolate", got == (200, "ok 1"),
              str(got))
    check("quiet is unaffected by the spinning", http_get(quiet, "/") == (200, "quiet 2"))

    # Memory: the isolate is restarted (the counter starts again), the neighbour's is not.
    for path in ("/hog", "/hog-global"):
        status, body, took = timed_get(busy, path)
        check(f"{path}: 503", status == 503, f"{status} {body!r}")
        check(f"{path}: no internal detail", body == "Service Unavailable", repr(body))
        time.sleep(0.2)  # the restart is a task on the loop's next turn
        got = http_get(busy, "/")
        check(f"{path}: a new isolate answers", got == (200, "ok 1"), str(got))
    check("quiet keeps its isolate", http_get(quiet, "/") == (200, "quiet 3"))

    # Subrequests: five calls to the other worker are allowed, the sixth is refused.
    status, body = http_get(busy, "/subrequests?n=5")
    check("five subrequests are allowed", status == 200 and body.endswith("ok\nok\ncount 5"), body)
    status, body = http_get(busy, "/subrequests?n=6")
    check("the sixth is refused with a clear error",
          status == 200 and body.startswith("ok\nTypeError: Too many subrequests: a request may "
                                            "make at most 5"), body)
    got = http_get(quiet, "/")
    check("refused calls never reached the other worker", got == (200, "quiet 14"), str(got))

    # waitUntil: answered at once, abandoned after its bound; its timer never runs. A
    # timer of a request that is over does not fire either.
    status, body, took = timed_get(busy, "/wait-forever")
    check("waitUntil work does not hold the response", status == 200 and took < 1, f"{took:.2f} s")
    check("orphan timer request answered", http_get(busy, "/orphan-timer")[0] == 200)
    time.sleep(2.0)
    check("still serving", http_get(busy, "/")[0] == 200)
finally:
    out, err = stop(proc)

cpu_logs = re.findall(r"worker 'busy': a request exceeded the CPU limit \((\d+) ms used, "
                      r"limit (\d+) ms\)", err)
check("each CPU stop is logged with the worker and the CPU used", len(cpu_logs) == 5, err)
check("the CPU used is at the limit", all(CPU_MS <= int(u) < CPU_MS + 200 for u, _ in cpu_logs),
      str(cpu_logs))
check("each memory stop is logged", len(re.findall(
    r"worker 'busy': heap of [\d.]+ MB exceeds the memory limit of 48 MB", err)) == 2, err)
check("each restart is logged (five CPU stops, two memory)",
      err.count("worker 'busy': isolate restarted") == 7, err)
check("the waitUntil bound is logged",
      "worker 'busy': waitUntil() work still pending 300 ms after the response; abandoned" in err, err)
check("abandoned waitUntil work does not run on", "late waitUntil timer ran" not in out + err, out)
check("a timer of a finished request does not fire", "orphan timer fired" not in out + err, out)
check("quiet never appears in the limit logs", "worker 'quiet'" not in err, err)
check("exits cleanly", proc.returncode == 0, str(proc.returncode))

# Startup is bounded: a module that spins at the top level does not start.
t = time.time()
r = subprocess.run([ISLET, "serve", os.path.join(HERE, "startup_spin.js"), "--listen",
                    f"127.0.0.1:{free_port()}", "--cpu-limit-ms", "100"],
                   capture_output=True, text=True, timeout=30)
check("a module spinning at startup fails to start", r.returncode == 1, str(r.returncode))
check("…saying why", "evaluation at startup exceeded the CPU limit" in r.stderr, r.stderr)
check("…within the limit plus slack", time.time() - t < 0.1 + SLACK_S + 1, f"{time.time() - t:.2f}")

# `islet test` takes the same flags; a spinning test fails and the next one runs.
r = subprocess.run([ISLET, "test", "--cpu-limit-ms", "100", os.path.join(HERE, "spin.test.js")],
                   capture_output=True, text=True, timeout=30)
check("a spinning test fails on the CPU limit",
      re.search(r"^FAIL spins: exceeded the CPU limit \(\d+ ms used\)$", r.stdout, re.M), r.stdout)
check("so does one spinning across awaits",
      re.search(r"^FAIL spinsAcrossAwaits: exceeded the CPU limit", r.stdout, re.M), r.stdout)
check("the next test runs", "PASS runsAfter" in r.stdout, r.stdout)
check("the summary counts them", r.stdout.rstrip().endswith("1 passed, 2 failed"), r.stdout)

# Flags: values are checked.
for flag in ("--cpu-limit-ms", "--memory-limit-mb", "--subrequest-limit", "--wait-until-limit-ms"):
    r = subprocess.run([ISLET, "serve", "x.js", flag, "-1"], capture_output=True, text=True)
    check(f"{flag} -1 is refused", r.returncode == 2 and flag in r.stderr, r.stderr)
r = subprocess.run([ISLET, "serve", "x.js", "--subrequest-limit", "4294967296"],
                   capture_output=True, text=True)
check("a subrequest limit past 32 bits is refused", r.returncode == 2, r.stderr)
r = subprocess.run([ISLET, "test", "--no-such-flag", "x.js"], capture_output=True, text=True)
check("test refuses unknown flags", r.returncode == 2 and "unknown option" in r.stderr, r.stderr)

finish()
