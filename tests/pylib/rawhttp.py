"""Raw HTTP/1.1 over sockets for the hardening suites (tests/wire/test_smuggling.py,
tests/wire/test_faults.py, tests/soak/soak.py): send bytes as they are, read until the
server closes, split what came back into responses framed by Content-Length, and look at a
server process through /proc (descriptors, RSS, CPU time)."""
import os
import socket
import struct
import time


def connect(port, timeout=5.0):
    return socket.create_connection(("127.0.0.1", port), timeout=timeout)


def read_until_close(sock, timeout=5.0):
    """Everything until the peer closes: (bytes, closed). closed is False if `timeout`
    passed first; a reset counts as closed."""
    sock.settimeout(timeout)
    data = b""
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return data, True
            data += chunk
    except socket.timeout:
        return data, False
    except ConnectionResetError:
        return data, True


def exchange(port, data, timeout=5.0):
    """Sends data on a new connection and reads until the server closes it."""
    s = connect(port, timeout)
    try:
        s.sendall(data)
    except OSError:
        pass  # the server may close before taking everything: what it said still counts
    out, closed = read_until_close(s, timeout)
    s.close()
    return out, closed


class Response:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def header(self, name):
        vals = self.headers.get(name.lower())
        return vals[0] if vals else None


def parse_responses(data, head_only=False):
    """Splits bytes into responses (status line, headers, a Content-Length body). Returns
    (list of Response, leftover bytes that do not make a complete response)."""
    out = []
    while data:
        end = data.find(b"\r\n\r\n")
        if end < 0:
            break
        lines = data[:end].decode("latin-1").split("\r\n")
        parts = lines[0].split(" ", 2)
        if len(parts) < 2 or parts[0] != "HTTP/1.1" or not parts[1].isdigit():
            break
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers.setdefault(name.strip().lower(), []).append(value.strip())
        status = int(parts[1])
        n = 0
        if not head_only and status >= 200 and status not in (204, 304):
            n = int(headers.get("content-length", ["0"])[0])
        if len(data) < end + 4 + n:
            break
        out.append(Response(status, headers, data[end + 4:end + 4 + n]))
        data = data[end + 4 + n:]
    return out, data


def set_rst_on_close(sock):
    """close() then sends a RST instead of a FIN (SO_LINGER with a zero timeout)."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def fd_count(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def cpu_seconds(pid):
    """User + system CPU time the process has used."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_for(cond, secs, step=0.05):
    """Polls cond() until it is true or secs pass; returns its last value."""
    deadline = time.time() + secs
    while True:
        v = cond()
        if v or time.time() > deadline:
            return v
        time.sleep(step)


class Islet:
    """`islet serve WORKER` on a free 127.0.0.1 port with `flags`; stopped by its own PID.
    stderr goes to a temporary file (read with .log()) so nothing can block on a pipe."""

    def __init__(self, islet, worker, flags=(), preexec_fn=None):
        import subprocess
        import tempfile
        import islet_server
        self.port = islet_server.free_port()
        self.err = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            [islet, "serve", worker, "--listen", "127.0.0.1:%d" % self.port, *flags],
            stdout=subprocess.DEVNULL, stderr=self.err, preexec_fn=preexec_fn)
        self.pid = self.proc.pid
        if not islet_server.wait_port(self.port, self.proc, 15):
            self.stop()
            raise RuntimeError("islet serve did not start: %s" % self.log()[-500:])

    def alive(self):
        return self.proc.poll() is None

    def log(self):
        self.err.seek(0)
        return self.err.read().decode("utf-8", "replace")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        return self.proc.returncode
