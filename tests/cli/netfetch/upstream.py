"""The upstream HTTP/1.1 server of tests/cli/netfetch_test.py, run in a thread of that
test on 127.0.0.1: echoes requests, redirects, compresses, stalls and breaks on purpose,
and counts the connections it accepted (GET /stats) so the test can see reuse."""
import gzip
import json
import socket
import ssl
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

GZIP_TEXT = "hello gzip " * 200


class Stats:
    lock = threading.Lock()
    connections = 0


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def setup(self):
        super().setup()
        # Head and body go out in two writes: without this, Nagle's algorithm holds the body
        # until the client's delayed ACK (40 ms a response).
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with Stats.lock:
            Stats.connections += 1

    def reply(self, status, body=b"", headers=(), reason=None):
        if isinstance(body, str):
            body = body.encode()
        self.send_response(status, reason)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def echo(self, body):
        out = {"method": self.command, "path": self.path, "body": body,
               "headers": [[k.lower(), v] for k, v in self.headers.items()]}
        self.reply(200, json.dumps(out), [("Content-Type", "application/json"),
                                          ("X-Upstream", "py"), ("Set-Cookie", "a=1"),
                                          ("Set-Cookie", "b=2")])

    def handle_any(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n).decode("latin-1") if n else ""
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            body = self.read_chunked()
        url = urlsplit(self.path)
        q = {k: v[0] for k, v in parse_qs(url.query).items()}
        p = url.path
        if p == "/stats":
            with Stats.lock:
                c = Stats.connections
            return self.reply(200, json.dumps({"connections": c}))
        if p == "/redirect":
            status = int(q.get("status", "302"))
            headers = [("Location", q["to"])] if "to" in q else []
            return self.reply(status, "redirecting", headers)
        if p.startswith("/chain/"):
            k = int(p.split("/")[2])
            if k == 0:
                return self.echo(body)
            return self.reply(302, "", [("Location", f"/chain/{k - 1}")])
        if p == "/loop":
            return self.reply(302, "", [("Location", "/loop")])
        if p == "/gzip":
            return self.reply(200, gzip.compress(GZIP_TEXT.encode()),
                              [("Content-Encoding", "gzip"), ("Content-Type", "text/plain")])
        if p == "/deflate":
            return self.reply(200, zlib.compress(GZIP_TEXT.encode()), [("Content-Encoding", "deflate")])
        if p == "/raw-deflate":
            c = zlib.compressobj(wbits=-15)
            return self.reply(200, c.compress(GZIP_TEXT.encode()) + c.flush(),
                              [("Content-Encoding", "deflate")])
        if p == "/bad-gzip":
            return self.reply(200, b"this is not gzip at all", [("Content-Encoding", "gzip")])
        if p == "/unknown-coding":
            return self.reply(200, b"zzz", [("Content-Encoding", "zstd")])
        if p == "/slow":
            time.sleep(float(q.get("s", "1")))
            return self.reply(200, "slow answer")
        if p == "/die":
            # Promises 100000 bytes, sends 10, and hangs up.
            self.send_response(200)
            self.send_header("Content-Length", "100000")
            self.end_headers()
            self.wfile.write(b"0123456789")
            self.wfile.flush()
            self.close_connection = True
            return
        if p == "/hangup":
            self.close_connection = True
            return
        if p == "/chunked":
            self.send_response(200, "Fine Thanks")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for part in (b"chunked ", b"body"):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
            self.wfile.write(b"0\r\n\r\n")
            return
        if p == "/status":
            return self.reply(int(q["s"]), q.get("body", ""), reason=q.get("reason"))
        if p == "/no-body":
            self.send_response(204)
            self.end_headers()
            return
        return self.echo(body)

    def read_chunked(self):
        out = b""
        while True:
            size = int(self.rfile.readline().strip(), 16)
            if size == 0:
                self.rfile.readline()
                return out.decode("latin-1")
            out += self.rfile.read(size)
            self.rfile.readline()

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = handle_any


class Server(ThreadingHTTPServer):
    request_queue_size = 128  # many parallel connects; the default backlog of 5 drops SYNs

    def handle_error(self, request, client_address):
        # A client that gave up (an aborted fetch) breaks the pipe: expected, not news.
        pass


def start():
    """Starts the server on a free port of 127.0.0.1; returns (server, port)."""
    srv = Server(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv, srv.server_address[1]


def start_tls(certfile, keyfile):
    """The same server over TLS with the given (self-signed) certificate; (server, port)."""
    srv = Server(("127.0.0.1", 0), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(certfile, keyfile)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv, srv.server_address[1]
