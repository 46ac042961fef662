"""A socket's http options (workerd's HttpOptions): injectRequestHeaders,
injectResponseHeaders, forwardedProtoHeader and style = proxy, seen by a worker that echoes
its request's URL and headers. Servers listen on 127.0.0.1 only and are stopped by PID."""
import json
import os
import signal
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from checks import ISLET, check, finish  # noqa: E402
from islet_server import free_port, send_raw, wait_port  # noqa: E402

DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "socket_options")


def raw(port, head):
    """Sends a raw request head; returns (status, {lower-case name: [values]}, body)."""
    return send_raw(port, head.encode())


def get(port, target, *extra, host="t"):
    head = f"GET {target} HTTP/1.1\r\nHost: {host}\r\n" + "".join(f"{x}\r\n" for x in extra)
    return raw(port, head + "Connection: close\r\n\r\n")


def seen(body):
    try:
        return json.loads(body)
    except ValueError:
        return {"url": None, "headers": {}, "raw": body}


pi, pp, pn = free_port(), free_port(), free_port()
proc = subprocess.Popen([ISLET, "serve", os.path.join(DIR, "options.capnp"), "-s", f"inject=127.0.0.1:{pi}",
                         "-s", f"proxy=127.0.0.1:{pp}", "-s", f"plain=127.0.0.1:{pn}"],
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
started = wait_port(pi, proc) and wait_port(pp, proc) and wait_port(pn, proc)
check("config with socket options serves", started)

# injectRequestHeaders: added, replacing the client's same-named header (any case), and a
# header without a value is removed.
st, hd, body = get(pi, "/a?b=1", "X-Client: mine", "X-SECRET: leak", "X-Other: kept")
w = seen(body)
check("request: injected header added", w["headers"].get("x-injected") == "from the socket", f"{st} {body!r}")
check("request: injected header replaces the client's", w["headers"].get("x-client") == "replaced", body)
check("request: header without value removed", "x-secret" not in w["headers"], body)
check("request: other client headers kept", w["headers"].get("x-other") == "kept", body)
check("request: URL unchanged", w["url"] == "http://t/a?b=1", body)
# injectResponseHeaders: replace the worker's header, add one, remove one.
check("response: injected header replaces the worker's", hd.get("x-from-worker") == ["socket"], str(hd))
check("response: injected header added", hd.get("x-added") == ["yes"], str(hd))
check("response: header without value removed", "x-drop" not in hd, str(hd))
check("response: worker's other headers kept", hd.get("content-type") == ["application/json"], str(hd))

# forwardedProtoHeader: the client's value becomes the URL's scheme (host style).
st, hd, body = get(pi, "/p", "X-Forwarded-Proto: https")
check("forwardedProtoHeader https: URL scheme https", seen(body)["url"] == "https://t/p", f"{st} {body!r}")
st, hd, body = get(pi, "/p", "X-Forwarded-Proto: http")
check("forwardedProtoHeader http: URL scheme http", seen(body)["url"] == "http://t/p", body)
st, hd, body = get(pi, "/p", "X-Forwarded-Proto: gopher")
check("forwardedProtoHeader other value: URL unchanged", seen(body)["url"] == "http://t/p", body)
st, hd, body = get(pn, "/p", "X-Forwarded-Proto: https")
check("no forwardedProtoHeader configured: URL unchanged", seen(body)["url"] == "http://t/p", body)
check("socket without options: headers untouched", "x-from-worker" in hd and "x-drop" in hd
      and "x-added" not in hd, str(hd))

# style = proxy: the absolute-form target is the URL; origin form still works;
# forwardedProtoHeader is ignored (workerd: "ignored when style is proxy").
st, hd, body = get(pp, "http://example.com/path", host="example.com")
check("proxy style: absolute-form target is the URL", st == 200 and seen(body)["url"] == "http://example.com/path",
      f"{st} {body!r}")
st, hd, body = get(pp, "http://example.com/q?x=1", "X-Forwarded-Proto: https", host="example.com")
check("proxy style: forwardedProtoHeader ignored", seen(body)["url"] == "http://example.com/q?x=1", body)
st, hd, body = get(pp, "/origin", host="example.org")
check("proxy style: origin-form still served", st == 200 and seen(body)["url"] == "http://example.org/origin",
      f"{st} {body!r}")

proc.send_signal(signal.SIGTERM)
try:
    out, err = proc.communicate(timeout=15)
except subprocess.TimeoutExpired:
    proc.kill()
    out, err = proc.communicate()
check("SIGTERM exits 0", proc.returncode == 0, f"{proc.returncode} {err[-400:]}")
check("no proxy-style refusal logged", "not supported" not in err, err[-400:])

finish()
