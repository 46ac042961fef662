using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (services = .svcs, sockets = [(name = "s", address = "*:1", http = proxy, service = .n)]);
const svcs :List(Workerd.Service) = [(name = .n, worker = .w), (name = "b", worker = .w), "x"];
const n :Text = "a";
const w :Workerd.Worker = (modules = [(name = "m", esModule = "x"), (name = "m", text = "y")], bindings = [(name = "B", service = (name = "internet", entrypoint = "E")), (name = "C", kvNamespace = "k")], compatibilityFlags = ["nodejs_compat", "nope"], compatibilityDate = "2024-02-30", globalOutbound = "zz");
