"""`islet serve config.capnp`: several workers from one workerd config, service bindings
in memory, bindings on env, a classic script, socket overrides, isolation, and load errors
with their position. Servers listen on 127.0.0.1 only and are stopped by PID."""
import os
import re
import signal
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from checks import ISLET, check, finish  # noqa: E402
from islet_server import free_port, http_get, wait_port  # noqa: E402

CFG = os.path.join(os.path.dirname(os.path.abspath(__file__)), "config")


def run(*args, env=None, timeout=20):
    return subprocess.run([ISLET, *args], capture_output=True, text=True, timeout=timeout, env=env)


p1, p2 = free_port(), free_port()
env = dict(os.environ, ISLET_TEST_VALUE="from the environment")
env.pop("ISLET_TEST_UNSET_VARIABLE", None)
proc = subprocess.Popen([ISLET, "serve", os.path.join(CFG, "app.capnp"),
                         "-s", f"http=127.0.0.1:{p1}", "--socket-addr", f"classic=127.0.0.1:{p2}"],
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
check("config serves", wait_port(p1, proc))

st, body = http_get(p1, "/hello")
check("service binding in memory", st == 200 and body == "front got 200: back GET /hello from=front n=14 body=",
      f"{st} {body!r}")
st, body = http_get(p1, "/boom")
check("an exception in the target is a 500 for the caller", st == 200 and body.startswith("front got 500:"),
      f"{st} {body!r}")
st, body = http_get(p1, "/bindings")
check("bindings on env", st == 200 and body ==
      '{"greeting":"hello","conf":{"a":[1,2]},"blob":[1,2,3],"fromEnv":"from the environment",'
      '"unset":null,"keys":["ADMIN","BACK","BLOB","CONF","FROM_ENV","GREETING","PLAIN","UNSET"]}', f"{st} {body!r}")
st, body = http_get(p1, "/isolation")
check("workers do not see each other's globals or prototypes", body == "front got 200: undefined undefined"
      or body == "undefined undefined", f"{st} {body!r}")
st, body = http_get(p1, "/entrypoints")
check("named entrypoints: a WorkerEntrypoint class and an object", st == 200 and
      body == "admin entrypoint true; plain entrypoint", f"{st} {body!r}")
st, body = http_get(p2, "/")
check("classic script with bindings as globals", st == 200 and body == "classic says bonjour", f"{st} {body!r}")
st, body = http_get(p1, "/after-error")
check("the target keeps serving after its error", st == 200 and "back GET /after-error" in body, f"{st} {body!r}")

proc.send_signal(signal.SIGTERM)
try:
    out, err = proc.communicate(timeout=15)
except subprocess.TimeoutExpired:
    proc.kill()
    out, err = proc.communicate()
check("SIGTERM exits 0", proc.returncode == 0, f"{proc.returncode} {err[-400:]}")
check("the target's error is logged with its stack", "back failed on purpose" in err and "back.js:9:42" in err,
      err[-600:])

# Load errors name the config file, line and column.
r = run("serve", os.path.join(CFG, "unknown_field.capnp"))
check("unknown field: exit 1", r.returncode == 1, str(r.returncode))
check("unknown field: position", re.search(r"unknown_field\.capnp:4:\d+:.*colour", r.stderr), r.stderr)
r = run("serve", os.path.join(CFG, "syntax.capnp"))
check("syntax error: exit 1 with position", r.returncode == 1 and re.search(r"syntax\.capnp:3:\d+:", r.stderr),
      r.stderr)
# A network service loads and serves a socket: the request goes out to the network (here
# to the host "t", which does not resolve), and a failure is a 502 saying what failed.
p3 = free_port()
proc = subprocess.Popen([ISLET, "serve", os.path.join(CFG, "network.capnp"), "-s", f"http=127.0.0.1:{p3}"],
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
st, body = http_get(p3, "/") if wait_port(p3, proc) else (None, "did not start")
check("network service: 502 naming the network error", st == 502 and body == "DNS lookup failed for t",
      f"{st} {body!r}")
proc.send_signal(signal.SIGTERM)
proc.communicate(timeout=15)
r = run("serve", os.path.join(CFG, "bad_network.capnp"))
check("a bad network allow entry stops startup", r.returncode == 1 and
      "service 'internet': network: invalid address pattern '10.0.0.0/33'" in r.stderr, r.stderr)
r = run("serve", os.path.join(CFG, "app.capnp"), "-s", "nosuch=127.0.0.1:1")
check("-s naming no socket", r.returncode == 1 and "no socket named 'nosuch'" in r.stderr, r.stderr)
r = run("serve", os.path.join(CFG, "app.capnp"), "-s", "broken")
check("-s without =: usage error", r.returncode == 2, str(r.returncode))
r = run("serve", os.path.join(CFG, "bad_entrypoint.capnp"))
check("a binding to a missing entrypoint stops startup", r.returncode == 1 and "Missing" in r.stderr
      and "binding 'B'" in r.stderr, r.stderr)
r = run("serve", os.path.join(CFG, "app.capnp"), "noSuchConst")
check("unknown const: exit 1", r.returncode == 1 and "noSuchConst" in r.stderr, r.stderr)

finish()
