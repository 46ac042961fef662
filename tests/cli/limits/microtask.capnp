# "loops" runs microtask loops; "slow" is its neighbour behind a service binding.
# tests/cli/limits_microtask_test.py serves it with -s overrides and a small CPU limit.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "loops", worker = (
      modules = [(name = "microtask.js", esModule = embed "microtask.js")],
      compatibilityDate = "2024-09-01",
      bindings = [(name = "SLOW", service = "slow")],
    )),
    (name = "slow", worker = (
      modules = [(name = "slow.js", esModule = embed "slow.js")],
      compatibilityDate = "2024-09-01",
    )),
  ],
  sockets = [
    (name = "loops", address = "127.0.0.1:1", http = (), service = "loops"),
    (name = "slow", address = "127.0.0.1:1", http = (), service = "slow"),
  ],
);
