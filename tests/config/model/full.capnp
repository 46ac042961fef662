# Every field the config model accepts, once (tests/unit/config_test.c checks each value
# and some positions: line numbers matter there).
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "main", worker = .mainWorker),
    (name = "classic", worker = (serviceWorkerScript = embed "classic.js", compatibilityDate = "2023-02-28")),
    (name = "net", network = (allow = ["public", "private"], deny = ["10.0.0.0/8"])),
    (name = "net2", network = ()),
    (name = "ext", external = (address = "backend:8081", http = (style = proxy, forwardedProtoHeader = "X-Proto"))),
    (name = "files", disk = (path = "/srv/files", writable = true, allowDotfiles = true)),
  ],
  sockets = [
    (name = "http", address = "*:8080", http = (), service = "main"),
    (name = "proxy", address = "127.0.0.1:3128",
     http = (style = proxy, forwardedProtoHeader = "X-Forwarded-Proto"),
     service = (name = "classic")),
    (name = "plain", address = "unix:/tmp/islet.sock", service = .mainName),
  ],
);

const mainName :Text = "main";

const mainWorker :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "worker.js"),
    (name = "lib.cjs", commonJsModule = embed "lib.cjs"),
    (name = "page.txt", text = embed "page.txt"),
    (name = "blob.bin", data = embed "blob.bin"),
    (name = "data.json", json = embed "data.json"),
    (name = "add.wasm", wasm = embed "add.wasm"),
  ],
  compatibilityDate = "2024-02-29",
  compatibilityFlags = ["nodejs_compat", "streams_enable_constructors"],
  bindings = [
    (name = "TEXT", text = "hello"),
    (name = "DATA", data = 0x"de ad be ef"),
    (name = "JSON", json = "{\"a\": 1}"),
    (name = "WASM", wasmModule = embed "add.wasm"),
    (name = "HOME", fromEnvironment = "HOME"),
    (name = "NET", service = "net"),
    (name = "ADMIN", service = (name = "classic", entrypoint = "Admin")),
  ],
  globalOutbound = (name = "ext", entrypoint = "Out"),
);
