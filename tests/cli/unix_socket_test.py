"""Unix domain sockets (workerd's `unix:PATH` and `unix-abstract:NAME` addresses) end to
end: a config's socket and `--listen` serve HTTP/1.1 on a socket file (keep-alive,
pipelining, HTTP/1.0, Host → URL), the file is made with the umask, replaced when stale,
never when it is a regular file or a live socket, removed on SIGTERM and SIGINT; a path
too long, an empty one or a missing directory stop startup with a clear message; `-s
NAME=unix:PATH` moves a TCP socket onto a unix one; external services reach a Python HTTP
server on a unix socket (a path and an abstract name) through a binding, globalOutbound
and a socket; the connection budget pauses accepting on a unix socket too. Every server
listens on a unix socket in a temporary directory or on 127.0.0.1, and is stopped by its
PID."""
import json
import os
import resource
import shutil
import signal
import socket
import socketserver
import stat
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from checks import ISLET, check, finish  # noqa: E402
from islet_server import free_port, wait_port  # noqa: E402

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "unix_socket")
TMP = tempfile.mkdtemp(prefix="islet-unix-")
ABSTRACT = f"islet-test-{os.getpid()}"
WORKER = os.path.join(HERE, "echo.js")


# ---- a tiny HTTP backend on unix sockets (the external service's target) ----

class Backend(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n).decode() if n else ""
        out = json.dumps({"method": self.command, "path": self.path, "body": body,
                          "host": self.headers.get("Host"),
                          "from": self.headers.get("X-From"),
                          "on": self.server.label}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    do_GET = do_POST

    def log_message(self, *args):
        pass  # the peer of a unix socket has no address to log


class UnixHTTPServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


def start_backend(address, label):
    srv = UnixHTTPServer(address, Backend)
    srv.label = label
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


# ---- talking to islet on a unix socket ----

def connect(path, timeout=5):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect(path)
    return s


def read_response(f):
    """One response from a buffered reader: (status, {lower name: value}, body), or None
    at EOF."""
    line = f.readline()
    if not line:
        return None
    status = int(line.split(b" ")[1])
    headers = {}
    while True:
        h = f.readline()
        if h in (b"\r\n", b""):
            break
        k, _, v = h.decode().partition(":")
        headers[k.strip().lower()] = v.strip()
    body = f.read(int(headers.get("content-length", "0")))
    return status, headers, body.decode()


def get(path, target="/", host="unix.test", method="GET", body=b""):
    """One request with Connection: close on the unix socket at path."""
    try:
        s = connect(path)
        head = f"{method} {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n"
        if body or method == "POST":
            head += f"Content-Length: {len(body)}\r\n"
        s.sendall(head.encode() + b"\r\n" + body)
        r = read_response(s.makefile("rb"))
        s.close()
        return r or (None, {}, "EOF")
    except (OSError, ValueError, IndexError) as e:
        return None, {}, str(e)


def wait_unix(path, proc, secs=10):
    """True once the unix socket at path accepts, False if proc exits or secs pass."""
    deadline = time.time() + secs
    while time.time() < deadline and proc.poll() is None:
        try:
            connect(path, timeout=1).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


class Islet:
    """`islet serve ARGS`; stderr goes to a temporary file (nothing blocks on a pipe)."""

    def __init__(self, *args, umask=-1, preexec_fn=None):
        self.err = tempfile.TemporaryFile()
        self.proc = subprocess.Popen([ISLET, "serve", *args], stdout=subprocess.DEVNULL,
                                     stderr=self.err, umask=umask, preexec_fn=preexec_fn)

    def log(self):
        self.err.seek(0)
        return self.err.read().decode("utf-8", "replace")

    def stop(self, sig=signal.SIGTERM):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, sig)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        return self.proc.returncode

    def exit_status(self, secs=15):
        """For a start that must fail: its exit status (None if it keeps running)."""
        try:
            return self.proc.wait(timeout=secs)
        except subprocess.TimeoutExpired:
            self.stop(signal.SIGKILL)
            return None


