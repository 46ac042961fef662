"""Outbound fetch() end to end: a Python upstream on 127.0.0.1 (netfetch/upstream.py, in a
thread of this test) and `islet test` on a config whose worker reaches it through a network
service that allows loopback (netfetch/netfetch.test.js: methods, bodies, headers both ways,
redirect modes and method rules, content decoding, network errors, slow and dying upstreams,
AbortSignal, connection reuse, TLS verified against the system CA store, so a
self-signed upstream is refused), and a worker with the default "internet", whose policy
refuses loopback (netfetch/defaults.test.js)."""
import os
import shutil
import socket
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "netfetch"))
from checks import ISLET, check, finish  # noqa: E402
from upstream import start, start_tls  # noqa: E402


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


srv, port = start()
tls_srv = None
tmp = tempfile.mkdtemp(prefix="islet-netfetch-")
try:
    # A self-signed certificate for the TLS upstream, made fresh for each run.
    key, cert = os.path.join(tmp, "key.pem"), os.path.join(tmp, "cert.pem")
    gen = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                          "-subj", "/CN=127.0.0.1", "-keyout", key, "-out", cert],
                         capture_output=True, text=True, timeout=60)
    check("openssl makes a self-signed certificate", gen.returncode == 0, gen.stderr[-400:])
    tls_srv, tls_port = start_tls(cert, key)
    for f in ("netfetch.test.js", "defaults.test.js"):
        shutil.copy(os.path.join(HERE, "netfetch", f), tmp)
    shutil.copy(os.path.join(HERE, "..", "workers", "assert.js"), tmp)
    with open(os.path.join(HERE, "netfetch", "netfetch.capnp.in")) as f:
        cfg = f.read().replace("@BASE@", f"http://127.0.0.1:{port}")
        cfg = cfg.replace("@DEAD@", f"http://127.0.0.1:{closed_port()}")
        cfg = cfg.replace("@TLS@", f"https://127.0.0.1:{tls_port}")
    cfg_path = os.path.join(tmp, "netfetch.capnp")
    with open(cfg_path, "w") as f:
        f.write(cfg)
    r = subprocess.run([ISLET, "test", cfg_path], capture_output=True, text=True, timeout=120)
    lines = r.stdout.splitlines()
    for line in lines:
        if line.startswith("PASS ") or line.startswith("FAIL "):
            check(line[5:], line.startswith("PASS "))
    check("islet test printed its summary", lines and lines[-1].endswith(" failed"), r.stdout[-500:])
    check("islet test exits 0", r.returncode == 0, f"{r.returncode} {r.stderr[-800:]}")
    check("nothing alarming on stderr", "error" not in r.stderr.lower() and "leak" not in r.stderr.lower(),
          r.stderr[-800:])
finally:
    srv.shutdown()
    if tls_srv:
        tls_srv.shutdown()
    shutil.rmtree(tmp, ignore_errors=True)

finish()
