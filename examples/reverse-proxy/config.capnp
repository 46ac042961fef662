# A reverse proxy: `islet serve examples/reverse-proxy/config.capnp` with UPSTREAM set in
# the environment (e.g. UPSTREAM=http://127.0.0.1:8081) answers on 127.0.0.1:8080 with
# whatever the upstream answers. The worker may reach only the upstream's kind of address:
# its globalOutbound is a network service allowing local and private addresses.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "proxy", worker = .proxy),
    (name = "upstream-net", network = (allow = ["local", "private"])),
  ],
  sockets = [(name = "http", address = "127.0.0.1:8080", http = (), service = "proxy")],
);

const proxy :Workerd.Worker = (
  modules = [(name = "worker.js", esModule = embed "worker.js")],
  bindings = [(name = "UPSTREAM", fromEnvironment = "UPSTREAM")],
  globalOutbound = "upstream-net",
  compatibilityDate = "2024-09-01",
);
