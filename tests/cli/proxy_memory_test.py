"""A worker as a streaming proxy, with 1 GiB bodies: islet serves proxy/worker.js, which
hands every request on with fetch() (through a network service that allows loopback) or,
under /ext/, with an external service binding, body as a stream, and returns the
upstream's response as it is. The upstream (proxy/upstream.py, in a thread of this test)
makes and takes bodies block by block and keeps only a length and a CRC-32.

Checked, for fetch() and for the external service, in both directions: every byte
arrives (length and CRC-32), and islet's resident memory grows by less than 64 MiB during
the transfer (its peak, from /proc/PID/status after resetting VmHWM, and sampled); a
client that disconnects in the middle of a download, or abandons an upload in the middle
of its body, makes the upstream see its connection closed soon after, and islet's
descriptors and memory return to where they were."""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "pylib"))
sys.path.insert(0, os.path.join(HERE, "proxy"))
from checks import ISLET, check, finish  # noqa: E402
from islet_server import free_port, wait_port  # noqa: E402
from upstream import Upstream, body_blocks, stream_crc  # noqa: E402

GIB = 1 << 30
MIB = 1 << 20
GROWTH_LIMIT_KB = 64 * 1024
TIMEOUT = 60  # seconds any one socket operation may take


class Memory:
    """islet's resident memory: the baseline, and the peak during a transfer (VmHWM after
    clearing it through /proc/PID/clear_refs, and VmRSS sampled every few ms, in case the
    kernel does not let the peak be reset)."""

    def __init__(self, pid):
        self.pid = pid
        self.peak = 0
        self.sampling = False

    def status(self, key):
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
        return 0

    def rss(self):
        return self.status("VmRSS")

    def fds(self):
        return len(os.listdir(f"/proc/{self.pid}/fd"))

    def _sample(self):
        while self.sampling:
            try:
                self.peak = max(self.peak, self.rss())
            except OSError:
                return
            time.sleep(0.005)

    def start(self):
        try:
            with open(f"/proc/{self.pid}/clear_refs", "w") as f:
                f.write("5")
            self.hwm_reset = True
        except OSError:
            self.hwm_reset = False
        self.base = self.rss()
        self.peak = self.base
        self.sampling = True
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()

    def stop(self):
        """The growth in kB over the baseline during the transfer."""
        self.sampling = False
        self.thread.join()
        peak = self.peak
        if self.hwm_reset:
            peak = max(peak, self.status("VmHWM"))
        return peak - self.base


def connect(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


class Reader:
    """An HTTP/1.1 response read from a socket: the head, then the body through take()."""

    def __init__(self, s):
        self.s = s
        self.buf = b""

    def _more(self):
        data = self.s.recv(MIB)
        if not data:
            raise EOFError("the connection ended")
        self.buf += data

    def head(self):
        while b"\r\n\r\n" not in self.buf:
            self._more()
        head, _, self.buf = self.buf.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        self.status = int(lines[0].split(" ")[1])
        self.headers = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            self.headers[k.strip().lower()] = v.strip()
        return self.status

    def _exactly(self, n, take):
        if self.buf:
            part, self.buf = self.buf[:n], self.buf[n:]
            take(part)
            n -= len(part)
        view = memoryview(bytearray(MIB))
        while n > 0:
            got = self.s.recv_into(view, min(n, MIB))
            if not got:
                raise EOFError("the body ended early")
            take(view[:got])
            n -= got

    def _chunked(self, take):
        while True:
            while b"\r\n" not in self.buf:
                self._more()
            line, _, self.buf = self.buf.partition(b"\r\n")
            size = int(line.split(b";")[0], 16)
            if size == 0:
                return
            self._exactly(size, take)
            self._exactly(2, lambda d: None)

    def body(self, take):
        """Feeds the body to take(bytes-like), framed by Content-Length, chunked or the
        connection's end."""
        if "content-length" in self.headers:
            self._exactly(int(self.headers["content-length"]), take)
        elif self.headers.get("transfer-encoding", "").lower() == "chunked":
            self._chunked(take)
        else:
            try:
                while True:
                    take(self.buf)
                    self.buf = b""
                    self._more()
            except EOFError:
                pass


def download(port, path, n):
    """GET path?n=N: (status, length, crc)."""
    s = connect(port)
    try:
        s.sendall(f"GET {path}?n={n} HTTP/1.1\r\nHost: proxy.test\r\n\r\n".encode())
        r = Reader(s)
        status = r.head()
        state = {"n": 0, "crc": 0}

        def take(d):
            state["n"] += len(d)
            state["crc"] = zlib.crc32(d, state["crc"])

        try:
            r.body(take)
        except EOFError:
            pass
        return status, state["n"], state["crc"]
    finally:
        s.close()


def upload(port, path, n, chunked=False):
    """POST path with n bytes (Content-Length, or chunked): (status, the upstream's JSON)."""
    s = connect(port)
    try:
        framing = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {n}"
        s.sendall(f"POST {path} HTTP/1.1\r\nHost: proxy.test\r\n{framing}\r\n\r\n".encode())
        for b in body_blocks(n):
            if chunked:
                s.sendall(b"%x\r\n" % len(b) + b + b"\r\n")
            else:
                s.sendall(b)
        if chunked:
            s.sendall(b"0\r\n\r\n")
        r = Reader(s)
        status = r.head()
        out = bytearray()
        r.body(out.extend)
        try:
            return status, json.loads(bytes(out))
        except ValueError:
            return status, {"raw": bytes(out[:300])}
    finally:
        s.close()


def wait_for(cond, secs):
    deadline = time.monotonic() + secs
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.05)
    return cond()


