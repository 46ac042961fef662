"""`islet serve` with disk services (tests/cli/disk/disk.capnp): a worker reads and writes
files through service bindings (env.FILES.fetch, env.UPLOADS.fetch), and a socket serves a
disk directory directly. Runs islet from a temporary directory holding a copy of
tests/cli/disk/public plus a dotfile and a symlink to /etc, removed at the end. Servers
listen on 127.0.0.1 only and are stopped by PID."""
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from checks import ISLET, check, finish  # noqa: E402
from islet_server import free_port, http_get  # noqa: E402

FIX = os.path.join(os.path.dirname(os.path.abspath(__file__)), "disk")


def request(port, method, path, headers=None, body=None):
    """Returns (status, headers dict with lower-case names, body bytes)."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        # skip_accept_encoding etc. are irrelevant; the raw path is sent as written.
        c.putrequest(method, path, skip_host=False, skip_accept_encoding=True)
        for k, v in (headers or {}).items():
            c.putheader(k, v)
        if body is not None:
            c.putheader("Content-Length", str(len(body)))
        c.endheaders(body)
        r = c.getresponse()
        data = r.read()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, data
    finally:
        c.close()


def via_worker(path, headers=None):
    st, _, body = request(p1, "GET", path, headers)
    try:
        return json.loads(body)
    except ValueError:
        return {"status": st, "raw": body}


tmp = tempfile.mkdtemp(prefix="islet-disk-cli-")
shutil.copytree(os.path.join(FIX, "public"), os.path.join(tmp, "public"))
os.mkdir(os.path.join(tmp, "uploads"))
with open(os.path.join(tmp, "public", ".env"), "w") as f:
    f.write("do not serve")
with open(os.path.join(tmp, "outside.txt"), "w") as f:
    f.write("outside")
os.symlink("/etc", os.path.join(tmp, "public", "etc"))

p1, p2 = free_port(), free_port()
proc = subprocess.Popen([ISLET, "serve", os.path.join(FIX, "disk.capnp"),
                         "-s", f"http=127.0.0.1:{p1}", "-s", f"files=127.0.0.1:{p2}"],
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp)
try:
    deadline = time.time() + 10
    up = False
    while time.time() < deadline and proc.poll() is None:
        if http_get(p2, "/", timeout=1)[0] is not None:
            up = True
            break
        time.sleep(0.05)
    check("config with disk services serves", up)

    # Through the service binding.
    r = via_worker("/files/index.html")
    check("GET through env.FILES.fetch", r.get("status") == 200 and r.get("body") == "<h1>disk</h1>\n"
          and r.get("type") == "text/html; charset=utf-8" and r.get("length") == "14", str(r))
    check("ETag and Last-Modified reach the worker", (r.get("etag") or "").startswith('"')
          and (r.get("modified") or "").endswith(" GMT"), str(r))
    etag = r.get("etag") or "none"
    r = via_worker("/files/index.html", {"If-None-Match": etag})
    check("If-None-Match through the binding is a 304", r.get("status") == 304 and r.get("body") == "", str(r))
    r = via_worker("/files/sub/digits.txt", {"Range": "bytes=3-5"})
    check("Range through the binding is a 206", r.get("status") == 206 and r.get("body") == "345"
          and r.get("range") == "bytes 3-5/10", str(r))
    r = via_worker("/files/sub/digits.txt", {"Range": "bytes=20-"})
    check("unsatisfiable Range is a 416", r.get("status") == 416 and r.get("range") == "bytes */10", str(r))
    r = via_worker("/files/.env")
    check("dotfile through the binding is a 404", r.get("status") == 404, str(r))
    r = via_worker("/files/etc/passwd")
    check("symlink to /etc through the binding is a 404", r.get("status") == 404, str(r))
    r = via_worker("/files/sub")
    check("directory through the binding is a 404", r.get("status") == 404, str(r))

    st, _, body = request(p1, "PUT", "/put/note.txt", body=b"written by a worker")
    check("PUT through env.UPLOADS creates then reads back", st == 200 and body == b"201 200 written by a worker",
          f"{st} {body!r}")
    note = os.path.join(tmp, "uploads", "note.txt")
    check("the file is on disk", os.path.exists(note) and open(note).read() == "written by a worker")
    st, _, body = request(p1, "PUT", "/put/note.txt", body=b"again")
    check("PUT over an existing file is a 204", body == b"204 200 again", f"{st} {body!r}")
    st, _, body = request(p1, "GET", "/del/note.txt")
    check("DELETE through env.UPLOADS", body == b"204 404", f"{st} {body!r}")
    check("the file is gone", not os.path.exists(os.path.join(tmp, "uploads", "note.txt")))

    # Straight onto the disk service's socket: raw request targets, no URL normalisation.
    st, h, body = request(p2, "GET", "/index.html")
    check("GET on the disk socket", st == 200 and body == b"<h1>disk</h1>\n"
          and h.get("content-length") == "14" and h.get("accept-ranges") == "bytes", f"{st} {h} {body!r}")
    st, h, body = request(p2, "HEAD", "/sub/digits.txt")
    check("HEAD has the GET's length and no body", st == 200 and h.get("content-length") == "10" and body == b"",
          f"{st} {h} {body!r}")
    st, h, body = request(p2, "GET", "/sub/digits.txt", {"Range": "bytes=-4"})
    check("suffix Range on the socket", st == 206 and body == b"6789" and h.get("content-range") == "bytes 6-9/10",
          f"{st} {h} {body!r}")
    for target in ["/../outside.txt", "/%2e%2e/outside.txt", "/sub/%2e%2e/%2e%2e/outside.txt",
                   "/sub%2F..%2F..%2Foutside.txt", "/etc/passwd", "/.env", "/%2eenv"]:
        st, _, body = request(p2, "GET", target)
        check(f"{target} does not leave the root", st == 404 and b"outside" not in body and b"root:" not in body,
              f"{st} {body[:80]!r}")
    st, h, _ = request(p2, "PUT", "/new.txt", body=b"x")
    check("PUT on a read-only disk is a 405 with Allow", st == 405 and h.get("allow") == "GET, HEAD", f"{st} {h}")
    check("nothing was written", not os.path.exists(os.path.join(tmp, "public", "new.txt")))
    st, h, _ = request(p2, "POST", "/index.html", body=b"x")
    check("POST is a 405", st == 405, str(st))
finally:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        out, err = proc.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
    shutil.rmtree(tmp, ignore_errors=True)
check("SIGTERM exits 0", proc.returncode == 0, f"{proc.returncode} {err[-400:]}")

# A disk path that does not exist is a load error naming the service.
empty = tempfile.mkdtemp(prefix="islet-disk-cli-")
r = subprocess.run([ISLET, "serve", os.path.join(FIX, "disk.capnp"), "-s", f"http=127.0.0.1:{free_port()}",
                    "-s", f"files=127.0.0.1:{free_port()}"], capture_output=True, text=True, timeout=20,
                   cwd=empty)
os.rmdir(empty)
check("missing disk directory: exit 1 with the service named", r.returncode == 1 and "service 'files'" in r.stderr
      and "public" in r.stderr, f"{r.returncode} {r.stderr[-300:]}")

finish()
