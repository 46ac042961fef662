"""globalOutbound, network and external services end to end: a worker's fetch() reaches
the worker named by its globalOutbound in memory (and only that one), the default
outbound (the network, whose policy refuses loopback) rejects with a clear TypeError, a
network service served on a socket answers a refused address with 502, and
an external service forwards to a small Python HTTP server (method, target, headers,
body; 502 for a closed port or garbage). Every server listens on 127.0.0.1 and is stopped
by its PID."""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from checks import ISLET, check, finish  # noqa: E402
from islet_server import free_port, wait_port  # noqa: E402

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "outbound")
NO_NET = ("fetch() to http://127.0.0.1:9/ failed: address 127.0.0.1 is not allowed by "
          "network service 'internet'")


def dechunk(b):
    """The payload of a chunked body (trailers dropped); raises ValueError if cut short."""
    out = b""
    while True:
        line, sep, b = b.partition(b"\r\n")
        if not sep:
            raise ValueError("a chunked body cut short")
        size = int(line.split(b";")[0], 16)
        if size == 0:
            return out
        out += b[:size]
        b = b[size + 2:]


def request(port, method, path, headers=(), body=b"", timeout=10, host="islet.test"):
    """One request with Connection: close. Returns (status, {lower name: value}, body)."""
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        head = f"{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n"
        for k, v in headers:
            head += f"{k}: {v}\r\n"
        if body or method in ("POST", "PUT"):
            head += f"Content-Length: {len(body)}\r\n"
        s.sendall(head.encode() + b"\r\n" + body)
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        s.close()
        h, _, b = data.partition(b"\r\n\r\n")
        lines = h.decode().split("\r\n")
        hdrs = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            hdrs[k.strip().lower()] = v.strip()
        if hdrs.get("transfer-encoding") == "chunked":
            b = dechunk(b)
        return int(lines[0].split(" ")[1]), hdrs, b.decode()
    except (OSError, IndexError, ValueError) as e:
        return None, {}, str(e)


def stop(proc):
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGTERM)
    try:
        return proc.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        return proc.communicate()