def settle(mem, fds_before, rss_before, what):
    """After a cut: islet's descriptors and memory come back (an idle worker collects and
    trims after a second)."""
    ok = wait_for(lambda: mem.fds() <= fds_before, 5)
    check(f"{what}: islet's descriptors return to their baseline", ok,
          f"{mem.fds()} open, {fds_before} before")
    if mem.sanitized:
        return
    ok = wait_for(lambda: mem.rss() <= rss_before + 16 * 1024, 5)
    check(f"{what}: islet's memory returns to its baseline", ok,
          f"{mem.rss()} kB, {rss_before} kB before")


def cut_download(port, path, up, mem, what):
    fds, rss = mem.fds(), mem.rss()
    since = time.monotonic()
    s = connect(port)
    s.sendall(f"GET {path}?n={GIB} HTTP/1.1\r\nHost: proxy.test\r\n\r\n".encode())
    got = 0
    while got < 32 * MIB:
        d = s.recv(MIB)
        if not d:
            break
        got += len(d)
    s.close()
    check(f"{what}: the download was under way", got >= 32 * MIB, f"{got} bytes")
    cut = wait_for(lambda: any(e[2] >= since for e in up.events_of("down-cut")), 5)
    check(f"{what}: the upstream sees its connection closed soon after", cut,
          f"{up.events[-3:]}")
    done = [e for e in up.events_of("down-done") if e[2] >= since]
    check(f"{what}: the upstream did not send the whole body", not done, f"{done}")
    settle(mem, fds, rss, what)


def cut_upload(port, path, up, mem, what):
    fds, rss = mem.fds(), mem.rss()
    since = time.monotonic()
    s = connect(port)
    s.sendall(f"POST {path} HTTP/1.1\r\nHost: proxy.test\r\nContent-Length: {GIB}\r\n\r\n".encode())
    sent = 0
    for b in body_blocks(32 * MIB):
        s.sendall(b)
        sent += len(b)
    started = wait_for(lambda: any(e[2] >= since for e in up.events_of("up-start")), 5)
    check(f"{what}: the upload reached the upstream", started)
    s.close()
    cut = wait_for(lambda: any(e[2] >= since for e in up.events_of("up-cut")), 5)
    check(f"{what}: the upstream sees the body cut off soon after", cut, f"{up.events[-3:]}")
    settle(mem, fds, rss, what)


