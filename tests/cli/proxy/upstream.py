"""The upstream of tests/cli/proxy_memory_test.py: a small HTTP/1.1 server on 127.0.0.1,
run in a thread of that test, that makes and takes large bodies without keeping them.

  GET /down?n=N        answers N bytes (Content-Length), made block by block as sent
  POST|PUT /up         reads the body (Content-Length or chunked) and answers
                       {"length": L, "crc": C} with the CRC-32 of what arrived

The bytes are a fixed pseudo-random block whose first 8 bytes are replaced by the block's
index, so a lost, repeated or reordered block changes the CRC. stream_crc() computes the
same CRC for a client checking a download.

Every connection's fate is recorded (Upstream.events): when a transfer ends early because
the peer closed, the test sees it and when."""
import json
import random
import socket
import struct
import threading
import time
import zlib

BLOCK = 1 << 20
_BASE = bytes(random.Random(6).getrandbits(8) for _ in range(BLOCK))


def block(i):
    """The i-th block of a body (a fresh bytearray)."""
    b = bytearray(_BASE)
    b[0:8] = struct.pack("<Q", i)
    return b


def body_blocks(n):
    """The body of n bytes as a sequence of blocks (the last one cut)."""
    i = 0
    while n > 0:
        b = block(i)
        if n < len(b):
            b = b[:n]
        n -= len(b)
        i += 1
        yield b


class Upstream:
    def __init__(self):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.lock = threading.Lock()
        self.events = []  # (kind, detail, time.monotonic())
        self.active = 0
        self.stopping = False
        threading.Thread(target=self._accept, daemon=True).start()

    def record(self, kind, detail=""):
        with self.lock:
            self.events.append((kind, detail, time.monotonic()))

    def events_of(self, kind):
        with self.lock:
            return [e for e in self.events if e[0] == kind]

    def stop(self):
        self.stopping = True
        try:
            self.sock.close()
        except OSError:
            pass

    def _accept(self):
        while not self.stopping:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(c,), daemon=True).start()

    def _serve(self, c):
        with self.lock:
            self.active += 1
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        f = c.makefile("rb", buffering=256 * 1024)
        try:
            while self._one(c, f):
                pass
        except OSError as e:
            self.record("aborted", str(e))
        finally:
            f.close()
            c.close()
            with self.lock:
                self.active -= 1

    def _one(self, c, f):
        line = f.readline(65536)
        if not line:
            return False
        method, target, _ = line.decode("latin-1").split(" ", 2)
        headers = {}
        while True:
            h = f.readline(65536)
            if h in (b"\r\n", b"\n", b""):
                break
            k, _, v = h.decode("latin-1").partition(":")
            headers[k.strip().lower()] = v.strip()
        if target.startswith("/down"):
            n = int(target.partition("n=")[2] or 0)
            c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
                      b"Content-Length: %d\r\n\r\n" % n)
            self.record("down-start", n)
            sent = 0
            for b in body_blocks(n):
                try:
                    c.sendall(b)
                except OSError as e:
                    self.record("down-cut", sent)
                    raise e
                sent += len(b)
            self.record("down-done", sent)
            return True
        length, crc = 0, 0
        self.record("up-start", headers.get("content-length", "chunked"))

        def take(data):
            nonlocal length, crc
            length += len(data)
            crc = zlib.crc32(data, crc)

        if headers.get("transfer-encoding", "").lower() == "chunked":
            while True:
                size = int(f.readline(100).split(b";")[0], 16)
                if size == 0:
                    while f.readline(65536) not in (b"\r\n", b""):
                        pass
                    break
                self._read_exact(f, size, take)
                f.readline(10)
        else:
            self._read_exact(f, int(headers.get("content-length", "0")), take)
        self.record("up-done", length)
        body = json.dumps({"length": length, "crc": crc}).encode()
        c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                  b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        return True

    def _read_exact(self, f, n, take):
        got = 0
        while got < n:
            data = f.read1(min(n - got, 1 << 20))
            if not data:
                self.record("up-cut", got)
                raise OSError(f"the body ended after {got} of {n} bytes")
            take(data)
            got += len(data)


def stream_crc(n):
    """(length, CRC-32) of the n-byte body /down?n=N sends."""
    crc = 0
    for b in body_blocks(n):
        crc = zlib.crc32(b, crc)
    return n, crc
