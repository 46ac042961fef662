# bench/proxy.sh: one worker that proxies every request to UPSTREAM (an origin such as
# http://127.0.0.1:19290, from the environment) with fetch(), through a network service
# that allows loopback. islet and workerd serve this same file; the script moves the
# socket with --socket-addr http=127.0.0.1:PORT.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "proxy", worker = (
      modules = [(name = "worker.js", esModule = embed "worker.js")],
      bindings = [(name = "UPSTREAM", fromEnvironment = "UPSTREAM")],
      globalOutbound = "upstream-net",
      compatibilityDate = "2024-09-01")),
    (name = "upstream-net", network = (allow = ["local"])),
  ],
  sockets = [(name = "http", address = "127.0.0.1:19291", http = (), service = "proxy")],
);
