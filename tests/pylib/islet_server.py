"""Helpers shared by the Python suites: a free port on 127.0.0.1, a plain HTTP GET, and
an `islet serve` child process that is stopped by its own PID."""
import signal
import socket
import subprocess
import time


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def http_get(port, path, timeout=5):
    """GET path with Connection: close. Returns (status, body text), or (None, error)."""
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        s.close()
        head, _, body = data.partition(b"\r\n\r\n")
        return int(head.split(b" ")[1]), body.decode()
    except (OSError, IndexError, ValueError) as e:
        return None, str(e)


class Server:
    """`islet serve SCRIPT` on a free port; waits (10 s at most) until it accepts."""

    def __init__(self, islet, script, *flags, env=None):
        self.port = free_port()
        self.proc = subprocess.Popen(
            [islet, "serve", script, "--listen", f"127.0.0.1:{self.port}", *flags],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if self.proc.poll() is not None:
                    return
                time.sleep(0.05)

    def get(self, path):
        return http_get(self.port, path)

    def stop(self):
        """SIGTERM, then up to 15 s for a graceful exit. Returns (code, stdout, stderr)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            out, err = self.proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, err = self.proc.communicate()
        return self.proc.returncode, out, err


def wait_port(port, proc, secs=10):
    """True once 127.0.0.1:port accepts, False if proc exits or secs pass first."""
    deadline = time.time() + secs
    while time.time() < deadline and proc.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


def send_raw(port, data, timeout=5):
    """Sends bytes as they are and reads until the server closes. Returns (status,
    {lower-case name: [values]}, body text), or (None, {}, error)."""
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        s.sendall(data)
        out = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            out += chunk
        s.close()
        head, _, body = out.partition(b"\r\n\r\n")
        lines = head.decode().split("\r\n")
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers.setdefault(name.strip().lower(), []).append(value.strip())
        return int(lines[0].split(" ")[1]), headers, body.decode()
    except (OSError, IndexError, ValueError) as e:
        return None, {}, str(e)
