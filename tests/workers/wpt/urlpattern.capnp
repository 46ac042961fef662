# WPT's URLPattern data (urlpattern/resources/urlpatterntestdata.json), checked as WPT's
# urlpattern test runner reads it. Known failures: urlpattern.expected.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [(name = "urlpattern", worker = .worker)],
);

const worker :Workerd.Worker = (
  modules = [
    (name = "urlpattern.test.js", esModule = embed "urlpattern.test.js"),
    (name = "harness.js", esModule = embed "harness.js"),
  ],
  bindings = [
    (name = "cases", json = embed "../../../../shared/wpt-data/urlpattern/urlpatterntestdata.json"),
    (name = "expected", text = embed "urlpattern.expected"),
  ],
  compatibilityDate = "2024-01-01",
);
