# `islet test` on a config: each worker service's tests run; data comes in through
# bindings (embed reads files relative to this one).
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "a", worker = .a),
    (name = "b", worker = .b),
    (name = "files", disk = "."),
  ],
  sockets = [(name = "http", address = "127.0.0.1:1", service = "a")],
);

const a :Workerd.Worker = (
  modules = [
    (name = "a.js", esModule = embed "a.js"),
    (name = "harness.js", esModule = embed "../../workers/wpt/harness.js"),
  ],
  bindings = [
    (name = "cases", json = embed "cases.json"),
    (name = "none", text = ""),
    (name = "exact", text = "2 -- two is odd here\n# a comment\n\n4 -- so is four"),
    (name = "extraPass", text = "2 -- x\n3 -- y\n4 -- z"),
    (name = "stale", text = "2 -- x\n4 -- y\n9 -- z"),
    (name = "B", service = "b"),
  ],
  compatibilityDate = "2024-01-01",
);

const b :Workerd.Worker = (
  modules = [(name = "b.js", esModule = embed "b.js")],
  compatibilityDate = "2024-01-01",
);