backend_port, dead_port = free_port(), free_port()
backend = subprocess.Popen([sys.executable, os.path.join(HERE, "backend.py"), str(backend_port)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
tmp = tempfile.mkdtemp(prefix="islet-outbound-")
proc = None
try:
    check("backend starts", wait_port(backend_port, backend))
    for f in ("a.js", "b.js"):
        shutil.copy(os.path.join(HERE, f), tmp)
    with open(os.path.join(HERE, "outbound.capnp.in")) as f:
        cfg = f.read().replace("@BACKEND@", f"127.0.0.1:{backend_port}")
        cfg = cfg.replace("@DEAD@", f"127.0.0.1:{dead_port}")
    cfg_path = os.path.join(tmp, "outbound.capnp")
    with open(cfg_path, "w") as f:
        f.write(cfg)

    names = ["a", "b", "c", "net", "ext", "proto", "dead"]
    ports = {n: free_port() for n in names}
    args = [ISLET, "serve", cfg_path]
    for n in names:
        args += ["-s", f"{n}=127.0.0.1:{ports[n]}"]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    check("a config with network and external services loads", wait_port(ports["a"], proc),
          proc.poll() is not None and proc.stderr.read()[-600:])

    # 1. globalOutbound = another worker: reached in memory, with the URL as given.
    st, _, body = request(ports["a"], "GET", "/post")
    check("fetch() reaches the globalOutbound worker with the request's URL, method, headers and body",
          st == 200 and body == "201 b b got POST https://anything.example/x?q=1 x-test=yes body=hello from a",
          f"{st} {body!r}")
    st, _, body = request(ports["a"], "GET", "/try-fetch")
    check("the outbound worker's own fetch() uses its own outbound, not the caller's",
          st == 200 and body == f"200 b b rejected TypeError: {NO_NET}", f"{st} {body!r}")
    st, _, body = request(ports["b"], "GET", "/try-fetch")
    check("the default outbound (network) rejects with a TypeError", body == f"b rejected TypeError: {NO_NET}",
          f"{st} {body!r}")

    # 3. A network service on a socket: the request goes to the network, where the
    # policy (public only) refuses loopback: 502 saying so.
    st, _, body = request(ports["net"], "GET", "/", host="127.0.0.1:9")
    check("a network service answers a refused address with 502 saying why",
          st == 502 and body == "address 127.0.0.1 is not allowed by network service 'internet'",
          f"{st} {body!r}")

    # 2. External services.
    st, h, body = request(ports["ext"], "POST", "/echo/path?x=1&y=2",
                          [("X-Custom", "v1"), ("Keep-Alive", "timeout=9"), ("TE", "trailers"),
                           ("Proxy-Authorization", "secret"), ("Upgrade", "h2c")], b"the body")
    try:
        echo = json.loads(body)
    except ValueError:
        echo = {}
    hdrs = dict(echo.get("headers", []))
    check("external: status and body of the backend", st == 200 and h.get("x-backend") == "py",
          f"{st} {h} {body!r}")
    check("external: method, path and query forwarded", echo.get("method") == "POST"
          and echo.get("path") == "/echo/path?x=1&y=2", f"{echo}")
    check("external: body forwarded with Content-Length", echo.get("body") == "the body"
          and hdrs.get("content-length") == "8", f"{echo}")
    check("external: end-to-end headers forwarded", hdrs.get("x-custom") == "v1", f"{hdrs}")
    check("external: hop-by-hop headers not forwarded",
          not any(k in hdrs for k in ("keep-alive", "te", "proxy-authorization", "upgrade"))
          and hdrs.get("connection") == "close", f"{hdrs}")
    check("external: Host is the request URL's host", hdrs.get("host") == "islet.test", f"{hdrs}")
    check("external: hop-by-hop response headers not passed back", "keep-alive" not in h, f"{h}")
    check("external: no forwarded-proto header unless configured", "x-forwarded-proto" not in hdrs, f"{hdrs}")

    st, h, body = request(ports["ext"], "GET", "/chunked")
    check("external: a chunked response is streamed through", st == 200 and body == "chunked body"
          and h.get("x-backend") == "py", f"{st} {h} {body!r}")
    st, h, body = request(ports["ext"], "HEAD", "/head")
    check("external: HEAD gets the headers and no body", st == 200 and body == ""
          and h.get("x-backend") == "py", f"{st} {h} {body!r}")
    st, _, body = request(ports["ext"], "GET", "/garbage")
    check("external: a backend answering garbage gives 502", st == 502, f"{st} {body!r}")
    st, _, body = request(ports["dead"], "GET", "/")
    check("external: a closed backend port gives 502", st == 502, f"{st} {body!r}")
    st, _, body = request(ports["ext"], "GET", "/after-errors")
    check("external: keeps serving after backend errors", st == 200 and '"/after-errors"' in body, f"{st} {body!r}")

    st, _, body = request(ports["proto"], "GET", "/p", [("X-Forwarded-Proto", "https")])
    try:
        hdrs = dict(json.loads(body)["headers"])
    except (ValueError, KeyError):
        hdrs = {}
    check("external: forwardedProtoHeader carries the URL's scheme, replacing the client's",
          hdrs.get("x-forwarded-proto") == "http", f"{st} {body!r}")

    # A worker whose globalOutbound is an external service.
    st, _, body = request(ports["c"], "GET", "/post")
    try:
        status, xb, rest = body.split(" ", 2)
        echo = json.loads(rest)
    except ValueError:
        status, xb, echo = None, None, {}
    hdrs = dict(echo.get("headers", []))
    check("fetch() through an external globalOutbound reaches the backend",
          status == "200" and xb == "py" and echo.get("method") == "POST" and echo.get("path") == "/x?q=1"
          and echo.get("body") == "hello from a" and hdrs.get("host") == "anything.example"
          and hdrs.get("x-test") == "yes" and "upgrade" not in hdrs and "proxy-authorization" not in hdrs,
          f"{body!r}")

    out, err = stop(proc)
    check("SIGTERM exits 0", proc.returncode == 0, f"{proc.returncode} {err[-400:]}")
    check("nothing logged per request", "error" not in err.lower() and "warn" not in err.lower(), err[-600:])
    proc = None

    # Load errors.
    bad = cfg.replace('globalOutbound = "b"', 'globalOutbound = "nowhere"')
    with open(cfg_path, "w") as f:
        f.write(bad)
    r = subprocess.run([ISLET, "serve", cfg_path], capture_output=True, text=True, timeout=20)
    check("globalOutbound naming no service is a load error", r.returncode == 1 and "nowhere" in r.stderr,
          r.stderr[-400:])
    bad = cfg.replace(f'address = "127.0.0.1:{dead_port}"', 'address = "no-port-here"')
    with open(cfg_path, "w") as f:
        f.write(bad)
    r = subprocess.run([ISLET, "serve", cfg_path], capture_output=True, text=True, timeout=20)
    check("an unusable external address is a load error", r.returncode == 1
          and "cannot use external address 'no-port-here'" in r.stderr, r.stderr[-400:])
finally:
    if proc is not None:
        stop(proc)
    stop(backend)
    shutil.rmtree(tmp, ignore_errors=True)

finish()
