"""examples/reverse-proxy: islet in front of a Python upstream on 127.0.0.1 (the netfetch
suite's), forwarding path, query, method and body, rewriting headers both ways, passing
redirects through, and answering 502 when the upstream is gone."""
import http.client
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "pylib"))
sys.path.insert(0, os.path.join(HERE, "netfetch"))
from checks import ISLET, check, finish  # noqa: E402
from islet_server import free_port, wait_port  # noqa: E402
from upstream import start  # noqa: E402
import subprocess  # noqa: E402

CONFIG = os.path.join(HERE, "..", "..", "examples", "reverse-proxy", "config.capnp")


def request(port, path, method="GET", body=None, headers=None):
    """One request on its own connection; (status, headers (case-insensitive), body)."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        c.putrequest(method, path, skip_accept_encoding=True)
        for k, v in (headers or {}).items():
            c.putheader(k, v)
        if body is not None:
            c.putheader("Content-Length", str(len(body)))
        c.endheaders(body)
        r = c.getresponse()
        return r.status, r.headers, r.read()
    finally:
        c.close()


def serve(upstream_port):
    port = free_port()
    env = dict(os.environ)
    if upstream_port:
        env["UPSTREAM"] = f"http://127.0.0.1:{upstream_port}"
    else:
        env.pop("UPSTREAM", None)
    proc = subprocess.Popen([ISLET, "serve", CONFIG, "-s", f"http=127.0.0.1:{port}"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    return proc, port


up, up_port = start()
proc, port = serve(up_port)
try:
    check("the proxy starts", wait_port(port, proc))
    st, hdrs, body = request(port, "/echo/a?b=1&c=%20", headers={"X-Test": "yes",
                                                                 "Connection": "x-secret",
                                                                 "X-Secret": "hop"})
    echo = json.loads(body) if st == 200 else {}
    got = dict(echo.get("headers", []))
    check("GET forwarded with path and query", st == 200 and echo.get("path") == "/echo/a?b=1&c=%20",
          f"{st} {body[:200]!r}")
    check("request headers forwarded", got.get("x-test") == "yes", str(got))
    check("X-Forwarded-Host and -Proto set", got.get("x-forwarded-host") == f"127.0.0.1:{port}"
          and got.get("x-forwarded-proto") == "http", str(got))
    check("fields named by Connection are not forwarded", "x-secret" not in got, str(got))
    check("response: Via added, Server removed", hdrs.get("Via") == "1.1 islet" and
          "Server" not in hdrs, str(hdrs))
    check("response headers kept", hdrs.get("X-Upstream") == "py", str(hdrs))

    st, _, body = request(port, "/echo", method="POST", body=b"payload \x00\xff",
                          headers={"Content-Type": "application/octet-stream"})
    echo = json.loads(body) if st == 200 else {}
    check("POST body forwarded", st == 200 and echo.get("method") == "POST" and
          echo.get("body") == "payload \x00\xff", f"{st} {body[:200]!r}")

    st, hdrs, _ = request(port, "/redirect?status=302&to=/elsewhere?x=1")
    check("an upstream redirect reaches the client", st == 302 and
          hdrs.get("Location") == "/elsewhere?x=1", f"{st} {hdrs}")
    st, hdrs, _ = request(port, f"/redirect?status=301&to=http://127.0.0.1:{up_port}/moved")
    check("a redirect to the upstream's own origin points at the proxy", st == 301 and
          hdrs.get("Location") == "/moved", f"{st} {hdrs}")

    st, hdrs, body = request(port, "/echo", method="HEAD")
    check("HEAD: no body", st == 200 and body == b"", f"{st} {body!r}")
finally:
    proc.terminate()
    proc.wait(timeout=10)
    up.shutdown()

# The upstream gone: 502 from the worker, with what failed.
dead = free_port()
proc, port = serve(dead)
try:
    check("the proxy starts again", wait_port(port, proc))
    st, _, body = request(port, "/x")
    check("upstream unreachable: 502", st == 502 and b"upstream unreachable" in body,
          f"{st} {body!r}")
finally:
    proc.terminate()
    proc.wait(timeout=10)

proc, port = serve(None)
try:
    check("the proxy starts without UPSTREAM", wait_port(port, proc))
    st, _, body = request(port, "/")
    check("no UPSTREAM: 500 saying so", st == 500 and b"set UPSTREAM" in body, f"{st} {body!r}")
finally:
    proc.terminate()
    proc.wait(timeout=10)

finish()
