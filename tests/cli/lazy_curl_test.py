"""libcurl is loaded on the first network request, not at start-up (src/services/curl_dl.h):
a process that never reaches the network does not map it and what it depends on."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from islet_server import Server, http_get  # noqa: E402

ISLET = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build/islet")
FIX = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
passed = failed = 0


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print(f"FAIL {name} {detail}")


def mapped(pid, what):
    with open(f"/proc/{pid}/maps") as f:
        return what in f.read()


srv = Server(ISLET, os.path.join(FIX, "lazy_net.js"))
try:
    st, body = http_get(srv.port, "/")
    check("serves without the network", st == 200 and body == "no network used", f"{st} {body!r}")
    check("libcurl not mapped before a network request", not mapped(srv.proc.pid, "libcurl"))
    st, body = http_get(srv.port, "/net")
    # The default "internet" service refuses loopback: the request fails, after libcurl
    # was loaded to resolve and check the address.
    check("the network request is answered", st == 200 and body.startswith("fetch failed:") and
          "not allowed" in body, f"{st} {body!r}")
    check("libcurl mapped after it", mapped(srv.proc.pid, "libcurl"))
finally:
    srv.stop()

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