up = Upstream()
tmp = tempfile.mkdtemp(prefix="islet-proxy-")
proc = None
try:
    shutil.copy(os.path.join(HERE, "proxy", "worker.js"), tmp)
    with open(os.path.join(HERE, "proxy", "proxy.capnp.in")) as f:
        cfg = f.read().replace("@UPSTREAM@", f"http://127.0.0.1:{up.port}")
        cfg = cfg.replace("@ADDRESS@", f"127.0.0.1:{up.port}")
    cfg_path = os.path.join(tmp, "proxy.capnp")
    with open(cfg_path, "w") as f:
        f.write(cfg)
    port = free_port()
    proc = subprocess.Popen([ISLET, "serve", cfg_path, "-s", f"http=127.0.0.1:{port}",
                             "--max-body-bytes", str(2 * GIB)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    check("the proxy starts", wait_port(port, proc))
    mem = Memory(proc.pid)
    # Under AddressSanitizer (make test-all) memory figures mean nothing (its quarantine
    # keeps freed memory) and bytes move slower: smaller bodies, no memory checks.
    with open(f"/proc/{proc.pid}/maps") as f:
        sanitized = "libasan" in f.read()
    SIZE = 128 * MIB if sanitized else GIB
    mem.sanitized = sanitized
    length, crc = stream_crc(SIZE)

    # Warm up both paths (libcurl is loaded at the first fetch), then let the worker idle.
    for p in ("/down", "/ext/down"):
        st, n, _ = download(port, p, MIB)
        check(f"warm-up {p}", st == 200 and n == MIB, f"{st} {n}")
    time.sleep(1.5)

    started = time.monotonic()
    for via, prefix in (("fetch()", ""), ("external service", "/ext")):
        mem.start()
        st, n, c = download(port, prefix + "/down", SIZE)
        growth = mem.stop()
        check(f"{via}: a {SIZE >> 20} MiB download arrives whole", st == 200 and n == length
              and c == crc, f"{st} {n} {c:#x} (want {length} {crc:#x})")
        if not sanitized:
            check(f"{via}: download grows islet's memory by < 64 MiB", growth < GROWTH_LIMIT_KB,
                  f"{growth} kB")
        print(f"# {via}: download {SIZE >> 20} MiB, peak growth {growth} kB")

        mem.start()
        st, got = upload(port, prefix + "/up", SIZE)
        growth = mem.stop()
        check(f"{via}: a {SIZE >> 20} MiB upload arrives whole", st == 200 and
              got.get("length") == length and got.get("crc") == crc,
              f"{st} {got} (want {length} {crc})")
        if not sanitized:
            check(f"{via}: upload grows islet's memory by < 64 MiB", growth < GROWTH_LIMIT_KB,
                  f"{growth} kB")
        print(f"# {via}: upload {SIZE >> 20} MiB, peak growth {growth} kB")

        n = 64 * MIB
        st, got = upload(port, prefix + "/up", n, chunked=True)
        want = stream_crc(n)
        check(f"{via}: a chunked upload (no length) arrives whole", st == 200 and
              (got.get("length"), got.get("crc")) == want, f"{st} {got} (want {want})")
    print(f"# transfers took {time.monotonic() - started:.1f} s")

    time.sleep(1.5)
    for via, prefix in (("fetch()", ""), ("external service", "/ext")):
        cut_download(port, prefix + "/down", up, mem, f"{via}: client gone mid-download")
        cut_upload(port, prefix + "/up", up, mem, f"{via}: upload abandoned mid-body")

    st, n, _ = download(port, "/down", MIB)
    check("the proxy still serves after the cuts", st == 200 and n == MIB, f"{st} {n}")

    proc.send_signal(signal.SIGTERM)
    try:
        _, err = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
    check("SIGTERM exits 0", proc.returncode == 0, f"{proc.returncode} {err[-600:]}")
    check("no leak reported", "leak" not in err.lower(), err[-600:])
    if os.environ.get("SHOW_STDERR"):
        print(err)
    proc = None
finally:
    if proc is not None and proc.poll() is None:
        proc.kill()
        proc.communicate()
    up.stop()
    shutil.rmtree(tmp, ignore_errors=True)

finish()
