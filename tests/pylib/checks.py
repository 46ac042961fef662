"""Bookkeeping shared by the Python suites (tests/cli, tests/wire): the islet binary under
test, check() to count results, and finish() to print the closing `N passed, N failed`
line tests/run.sh reads and exit with the matching status."""
import os
import subprocess
import sys

ISLET = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build/islet")

_counts = {"passed": 0, "failed": 0}


def check(name, cond, detail=""):
    """Counts one result; a failure prints `FAIL name detail`. Returns cond."""
    if cond:
        _counts["passed"] += 1
    else:
        _counts["failed"] += 1
        print(f"FAIL {name} {detail}")
    return cond


def failures():
    return _counts["failed"]


def finish():
    """Prints the closing line and exits: status 1 if any check failed."""
    print(f"{_counts['passed']} passed, {_counts['failed']} failed")
    sys.exit(1 if _counts["failed"] else 0)


def stop(proc):
    """Stops a server this test started (by its Popen, never by name): SIGTERM, up to
    15 s to exit, then SIGKILL. Returns its (stdout, stderr)."""
    if proc.poll() is None:
        proc.terminate()
    try:
        return proc.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.communicate()
