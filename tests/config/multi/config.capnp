@0xd6a8e2bb34c1f0a7;
# A multi-service workerd config in the shape of workerd's samples: a front worker,
# an API worker behind it, static files from disk, the internet, an external backend.
# Tests in tests/unit/capnp_test.c read it (line numbers matter there).

using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "main", worker = .frontWorker),
    (name = "api", worker = .apiWorker),
    (name = "assets", disk = (path = "static", writable = false, allowDotfiles = false)),
    (name = "internet", network = (allow = ["public", "private"], tlsOptions = (trustBrowserCas = true))),
    (name = "backend", external = (address = "backend.example.com:443", http = (style = tls))),
  ],

  sockets = [
    ( name = "http", address = "*:8080", http = (), service = "main" ),
    ( name = "admin",
      address = "127.0.0.1:9090",
      http = (style = host, injectRequestHeaders = [(name = "X-Admin", value = "1")]),
      service = (name = "api", entrypoint = "Admin"),
    ),
  ],
);

const frontWorker :Workerd.Worker = (
  modules = [
    (name = "worker", esModule = embed "worker.js"),
    (name = "page.html", text = embed "static/index.html"),
    (name = "add.wasm", wasm = embed "add.wasm"),
  ],
  compatibilityDate = "2024-01-15",
  compatibilityFlags = ["nodejs_compat"],
  bindings = [
    (name = "API", service = "api"),
    (name = "ASSETS", service = (name = "assets")),
    (name = "GREETING", text = "Hello, " "world\x21\n"),
    (name = "LIMIT", json = "{\"max\": 100}"),
    (name = "KEY", data = 0x"de ad be ef"),
    (name = "CACHE", kvNamespace = (name = "kv-cache")),
  ],
  durableObjectNamespaces = [
    (className = "Counter", uniqueKey = "210bd0cbd803ef7883a1ee9d86cce06e"),
  ],
  durableObjectStorage = (inMemory = void),
);

const apiWorker :Workerd.Worker = (
  serviceWorkerScript = embed "api.js",
  compatibilityDate = "2024-01-15",
  bindings = [(name = "PORT", fromEnvironment = "PORT"), (name = "RATIO", json = "0.5")],
  globalOutbound = "internet",
);
