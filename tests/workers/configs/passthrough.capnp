# Streaming bodies passed through a worker untouched (bodies as streams, item 4): the
# tester calls "front", which forwards requests to "back" with `env.BACK.fetch(request)`
# and returns back's response as it came. The streams cross two service bindings both
# ways; front never reads them (the C stream is handed on, no JS stream made in front).
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "tester", worker = .tester),
    (name = "front", worker = .front),
    (name = "back", worker = .back),
  ],
);

const tester :Workerd.Worker = (
  modules = [
    (name = "passthrough.test.js", esModule = embed "passthrough.test.js"),
    (name = "assert.js", esModule = embed "../assert.js"),
  ],
  bindings = [(name = "FRONT", service = "front"), (name = "BACK", service = "back")],
  compatibilityDate = "2024-09-01",
);

const front :Workerd.Worker = (
  modules = [(name = "front.js", esModule = embed "passthrough_front.js")],
  bindings = [(name = "BACK", service = "back")],
  compatibilityDate = "2024-09-01",
);

const back :Workerd.Worker = (
  modules = [(name = "back.js", esModule = embed "passthrough_back.js")],
  compatibilityDate = "2024-09-01",
);
