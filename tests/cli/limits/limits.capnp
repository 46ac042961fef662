# Two workers in one process: "busy" misbehaves, "quiet" must not notice.
# tests/cli/limits_test.py serves it with -s overrides and small limits.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "busy", worker = (
      modules = [(name = "busy.js", esModule = embed "busy.js")],
      compatibilityDate = "2024-09-01",
      bindings = [(name = "QUIET", service = "quiet")],
    )),
    (name = "quiet", worker = (
      modules = [(name = "quiet.js", esModule = embed "quiet.js")],
      compatibilityDate = "2024-09-01",
    )),
  ],
  sockets = [
    (name = "busy", address = "127.0.0.1:1", http = (), service = "busy"),
    (name = "quiet", address = "127.0.0.1:1", http = (), service = "quiet"),
  ],
);