def listen(address, **kw):
    return Islet(WORKER, "--listen", address, **kw)


def is_socket(path):
    try:
        return stat.S_ISSOCK(os.lstat(path).st_mode)
    except OSError:
        return False


# ---- the tests ----

def test_keep_alive_and_pipelining():
    path = os.path.join(TMP, "serve.sock")
    srv = listen(f"unix:{path}")
    try:
        check("--listen unix:PATH serves", wait_unix(path, srv.proc), srv.log()[-500:])
        check("the socket file is a socket", is_socket(path))
        s = connect(path)
        f = s.makefile("rb")
        # Keep-alive: two requests one after the other on one connection.
        s.sendall(b"GET /one HTTP/1.1\r\nHost: example.test\r\n\r\n")
        r1 = read_response(f)
        s.sendall(b"POST /two?q=1 HTTP/1.1\r\nHost: example.test:8080\r\nContent-Length: 5\r\n\r\nhello")
        r2 = read_response(f)
        check("keep-alive: first response, URL from the Host header",
              r1 and r1[0] == 200 and r1[2] == "GET http://example.test/one ", repr(r1))
        check("keep-alive: second response on the same connection",
              r2 and r2[0] == 200 and r2[2] == "POST http://example.test:8080/two?q=1 hello", repr(r2))
        check("keep-alive: not closed", r2 and r2[1].get("connection", "keep-alive") != "close", repr(r2))
        # Pipelining: four requests in one write, answered in order.
        s.sendall(b"GET /p1 HTTP/1.1\r\nHost: h\r\n\r\n"
                  b"POST /p2 HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc"
                  b"GET /p3 HTTP/1.1\r\nHost: h\r\n\r\n"
                  b"GET /p4 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
        got = [read_response(f) for _ in range(4)]
        want = ["GET http://h/p1 ", "POST http://h/p2 abc", "GET http://h/p3 ", "GET http://h/p4 "]
        check("pipelining: four responses in order", [g and g[2] for g in got] == want, repr(got))
        check("pipelining: the last (Connection: close) closes the connection",
              read_response(f) is None)
        s.close()
        # HTTP/1.0 without Host: the URL's host is "localhost".
        s = connect(path)
        s.sendall(b"GET /old HTTP/1.0\r\n\r\n")
        r = read_response(s.makefile("rb"))
        s.close()
        check("HTTP/1.0 without Host: URL host is localhost",
              r and r[0] == 200 and r[2] == "GET http://localhost/old ", repr(r))
        # A bad request still gets its 400 on a unix socket.
        st, _, _ = get(path, host="bad host")
        check("bad Host on a unix socket: 400", st == 400, str(st))
    finally:
        code = srv.stop()
    check("SIGTERM: clean exit", code == 0, f"{code} {srv.log()[-300:]}")
    check("SIGTERM: the socket file is removed", not os.path.lexists(path))


def test_umask_and_sigint():
    path = os.path.join(TMP, "umask.sock")
    srv = listen(f"unix:{path}", umask=0o077)
    try:
        check("umask 077: serves", wait_unix(path, srv.proc), srv.log()[-500:])
        mode = stat.S_IMODE(os.lstat(path).st_mode) if os.path.lexists(path) else None
        check("umask 077: the socket file is rwx for its owner only", mode == 0o700, oct(mode or 0))
    finally:
        code = srv.stop(signal.SIGINT)
    check("SIGINT: clean exit", code == 0, f"{code} {srv.log()[-300:]}")
    check("SIGINT: the socket file is removed", not os.path.lexists(path))
    srv = listen(f"unix:{path}", umask=0o002)
    try:
        check("umask 002: serves", wait_unix(path, srv.proc), srv.log()[-500:])
        mode = stat.S_IMODE(os.lstat(path).st_mode) if os.path.lexists(path) else None
        check("umask 002: the socket file is rwxrwxr-x", mode == 0o775, oct(mode or 0))
    finally:
        srv.stop()


def test_stale_socket_replaced():
    path = os.path.join(TMP, "stale.sock")
    # A socket file nobody listens on, as a killed process leaves it.
    old = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old.bind(path)
    old.close()
    check("stale socket file in place", is_socket(path))
    srv = listen(f"unix:{path}")
    try:
        check("a stale socket file is replaced", wait_unix(path, srv.proc), srv.log()[-500:])
        st, _, body = get(path, "/after-stale")
        check("serves on the replaced file", st == 200 and body == "GET http://unix.test/after-stale ",
              f"{st} {body!r}")
        check("the replacement is logged", "stale socket" in srv.log(), srv.log()[-300:])
    finally:
        srv.stop()
    check("the replaced file is removed at exit", not os.path.lexists(path))


def test_refusals():
    # A regular file is never replaced.
    path = os.path.join(TMP, "regular.sock")
    with open(path, "w") as f:
        f.write("keep me")
    srv = listen(f"unix:{path}")
    code = srv.exit_status()
    check("regular file at the path: startup fails", code == 1, f"{code}")
    check("regular file: clear message", "exists and is not a socket" in srv.log(), srv.log()[-300:])
    with open(path) as f:
        check("regular file: left untouched", f.read() == "keep me")
    # Nor a directory.
    d = os.path.join(TMP, "adir")
    os.mkdir(d)
    srv = listen(f"unix:{d}")
    code = srv.exit_status()
    check("directory at the path: startup fails", code == 1 and "not a socket" in srv.log(),
          f"{code} {srv.log()[-300:]}")
    check("directory: left in place", os.path.isdir(d))
    # A socket another process listens on is not taken over.
    live_path = os.path.join(TMP, "live.sock")
    live = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    live.bind(live_path)
    live.listen(4)
    try:
        srv = listen(f"unix:{live_path}")
        code = srv.exit_status()
        check("live socket at the path: startup fails", code == 1, f"{code}")
        check("live socket: clear message", "already listening" in srv.log(),
              srv.log()[-300:])
        check("live socket: still there", is_socket(live_path))
    finally:
        live.close()
    # A path longer than sun_path holds.
    long_path = os.path.join(TMP, "x" * 120 + ".sock")
    srv = listen(f"unix:{long_path}")
    code = srv.exit_status()
    check("path too long: startup fails", code == 1, f"{code}")
    check("path too long: clear message", "too long" in srv.log() and "at most 107" in srv.log(),
          srv.log()[-300:])
    check("path too long: nothing created", not os.path.lexists(long_path[:107]))
    # An empty path; a directory that does not exist.
    srv = listen("unix:")
    check("empty path: startup fails with a message",
          srv.exit_status() == 1 and "empty" in srv.log(), srv.log()[-300:])
    srv = listen(f"unix:{TMP}/no/such/dir.sock")
    check("missing directory: startup fails with a message",
          srv.exit_status() == 1 and "No such file or directory" in srv.log(), srv.log()[-300:])


def test_abstract_listen():
    name = ABSTRACT + "-listen"
    srv = listen(f"unix-abstract:{name}")
    try:
        check("--listen unix-abstract:NAME serves", wait_unix("\0" + name, srv.proc), srv.log()[-500:])
        st, _, body = get("\0" + name, "/abs")
        check("abstract socket: answered", st == 200 and body == "GET http://unix.test/abs ",
              f"{st} {body!r}")
    finally:
        check("abstract socket: clean exit", srv.stop() == 0)


def config_file():
    tmp = tempfile.mkdtemp(prefix="cfg-", dir=TMP)
    shutil.copy(os.path.join(HERE, "echo.js"), tmp)
    with open(os.path.join(HERE, "unix.capnp.in")) as f:
        cfg = f.read().replace("@DIR@", tmp).replace("@ABSTRACT@", ABSTRACT)
    p = os.path.join(tmp, "unix.capnp")
    with open(p, "w") as f:
        f.write(cfg)
    return tmp, p


def test_config():
    tmp, cfg = config_file()
    backend = start_backend(os.path.join(tmp, "backend.sock"), "path")
    abstract = start_backend("\0" + ABSTRACT, "abstract")
    port = free_port()
    srv = Islet(cfg, "-s", f"tcp=127.0.0.1:{port}")
    http = os.path.join(tmp, "http.sock")
    try:
        ok = wait_unix(http, srv.proc) and wait_port(port, srv.proc)
        check("config with unix sockets and unix external services starts", ok, srv.log()[-800:])
        st, _, body = get(http, "/cfg", host="cfg.test")
        check("config socket unix:PATH serves its service", st == 200 and body == "GET http://cfg.test/cfg ",
              f"{st} {body!r}")
        st, _, body = get("\0" + ABSTRACT + "-islet", "/a", host="a.test")
        check("config socket unix-abstract:NAME serves", st == 200 and body == "GET http://a.test/a ",
              f"{st} {body!r}")
        # worker → service binding → external service → Python server on a unix socket.
        st, _, body = get(http, "/ext?x=1")
        code, _, rest = body.partition(" ")
        seen = json.loads(rest) if code == "200" else {}
        check("binding to an external unix: service reaches the backend",
              st == 200 and code == "200" and seen.get("on") == "path", f"{st} {body!r}")
        check("external unix: method, path, body and headers forwarded",
              seen.get("method") == "POST" and seen.get("path") == "/seen?x=1"
              and seen.get("body") == "to the backend" and seen.get("from") == "worker", f"{seen}")
        check("external unix: Host is the request URL's host", seen.get("host") == "backend.test", f"{seen}")
        st, _, body = get(http, "/abstract")
        check("binding to an external unix-abstract: service reaches the backend",
              st == 200 and body.startswith("200 ") and '"on": "abstract"' in body, f"{st} {body!r}")
        st, _, body = get(http, "/dead")
        check("external unix: nobody listening → 502", st == 200 and body.startswith("502 "), f"{st} {body!r}")
        st, _, body = get(os.path.join(tmp, "global.sock"), "/global")
        check("globalOutbound = an external unix: service", st == 200 and body.startswith("200 ")
              and '"host": "global.test"' in body and '"on": "path"' in body, f"{st} {body!r}")
        st, _, body = get(os.path.join(tmp, "ext.sock"), "/direct", host="direct.test", method="POST",
                          body=b"raw")
        seen = json.loads(body) if st == 200 else {}
        check("unix socket → external unix service → backend, end to end",
              seen.get("path") == "/direct" and seen.get("body") == "raw"
              and seen.get("host") == "direct.test", f"{st} {body!r}")
        # The TCP socket of the same config still serves.
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(b"GET /tcp HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        r = read_response(s.makefile("rb"))
        s.close()
        check("the config's TCP socket serves beside the unix ones", r and r[2] == "GET http://t/tcp ", repr(r))
    finally:
        code = srv.stop()
    check("config: clean exit", code == 0, srv.log()[-300:])
    left = [n for n in ("http.sock", "global.sock", "ext.sock") if os.path.lexists(os.path.join(tmp, n))]
    check("config: every socket file islet made is removed", not left, f"{left}")
    check("config: the backend's socket file is not touched", is_socket(os.path.join(tmp, "backend.sock")))

    # -s NAME=unix:PATH moves the TCP socket onto a unix socket.
    over = os.path.join(tmp, "override.sock")
    srv = Islet(cfg, "-s", f"tcp=unix:{over}")
    try:
        check("-s tcp=unix:PATH starts", wait_unix(over, srv.proc), srv.log()[-500:])
        st, _, body = get(over, "/over")
        check("-s tcp=unix:PATH serves there", st == 200 and body == "GET http://unix.test/over ",
              f"{st} {body!r}")
    finally:
        srv.stop()
    check("-s override: its file is removed at exit", not os.path.lexists(over))
    # Two sockets of one config on one path: the second finds the first listening.
    srv = Islet(cfg, "-s", f"tcp=unix:{tmp}/http.sock")
    code = srv.exit_status()
    check("two sockets on one path: startup fails naming the socket",
          code == 1 and "socket 'tcp'" in srv.log() and "already listening" in srv.log(),
          f"{code} {srv.log()[-300:]}")
    check("two sockets on one path: the first one's file is removed as it stops",
          not os.path.lexists(os.path.join(tmp, "http.sock")))
    # A path too long in -s, and in an external service: startup stops, naming it.
    srv = Islet(cfg, "-s", f"tcp=unix:{tmp}/{'y' * 120}")
    code = srv.exit_status()
    check("-s with a path too long: startup fails naming the socket",
          code == 1 and "socket 'tcp'" in srv.log() and "too long" in srv.log(), f"{code} {srv.log()[-300:]}")
    check("failed startup removes the socket files it had made",
          not os.path.lexists(os.path.join(tmp, "http.sock")))
    with open(cfg) as f:
        text = f.read()
    bad = os.path.join(tmp, "bad_external.capnp")
    with open(bad, "w") as f:
        f.write(text.replace(f"unix:{tmp}/nobody.sock", f"unix:{tmp}/{'z' * 120}"))
    srv = Islet(bad, "-s", f"tcp=127.0.0.1:{free_port()}")
    code = srv.exit_status()
    check("external with a path too long: startup fails naming the service",
          code == 1 and "service 'dead'" in srv.log() and "too long" in srv.log(), f"{code} {srv.log()[-300:]}")
    backend.shutdown()
    abstract.shutdown()
    backend.server_close()
    abstract.server_close()


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_fd_exhaustion():
    """RLIMIT_NOFILE 64: accepting pauses on a unix socket as on TCP, then resumes."""
    limit = 64
    path = os.path.join(TMP, "fds.sock")

    def lower_limit():
        resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))

    srv = listen(f"unix:{path}", preexec_fn=lower_limit)
    held, waiting = [], []
    try:
        check("fd limit: serves", wait_unix(path, srv.proc), srv.log()[-500:])
        for _ in range(limit):
            s = connect(path)
            s.sendall(b"GET /held HTTP/1.1\r\n")  # a head that never ends
            held.append(s)
        for i in range(3):
            s = connect(path)
            s.sendall(b"GET /waiting%d HTTP/1.1\r\nHost: w\r\n\r\n" % i)
            waiting.append(s)
        time.sleep(0.5)
        cpu0 = cpu_seconds(srv.proc.pid)
        time.sleep(1.5)
        cpu = cpu_seconds(srv.proc.pid) - cpu0
        check("fd limit: accepting paused without spinning", cpu < 0.5, f"{cpu:.2f}s of CPU in 1.5s")
        quiet = 0
        for s in waiting:
            s.settimeout(0.1)
            try:
                s.recv(100)
            except socket.timeout:
                quiet += 1
        check("fd limit: waiting clients neither answered nor dropped", quiet == len(waiting), f"{quiet}")
        check("fd limit: the pause is logged", "connection budget reached" in srv.log(), srv.log()[-300:])
        for s in held:
            s.close()
        answered = 0
        for s in waiting:
            s.settimeout(5)
            try:
                answered += s.recv(100).startswith(b"HTTP/1.1 200 ")
            except OSError:
                pass
        check("fd limit: every waiting client served once descriptors free up",
              answered == len(waiting), f"{answered} of {len(waiting)}")
    finally:
        for s in held + waiting:
            s.close()
        srv.stop()


try:
    for t in (test_keep_alive_and_pipelining, test_umask_and_sigint, test_stale_socket_replaced,
              test_refusals, test_abstract_listen, test_config, test_fd_exhaustion):
        try:
            t()
        except Exception as e:  # a broken test counts as a failure, the others still run
            check(t.__name__, False, f"raised {type(e).__name__}: {e}")
finally:
    shutil.rmtree(TMP, ignore_errors=True)
finish()
