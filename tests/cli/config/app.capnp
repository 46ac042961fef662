# Two workers composed by a service binding, a classic script, and one socket each.
# tests/cli/config_test.py serves it with -s overrides to 127.0.0.1 ports.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "front", worker = .front),
    (name = "back", worker = (
      modules = [
        (name = "back.js", esModule = embed "back.js"),
        (name = "lib/util.js", esModule = embed "util.js"),
        (name = "lib/data.json", json = "{\"n\": 7}"),
      ],
      compatibilityDate = "2024-09-01",
    )),
    (name = "classic", worker = (serviceWorkerScript = embed "classic.js",
                                 bindings = [(name = "WORD", text = "bonjour")],
                                 compatibilityDate = "2024-09-01")),
  ],
  sockets = [
    (name = "http", address = "127.0.0.1:18190", http = (), service = "front"),
    (name = "classic", address = "127.0.0.1:18191", http = (), service = "classic"),
  ],
);

const front :Workerd.Worker = (
  modules = [(name = "front.js", esModule = embed "front.js")],
  compatibilityDate = "2024-09-01",
  bindings = [
    (name = "BACK", service = "back"),
    (name = "ADMIN", service = (name = "back", entrypoint = "Admin")),
    (name = "PLAIN", service = (name = "back", entrypoint = "plain")),
    (name = "GREETING", text = "hello"),
    (name = "CONF", json = "{\"a\": [1, 2]}"),
    (name = "BLOB", data = 0x"01 02 03"),
    (name = "FROM_ENV", fromEnvironment = "ISLET_TEST_VALUE"),
    (name = "UNSET", fromEnvironment = "ISLET_TEST_UNSET_VARIABLE"),
  ],
);
