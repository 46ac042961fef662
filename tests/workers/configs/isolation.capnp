# Isolation between workers (issue 7): a tester reaches two workers only through service
# bindings and checks that neither can see the other's globals, prototypes, timers,
# module state or bindings, and that none can reach files, the environment or the network
# except through what its config gave it.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "tester", worker = .tester),
    (name = "a", worker = .a),
    (name = "b", worker = .b),
    (name = "nowhere", network = (allow = [])),
  ],
);

const tester :Workerd.Worker = (
  modules = [
    (name = "isolation.test.js", esModule = embed "isolation.test.js"),
    (name = "assert.js", esModule = embed "../assert.js"),
  ],
  bindings = [(name = "A", service = "a"), (name = "B", service = "b")],
  compatibilityDate = "2024-09-01",
);

const a :Workerd.Worker = (
  modules = [
    (name = "peer.js", esModule = embed "peer.js"),
    (name = "state.js", esModule = embed "state.js"),
  ],
  bindings = [(name = "NAME", text = "a"), (name = "SECRET", text = "only for a")],
  globalOutbound = "nowhere",
  compatibilityDate = "2024-09-01",
);

const b :Workerd.Worker = (
  modules = [
    (name = "peer.js", esModule = embed "peer.js"),
    (name = "state.js", esModule = embed "state.js"),
  ],
  bindings = [(name = "NAME", text = "b")],
  globalOutbound = "nowhere",
  compatibilityDate = "2024-09-01",
);
