# WPT's data: URL data (fetch/data-urls/resources/data-urls.json and base64.json), run as
# WPT's processing.any.js and base64.any.js run them: through fetch(), which answers data:
# URLs without a network (src/url/dataurl.c).
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [(name = "data-urls", worker = .worker)],
);

const worker :Workerd.Worker = (
  modules = [
    (name = "data-urls.test.js", esModule = embed "data-urls.test.js"),
    (name = "harness.js", esModule = embed "harness.js"),
  ],
  bindings = [
    (name = "dataUrls", json = embed "../../../../shared/wpt-data/data-urls/data-urls.json"),
    (name = "base64", json = embed "../../../../shared/wpt-data/data-urls/base64.json"),
    (name = "expected", text = embed "data-urls.expected"),
  ],
  compatibilityDate = "2024-01-01",
);
