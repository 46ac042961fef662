"""The module system from the command line (issue 3): load failures stop `islet serve`
with exit 1 and a message naming the file, line and specifier; syntax errors anywhere in
the graph name file:line:col and show the line; logged stacks name the user's columns
through the transform; ISLET_LOAD_STATS=1 prints per-module load times.
Usage: python3 tests/cli/modules_test.py build/islet. Fixtures: tests/workers/mod/cli/.
Servers listen on 127.0.0.1 only and are stopped by PID."""
import os
import re
import signal
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
import checks  # noqa: E402
from checks import ISLET, finish  # noqa: E402
import islet_server  # noqa: E402
from islet_server import free_port  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.join(os.path.dirname(HERE), "workers", "mod", "cli")


def check(name, cond, detail=""):
    """checks.check, also naming each check that passes."""
    if checks.check(name, cond, detail):
        print(f"PASS {name}")


def fixture(case, name="main.js"):
    return os.path.join(FIX, case, name)


def serve_fails(case, name="main.js"):
    """Runs `islet serve` on a fixture that must fail to load. Returns (exit code, stderr);
    a server that starts listening anyway is stopped at once and reported as code None."""
    port = free_port()
    p = subprocess.Popen([ISLET, "serve", fixture(case, name), "--listen", f"127.0.0.1:{port}"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 10
    while p.poll() is None and time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break  # it loaded and listens: not the failure we wanted
        except OSError:
            time.sleep(0.02)
    code = p.poll()
    if code is None:
        p.send_signal(signal.SIGTERM)
    try:
        _, err = p.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
        _, err = p.communicate()
    return code, err


def Server(script, env=None):
    return islet_server.Server(ISLET, script, env=env)


def line_of(path, n):
    with open(path, encoding="utf-8") as f:
        return f.read().split("\n")[n - 1]


# ---- resolution failures ---------------------------------------------------------------
code, err = serve_fails("unknown_scheme")
check("unknown built-in: exit 1", code == 1, f"{code} {err[-300:]}")
check("unknown built-in: names importer:line and specifier",
      "unknown_scheme/main.js:2" in err and "nope:thing" in err, err[-400:])

code, err = serve_fails("bare")
check("bare specifier: exit 1", code == 1, f"{code} {err[-300:]}")
check("bare specifier: names importer:line and specifier",
      "bare/main.js:3" in err and ("'lodash'" in err or '"lodash"' in err), err[-400:])

code, err = serve_fails("outside")
check("import outside the worker's directory: exit 1", code == 1, f"{code} {err[-300:]}")
check("import outside the worker's directory: says so", "../secret.js" in err and "outside" in err, err[-400:])

code, err = serve_fails("missing_file")
check("missing file: exit 1", code == 1, f"{code} {err[-300:]}")
check("missing file: names the file and the importer",
      "not_here.js" in err and "missing_file/dep.js" in err, err[-400:])

code, err = serve_fails("unknown_type")
check("unknown module type: exit 1", code == 1, f"{code} {err[-300:]}")
check("unknown module type: names the file", "notes.yaml" in err, err[-400:])

# ---- syntax errors: file:line:col and the offending line ---------------------------------
for case, line in [("syntax_first", 1), ("syntax_last", 3), ("syntax_template", 4), ("syntax_regex", 2)]:
    dep = fixture(case, "dep.js")
    code, err = serve_fails(case)
    check(f"{case}: exit 1", code == 1, f"{code} {err[-300:]}")
    check(f"{case}: names dep.js:{line}:col and SyntaxError",
          re.search(rf"{case}/dep\.js:{line}:\d+", err) is not None and "SyntaxError" in err, err[-400:])
    check(f"{case}: shows the offending line", line_of(dep, line).strip() in err, err[-400:])

code, err = serve_fails("syntax_main")
check("syntax error in main module: exit 1", code == 1, f"{code} {err[-300:]}")
check("syntax error in main module: file:line:col and the line",
      re.search(r"syntax_main/main\.js:3:\d+", err) is not None and 'return new Response("x" +);' in err, err[-400:])

# ---- link and evaluation errors ------------------------------------------------------------
code, err = serve_fails("missing_export")
check("missing export: exit 1", code == 1, f"{code} {err[-300:]}")
check("missing export: SyntaxError naming the module and the name",
      "SyntaxError" in err and "absent" in err and "lib.js" in err, err[-400:])
check("missing export: names the importing line", "missing_export/main.js:1" in err, err[-400:])

code, err = serve_fails("eval_error")
check("evaluation error in a dependency: exit 1", code == 1, f"{code} {err[-300:]}")
check("evaluation error in a dependency: message and dep.js:3",
      "RangeError: dep failed while evaluating" in err and re.search(r"eval_error/dep\.js:3:\d+", err), err[-400:])

# ---- a graph that loads ------------------------------------------------------------------
srv = Server(fixture("ok_graph"))
st, body = srv.get("/")
code, _, err = srv.stop()
check("a module graph serves", st == 200 and body == "hello graph", f"{st} {body!r} {err[-300:]}")

# ---- logged stacks name the user's columns -----------------------------------------------
# The expected column is what JSC reports for the same line run untransformed (the classic
# twin), so the test holds whatever JSC's column convention is.
twin = Server(fixture("stack", "classic_twin.js"))
twin.get("/")
_, _, twin_err = twin.stop()
m = re.search(r"classic_twin\.js:6:(\d+)", twin_err)
check("classic twin logs its line 6", m is not None, twin_err[-400:])
want_col = m.group(1) if m else "?"

srv = Server(fixture("stack"))
st, _ = srv.get("/main")
st2, _ = srv.get("/lib")
code, _, err = srv.stop()
check("throwing handler answers 500", st == 500 and st2 == 500, f"{st} {st2}")
check("logged stack names main.js:6:COL on a line using imports",
      f"stack/main.js:6:{want_col}" in err, f"want :6:{want_col} in {err[-600:]}")
check("logged stack names the imported module's line",
      re.search(r"stack/lib\.js:3:\d+", err) is not None and "exploded in lib 40" in err, err[-600:])

# ---- ISLET_LOAD_STATS=1 --------------------------------------------------------------------
env = dict(os.environ, ISLET_LOAD_STATS="1")
srv = Server(fixture("ok_graph"), env=env)
st, body = srv.get("/")
code, _, err = srv.stop()
stat_re = r"islet load: (\S*{0}): transform [\d.]+ ms, compile [\d.]+ ms, evaluate [\d.]+ ms, total [\d.]+ ms"
check("ISLET_LOAD_STATS=1 reports the main module",
      re.search(stat_re.format(r"ok_graph/main\.js"), err) is not None, err[-400:])
check("ISLET_LOAD_STATS=1 reports imported modules",
      re.search(stat_re.format(r"ok_graph/lib\.js"), err) is not None, err[-400:])
srv = Server(fixture("ok_graph"))
srv.get("/")
_, _, err = srv.stop()
check("no load statistics without ISLET_LOAD_STATS", "islet load:" not in err, err[-300:])

finish()
