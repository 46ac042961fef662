"""libcurl is loaded on the first network request, not at start-up (src/services/curl_dl.h):
a process that never reaches the network does not map it and what it depends on."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from checks import ISLET, check, finish  # noqa: E402
from islet_server import Server, http_get  # noqa: E402

FIX = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")


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

finish()
