"""`islet test CONFIG.capnp`: every worker service's tests run (sockets are not opened),
data reaches them through embedded bindings, the totals are summed, and the WPT harness
(tests/workers/wpt/harness.js) fails on new failures, unexpected passes and stale
expectations."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from checks import ISLET, check, finish  # noqa: E402

DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "testcmd")


def run(*args):
    return subprocess.run([ISLET, *args], capture_output=True, text=True, timeout=30)


r = run("test", os.path.join(DIR, "two.capnp"))
out = r.stdout
for t in ["exactExpectations", "newFailure", "unexpectedPass", "staleEntry", "reachesB", "bPasses"]:
    check(f"{t} passes", f"PASS {t} (" in out, out)
check("a failing test in the second service is reported", "FAIL bFails: Error: b fails on purpose" in out, out)
check("totals over both services", out.rstrip().endswith("6 passed, 1 failed"), out)
check("exit status 1 when a test failed", r.returncode == 1, str(r.returncode))
check("the harness prints the area's count", "demo: 2/4 passed, 2 known failures" in out, out)
# The config's socket is on port 1, which an unprivileged run cannot bind: the run above
# only passes because test mode opens no sockets.
check("no socket is opened", "cannot listen" not in r.stderr, r.stderr)

broken = os.path.join(DIR, "broken.capnp")
r = run("test", broken)
check("a config error: file:line:col and exit 1",
      r.returncode == 1 and "broken.capnp:4:" in r.stderr and r.stdout.strip().endswith("0 passed, 1 failed"),
      r.stderr + r.stdout)
r = run("test", os.path.join(DIR, "missing.capnp"))
check("a missing config: exit 1", r.returncode == 1 and "missing.capnp" in r.stderr, r.stderr)

finish()
