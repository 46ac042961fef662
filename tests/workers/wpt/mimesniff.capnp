# WPT's MIME type parsing data (mimesniff/mime-types.json, generated-mime-types.json), run
# as WPT's mimesniff/mime-types/parsing.any.js runs it: through a Content-Type header and
# blob().type on a Request and a Response (the web platform exposes no MIME parser of its
# own). src/base/mime.c's parser alone is checked against every case in
# tests/unit/mime_test.c.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [(name = "mimesniff", worker = .worker)],
);

const worker :Workerd.Worker = (
  modules = [
    (name = "mimesniff.test.js", esModule = embed "mimesniff.test.js"),
    (name = "harness.js", esModule = embed "harness.js"),
  ],
  bindings = [
    (name = "mimeTypes", json = embed "../../../../shared/wpt-data/mimesniff/mime-types.json"),
    (name = "generated", json = embed "../../../../shared/wpt-data/mimesniff/generated-mime-types.json"),
    (name = "expected", text = embed "mimesniff.expected"),
  ],
  compatibilityDate = "2024-01-01",
);
